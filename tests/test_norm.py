"""batch_norm, instance_norm, layer_norm, group_norm: torch parity (forward, gradient, gradient of
gradient, running statistics), gradcheck to second order, train/eval behaviour and errors."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigan as mg
import minigan.functional as F

from .torch_parity import check_parity

fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def norm_shapes(min_dims=2, max_dims=4):
    """(N, C, *) with at least two values per normalized group."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4).filter(
        lambda s: s[0] * int(np.prod(s[2:])) > 1)


def data(seed, shape, loc=0.0, scale=1.0):
    """Normal values from a stream of their own. Not default_rng(seed): gradgradcheck projects on
    default_rng(0) normals, and an input x proportional to that projection u hides exactly the
    1/σ terms of the second derivative (u then lies in the span of 1 and x̂, which they project out)."""
    return np.random.default_rng((seed, 2024)).standard_normal(shape) * scale + loc


def tensors(arrays, device, requires_grad=True):
    return [mg.tensor(a, dtype=mg.float64, device=device, requires_grad=requires_grad) for a in arrays]


# ----------------------------------------------------------------------------- batch norm
@fixture_ok
@given(shape=norm_shapes(), affine=st.booleans(), seed=st.integers(0, 2 ** 31))
def test_batch_norm_training_matches_torch_to_second_order(shape, affine, seed, device):
    torch = pytest.importorskip('torch')
    c = shape[1]
    arrays = [data(seed, shape, loc=3.0, scale=2.0)]
    if affine:
        arrays += [data(seed + 1, (c,)), data(seed + 2, (c,))]
    check_parity(torch, lambda x, *wb: F.batch_norm(x, None, None, *wb, training=True),
                 lambda x, *wb: torch.nn.functional.batch_norm(x, None, None, *wb, training=True),
                 arrays, device)


@pytest.mark.parametrize('shape', [(5, 3), (4, 3, 5), (3, 2, 3, 2)])
def test_batch_norm_eval_matches_torch_to_second_order(shape, device):
    torch = pytest.importorskip('torch')
    c = shape[1]
    arrays = [data(0, shape), data(1, (c,)), data(2, (c,)), data(3, (c,)), np.abs(data(4, (c,))) + 0.5]
    check_parity(torch, lambda x, w, b, rm, rv: F.batch_norm(x, rm, rv, w, b, training=False),
                 lambda x, w, b, rm, rv: torch.nn.functional.batch_norm(x, rm, rv, w, b, training=False),
                 arrays, device, differentiable=[True, True, True, False, False])


@pytest.mark.parametrize('shape', [(6, 3), (4, 3, 5), (3, 2, 3, 2)])
def test_batch_norm_running_statistics_match_torch(shape, device):
    torch = pytest.importorskip('torch')
    c = shape[1]
    rm, rv = mg.zeros(c, dtype=mg.float64, device=device), mg.ones(c, dtype=mg.float64, device=device)
    trm, trv = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
    for step in range(4):  # several steps: the blend compounds, so a wrong momentum or bias shows
        x = data(step, shape, loc=step, scale=1.0 + step)
        y = F.batch_norm(mg.tensor(x, device=device), rm, rv, training=True, momentum=0.3)
        yt = torch.nn.functional.batch_norm(torch.tensor(x), trm, trv, training=True, momentum=0.3)
        np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), rtol=1e-6)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=1e-6)  # the unbiased variance
    # and evaluation then normalizes with exactly those statistics
    x = data(9, shape)
    np.testing.assert_allclose(F.batch_norm(mg.tensor(x, device=device), rm, rv).numpy(),
                               torch.nn.functional.batch_norm(torch.tensor(x), trm, trv).numpy(), rtol=1e-6)


def test_batch_norm_eval_leaves_running_statistics_alone(device):
    rm, rv = mg.zeros(3, device=device), mg.ones(3, device=device)
    F.batch_norm(mg.randn(4, 3, device=device) + 5, rm, rv, training=False)
    np.testing.assert_array_equal(rm.numpy(), np.zeros(3))
    np.testing.assert_array_equal(rv.numpy(), np.ones(3))


@pytest.mark.parametrize('affine', [False, True])
def test_batch_norm_gradcheck_first_and_second_order(affine, device):
    rng_arrays = [data(0, (4, 3, 2, 2), loc=1.0, scale=2.0)]
    if affine:
        rng_arrays += [data(1, (3,)), data(2, (3,))]
    inputs = tensors(rng_arrays, device)
    fn = lambda x, *wb: F.batch_norm(x, None, None, *wb, training=True)  # noqa: E731
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


