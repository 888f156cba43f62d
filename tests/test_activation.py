"""Activations, dropout and linear: torch parity to second order, gradcheck, stability, errors."""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigan as mg
import minigan.functional as F

from .torch_parity import check_parity

# (name, keyword arguments): each F.<name>(x, **kw) has a torch.nn.functional twin
ACTIVATIONS = [
    ('relu', {}),
    ('leaky_relu', {}),
    ('leaky_relu', {'negative_slope': 0.2}),
    ('leaky_relu', {'negative_slope': 1.5}),
    ('sigmoid', {}),
    ('tanh', {}),
    ('softplus', {}),
    ('softplus', {'beta': 2.0, 'threshold': 1.0}),
    ('logsigmoid', {}),
    ('elu', {}),
    ('elu', {'alpha': 0.5}),
    ('softmax', {'dim': 1}),
    ('softmax', {'dim': -1}),
    ('log_softmax', {'dim': 0}),
    ('log_softmax', {'dim': -1}),
]
IDS = [name + ''.join(f'-{k}={v}' for k, v in kw.items()) for name, kw in ACTIVATIONS]
fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def away_from_kinks(rng, shape, scale=2.0):
    """Values with |x| >= 0.1, so finite differences never straddle relu's or elu's kink."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.1, scale, shape)


def call(name, kw):
    return lambda x: getattr(F, name)(x, **kw)


@pytest.mark.parametrize('name, kw', ACTIVATIONS, ids=IDS)
@fixture_ok
@given(shape=hnp.array_shapes(min_dims=2, max_dims=4, max_side=5), seed=st.integers(0, 2 ** 31))
def test_matches_torch_to_second_order(name, kw, shape, seed, device):
    torch = pytest.importorskip('torch')
    x = np.random.default_rng(seed).standard_normal(shape) * 3
    check_parity(torch, call(name, kw), lambda t: getattr(torch.nn.functional, name)(t, **kw), [x], device)


@pytest.mark.parametrize('name, kw', ACTIVATIONS, ids=IDS)
def test_gradcheck_first_and_second_order(name, kw, device):
    x = mg.tensor(away_from_kinks(np.random.default_rng(0), (3, 4)), dtype=mg.float64, device=device,
                  requires_grad=True)
    assert mg.gradcheck(call(name, kw), [x])
    assert mg.gradgradcheck(call(name, kw), [x])


@pytest.mark.parametrize('name, kw', ACTIVATIONS, ids=IDS)
def test_keeps_float32(name, kw, device):
    x = mg.randn(2, 3, device=device)
    y = getattr(F, name)(x, **kw)
    assert y.dtype == mg.float32 and y.device == device and y.shape == (2, 3)


def test_extreme_logits_stay_finite(device):
    torch = pytest.importorskip('torch')
    values = np.array([-1e4, -800.0, -100.0, -30.0, 0.0, 30.0, 100.0, 800.0, 1e4])
    for name in ['sigmoid', 'softplus', 'logsigmoid', 'tanh', 'elu']:
        for dtype, tdtype in [(mg.float32, torch.float32), (mg.float64, torch.float64)]:
            x = mg.tensor(values, dtype=dtype, device=device, requires_grad=True)
            y = getattr(F, name)(x)
            (g,) = mg.grad(y.sum(), x)
            assert np.isfinite(y.numpy()).all() and np.isfinite(g.numpy()).all(), name
            xt = torch.tensor(values, dtype=tdtype, requires_grad=True)
            yt = getattr(torch.nn.functional, name)(xt)
            yt.sum().backward()
            np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-30, err_msg=name)
            if name != 'sigmoid':  # torch's y(1 - y) cancels for large x; checked exactly below
                np.testing.assert_allclose(g.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-30, err_msg=name)


def test_sigmoid_gradient_keeps_relative_precision_in_both_tails():
    values = np.array([-700.0, -40.0, -5.0, 0.0, 5.0, 40.0, 700.0])
    x = mg.tensor(values, dtype=mg.float64, requires_grad=True)
    (g,) = mg.grad(F.sigmoid(x).sum(), x)
    e = np.exp(-np.abs(values))
    np.testing.assert_allclose(g.numpy(), e / (1 + e) ** 2, rtol=1e-13)  # σ'(x) = e^-|x| / (1 + e^-|x|)²


def test_sigmoid_keeps_relative_precision_in_the_tail():
    # 1 - sigmoid(x) style formulas lose everything here; exp(-log(1 + e^-x)) does not
    y = F.sigmoid(mg.tensor([-40.0, -700.0], dtype=mg.float64))
    np.testing.assert_allclose(y.numpy(), [math.exp(-40.0), math.exp(-700.0)], rtol=1e-12)


def test_softmax_extreme_logits_are_stable(device):
    x = mg.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], device=device, requires_grad=True)
    p = F.softmax(x, dim=1)
    logp = F.log_softmax(x, dim=1)
    np.testing.assert_allclose(p.numpy(), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-7)
    np.testing.assert_allclose(logp.numpy(), [[0, -2e4, -1e4], [-math.log(3)] * 3], rtol=1e-6)
    (g,) = mg.grad(logp[:, 0].sum(), x)
    assert np.isfinite(g.numpy()).all()


def test_softmax_of_0d_and_implicit_dim():
    torch = pytest.importorskip('torch')
    assert F.softmax(mg.tensor(3.0), 0).item() == 1.0
    assert F.log_softmax(mg.tensor(3.0), -1).item() == 0.0
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    with pytest.warns(UserWarning):  # torch warns about the implicit dim; minigan picks the same one
        expected = torch.nn.functional.softmax(torch.tensor(x)).numpy()
    np.testing.assert_allclose(F.softmax(mg.tensor(x, dtype=mg.float64)).numpy(), expected, rtol=1e-12)


def test_softmax_bad_dim_names_the_op():
    with pytest.raises(IndexError, match='softmax: dim 2 is out of range'):
        F.softmax(mg.zeros(2, 3), dim=2)


def test_tensor_methods_and_module_level_names():
    x = mg.randn(3, 4)
    for name in ['relu', 'sigmoid', 'tanh']:
        np.testing.assert_array_equal(getattr(x, name)().numpy(), getattr(F, name)(x).numpy())
        np.testing.assert_array_equal(getattr(mg, name)(x).numpy(), getattr(F, name)(x).numpy())
    for name in ['softmax', 'log_softmax']:
        np.testing.assert_array_equal(getattr(x, name)(1).numpy(), getattr(F, name)(x, 1).numpy())
        np.testing.assert_array_equal(getattr(mg, name)(x, dim=1).numpy(), getattr(F, name)(x, 1).numpy())


# ----------------------------------------------------------------------------- dropout
def test_dropout_is_reproducible_and_inverted(device):
    x = mg.ones(1000, 10, device=device)
    mg.manual_seed(3)
    y1 = F.dropout(x, p=0.3)
    mg.manual_seed(3)
    y2 = F.dropout(x, p=0.3)
    np.testing.assert_array_equal(y1.numpy(), y2.numpy())
    values = y1.numpy()
    kept = values != 0
    np.testing.assert_allclose(values[kept], 1 / 0.7, rtol=1e-6)  # survivors are scaled by 1/(1-p)
    assert abs(kept.mean() - 0.7) < 0.02                           # 10,000 draws: ~4 sigma
    assert y1.dtype == mg.float32 and y1.device == device


def test_dropout_edge_cases(device):
    x = mg.randn(4, 5, device=device)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((4, 5)))
    for p in [-0.1, 1.5]:
        with pytest.raises(ValueError, match=r'dropout: p must be a finite number in \[0, 1\], got'):
            F.dropout(x, p)


def test_dropout_gradient_is_the_mask(device):
    def fn(x):
        mg.manual_seed(7)  # the same mask for every evaluation of the finite differences
        return F.dropout(x, p=0.4)
    x = mg.tensor(np.random.default_rng(1).standard_normal((4, 6)), dtype=mg.float64, device=device,
                  requires_grad=True)
    assert mg.gradcheck(fn, [x])


# ----------------------------------------------------------------------------- linear
@pytest.mark.parametrize('x_shape, w_shape, bias', [
    ((5, 3), (4, 3), True), ((5, 3), (4, 3), False), ((2, 5, 3), (4, 3), True), ((3,), (4, 3), True),
])
def test_linear_matches_torch(x_shape, w_shape, bias, device):
    torch = pytest.importorskip('torch')
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if bias:
        arrays.append(rng.standard_normal(w_shape[:1]))
    check_parity(torch, F.linear, torch.nn.functional.linear, arrays, device)


def test_linear_gradcheck(device):
    rng = np.random.default_rng(2)
    x, w, b = (mg.tensor(rng.standard_normal(s), dtype=mg.float64, device=device, requires_grad=True)
               for s in [(3, 4), (2, 4), (2,)])
    assert mg.gradcheck(F.linear, [x, w, b])
    assert mg.gradgradcheck(F.linear, [x, w, b])


def test_linear_shape_errors_name_the_op():
    with pytest.raises(ValueError, match=r'linear: input of shape \(5, 3\) and weight of shape \(4, 2\)'):
        F.linear(mg.zeros(5, 3), mg.zeros(4, 2))
    with pytest.raises(ValueError, match=r'linear: bias of shape \(3,\); expected \(4,\)'):
        F.linear(mg.zeros(5, 3), mg.zeros(4, 3), mg.zeros(3))


@pytest.mark.parametrize('name, kw', [('relu', {}), ('leaky_relu', {'negative_slope': 0.2}),
                                      ('leaky_relu', {'negative_slope': -0.5})])
def test_blocked_multicore_path_matches_torch(name, kw, monkeypatch):
    """Big arrays run in blocks on a thread pool (ops/parallel.py); force it on a small one."""
    torch = pytest.importorskip('torch')
    from minigan.ops import parallel
    monkeypatch.setattr(parallel, 'BLOCK', 64)
    x = np.random.default_rng(4).standard_normal((9, 3, 5, 5))
    check_parity(torch, call(name, kw), lambda t: getattr(torch.nn.functional, name)(t, **kw), [x])