def test_batch_norm_second_derivative_is_not_the_frozen_std_one():
    """The bug this guards against: treating 1/σ as a constant in the backward. Then the
    gradient of ||dL/dx||² w.r.t. x misses every term through σ; check it against finite
    differences of the first derivative, on data where that term is large."""
    x = mg.tensor(data(5, (6, 2), scale=3.0), dtype=mg.float64, requires_grad=True)
    w = mg.tensor([1.5, -0.7], dtype=mg.float64, requires_grad=True)
    v = mg.tensor(data(6, (6, 2)), dtype=mg.float64)

    def grad_norm(x_):
        y = F.batch_norm(x_, None, None, w, None, training=True)
        (g,) = mg.grad((y * y * v).sum(), x_, create_graph=True)
        return (g * g).sum()

    (analytic,) = mg.grad(grad_norm(x), x)
    numeric = np.zeros(x.shape)
    eps = 1e-6
    with mg.no_grad():
        for index in np.ndindex(*x.shape):
            old = x.array[index]
            x.array[index] = old + eps
            with mg.enable_grad():
                plus = grad_norm(x).item()
            x.array[index] = old - eps
            with mg.enable_grad():
                minus = grad_norm(x).item()
            x.array[index] = old
            numeric[index] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(analytic.numpy(), numeric, rtol=1e-5, atol=1e-7)


def test_batch_norm_keeps_float32_and_normalizes(device):
    x = mg.randn(16, 4, 3, 3, device=device) * 5 + 2
    y = F.batch_norm(x, None, None, training=True)
    assert y.dtype == mg.float32 and y.device == device and y.shape == x.shape
    values = y.numpy()
    np.testing.assert_allclose(values.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(values.var(axis=(0, 2, 3)), 1, rtol=1e-3)


def test_batch_norm_errors_name_the_op():
    x = mg.zeros(4, 3, 2, 2)
    with pytest.raises(ValueError, match=r'batch_norm: weight of shape \(4,\); expected \(3,\)'):
        F.batch_norm(x, None, None, mg.ones(4), training=True)
    with pytest.raises(ValueError, match=r'batch_norm: running_mean of shape \(2,\); expected \(3,\)'):
        F.batch_norm(x, mg.zeros(2), mg.ones(3))
    with pytest.raises(ValueError, match='batch_norm: running_mean and running_var must be given'):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match=r'more than 1 value per channel when training, got input of shape '
                                         r'\(1, 3\)'):
        F.batch_norm(mg.zeros(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match=r'batch_norm: expected input of at least 2 dims \(N, C, \*\), '
                                         r'got shape \(3,\)'):
        F.batch_norm(mg.zeros(3), None, None, training=True)


# ----------------------------------------------------------------------------- instance norm
@fixture_ok
@given(shape=norm_shapes(min_dims=3).filter(lambda s: np.prod(s[2:]) > 1), affine=st.booleans(),
       seed=st.integers(0, 2 ** 31))
def test_instance_norm_matches_torch_to_second_order(shape, affine, seed, device):
    torch = pytest.importorskip('torch')
    c = shape[1]
    arrays = [data(seed, shape, loc=-1.0, scale=2.0)]
    if affine:
        arrays += [data(seed + 1, (c,)), data(seed + 2, (c,))]
    check_parity(torch, lambda x, *wb: F.instance_norm(x, None, None, *wb),
                 lambda x, *wb: torch.nn.functional.instance_norm(x, None, None, *wb), arrays, device)


def test_instance_norm_running_statistics_and_eval_match_torch(device):
    torch = pytest.importorskip('torch')
    rm, rv = mg.zeros(3, dtype=mg.float64, device=device), mg.ones(3, dtype=mg.float64, device=device)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    for step in range(3):
        x = data(step, (4, 3, 3, 2), loc=step, scale=2.0)
        F.instance_norm(mg.tensor(x, device=device), rm, rv, momentum=0.2)
        torch.nn.functional.instance_norm(torch.tensor(x), trm, trv, momentum=0.2)
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), rtol=1e-6)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=1e-6)
    arrays = [data(7, (2, 3, 4)), data(8, (3,)), data(9, (3,)), rm.numpy(), rv.numpy()]
    check_parity(torch, lambda x, w, b, m, v: F.instance_norm(x, m, v, w, b, use_input_stats=False),
                 lambda x, w, b, m, v: torch.nn.functional.instance_norm(x, m, v, w, b,
                                                                         use_input_stats=False),
                 arrays, device, differentiable=[True, True, True, False, False])


def test_instance_norm_gradcheck_first_and_second_order(device):
    inputs = tensors([data(0, (2, 2, 3, 2), scale=2.0), data(1, (2,)), data(2, (2,))], device)
    assert mg.gradcheck(F.instance_norm, inputs[:1])
    fn = lambda x, w, b: F.instance_norm(x, None, None, w, b)  # noqa: E731
    assert mg.gradcheck(fn, inputs)
    assert mg.gradgradcheck(fn, inputs)


def test_instance_norm_errors():
    with pytest.raises(ValueError, match=r'instance_norm: expected more than 1 spatial element'):
        F.instance_norm(mg.zeros(2, 3, 1, 1))
    with pytest.raises(ValueError, match=r'instance_norm: expected input of at least 3 dims'):
        F.instance_norm(mg.zeros(2, 3))
    with pytest.raises(ValueError, match='instance_norm: running_mean and running_var must be given'):
        F.instance_norm(mg.zeros(2, 3, 4), use_input_stats=False)


# ----------------------------------------------------------------------------- layer / group norm
@fixture_ok
@given(shape=hnp.array_shapes(min_dims=2, max_dims=4, min_side=2, max_side=4), k=st.integers(1, 2),
       affine=st.booleans(), seed=st.integers(0, 2 ** 31))
def test_layer_norm_matches_torch_to_second_order(shape, k, affine, seed, device):
    torch = pytest.importorskip('torch')
    normalized = shape[len(shape) - k:]
    arrays = [data(seed, shape, loc=2.0, scale=3.0)]
    if affine:
        arrays += [data(seed + 1, normalized), data(seed + 2, normalized)]
    check_parity(torch, lambda x, *wb: F.layer_norm(x, normalized, *wb),
                 lambda x, *wb: torch.nn.functional.layer_norm(x, normalized, *wb), arrays, device)


@fixture_ok
@given(n=st.integers(1, 3), groups=st.integers(1, 3), per_group=st.integers(1, 3),
       spatial=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), affine=st.booleans(),
       seed=st.integers(0, 2 ** 31))
def test_group_norm_matches_torch_to_second_order(n, groups, per_group, spatial, affine, seed, device):
    torch = pytest.importorskip('torch')
    c = groups * per_group
    if per_group * int(np.prod(spatial)) < 2:
        spatial = spatial + (2,)
    arrays = [data(seed, (n, c) + spatial, loc=1.0, scale=2.0)]
    if affine:
        arrays += [data(seed + 1, (c,)), data(seed + 2, (c,))]
    check_parity(torch, lambda x, *wb: F.group_norm(x, groups, *wb),
                 lambda x, *wb: torch.nn.functional.group_norm(x, groups, *wb), arrays, device)


def test_layer_and_group_norm_gradcheck_first_and_second_order(device):
    x, w, b = tensors([data(0, (2, 4, 3), scale=2.0), data(1, (4, 3)), data(2, (4, 3))], device)
    assert mg.gradgradcheck(lambda x, w, b: F.layer_norm(x, (4, 3), w, b), [x, w, b])
    x, w, b = tensors([data(3, (2, 4, 3), scale=2.0), data(4, (4,)), data(5, (4,))], device)
    assert mg.gradgradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), [x, w, b])


def test_layer_and_group_norm_errors():
    with pytest.raises(ValueError, match=r'layer_norm: normalized_shape \(4,\); expected input of shape '
                                         r'\(\*, 4\), got \(2, 3\)'):
        F.layer_norm(mg.zeros(2, 3), 4)
    with pytest.raises(ValueError, match=r'layer_norm: weight of shape \(4,\); '
                                         r'expected normalized_shape \(3,\)'):
        F.layer_norm(mg.zeros(2, 3), (3,), mg.ones(4))
    with pytest.raises(ValueError, match=r'group_norm: 6 channels .* cannot be split into 4 groups'):
        F.group_norm(mg.zeros(2, 6, 3), 4)
    with pytest.raises(ValueError, match=r'group_norm: bias of shape \(3,\); expected \(6,\)'):
        F.group_norm(mg.zeros(2, 6, 3), 3, None, mg.zeros(3))


def test_blocked_multicore_path_matches_torch(monkeypatch):
    """Big inputs run in blocks on a thread pool (ops/parallel.py); force it on small ones. Batch
    norm adds up per-block sums; instance, layer and group norm stack per-block statistics."""
    torch = pytest.importorskip('torch')
    from minigan.ops import parallel
    monkeypatch.setattr(parallel, 'BLOCK', 64)
    tf = torch.nn.functional
    x, w, b = data(1, (9, 4, 3, 5), loc=2.0, scale=3.0), data(2, (4,)), data(3, (4,))
    check_parity(torch, lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                 lambda x, w, b: tf.batch_norm(x, None, None, w, b, training=True), [x, w, b])
    check_parity(torch, lambda x, w, b: F.instance_norm(x, None, None, w, b),
                 lambda x, w, b: tf.instance_norm(x, None, None, w, b), [x, w, b])
    check_parity(torch, lambda x, w, b: F.group_norm(x, 2, w, b), lambda x, w, b: tf.group_norm(x, 2, w, b),
                 [x, w, b])
    check_parity(torch, lambda x: F.layer_norm(x, (3, 5)), lambda x: tf.layer_norm(x, (3, 5)), [x])
    rm, rv = mg.zeros(4, dtype=mg.float64), mg.ones(4, dtype=mg.float64)
    trm, trv = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
    F.batch_norm(mg.tensor(x), rm, rv, training=True)
    tf.batch_norm(torch.tensor(x), trm, trv, training=True)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=1e-6)
