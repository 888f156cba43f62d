"""F's losses: torch parity (forward, gradient, gradient of gradient) for every reduction,
gradcheck, stability at extreme logits and probabilities, and clear errors."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigan as mg
import minigan.functional as F

from .torch_parity import check_parity

REDUCTIONS = ['mean', 'sum', 'none']
fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def rng(seed):
    return np.random.default_rng((seed, 77))  # a stream apart from gradcheck's seed-0 projections


def tf():
    return pytest.importorskip('torch').nn.functional


# ----------------------------------------------------------------------------- elementwise losses
@pytest.mark.parametrize('reduction', REDUCTIONS)
@fixture_ok
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), weighted=st.booleans(),
       seed=st.integers(0, 2 ** 31))
def test_bce_with_logits_matches_torch(reduction, shape, weighted, seed, device):
    torch = pytest.importorskip('torch')
    r = rng(seed)
    arrays = [r.standard_normal(shape) * 3, r.uniform(0, 1, shape)]
    extra = {}
    if weighted:  # weight (elementwise) and pos_weight (per class, the last dim) are constants
        arrays += [r.uniform(0.5, 2, shape), r.uniform(0.5, 2, shape[-1:])]
        extra = dict(differentiable=[True, True, False, False])

    def call(f):
        return lambda z, t, *w: f(z, t, *w[:1], reduction=reduction, pos_weight=w[1] if w else None)
    check_parity(torch, call(F.binary_cross_entropy_with_logits),
                 call(torch.nn.functional.binary_cross_entropy_with_logits), arrays, device, **extra)


@pytest.mark.parametrize('reduction', REDUCTIONS)
@fixture_ok
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), weighted=st.booleans(),
       seed=st.integers(0, 2 ** 31))
def test_bce_on_probabilities_matches_torch(reduction, shape, weighted, seed, device):
    torch = pytest.importorskip('torch')
    r = rng(seed)
    arrays = [r.uniform(0.02, 0.98, shape), r.uniform(0, 1, shape)]
    extra = {}
    if weighted:
        arrays.append(r.uniform(0.5, 2, shape))
        extra = dict(differentiable=[True, True, False])
    check_parity(torch, lambda p, t, *w: F.binary_cross_entropy(p, t, *w, reduction=reduction),
                 lambda p, t, *w: torch.nn.functional.binary_cross_entropy(p, t, *w, reduction=reduction),
                 arrays, device, **extra)


@pytest.mark.parametrize('name', ['mse_loss', 'l1_loss'])
@pytest.mark.parametrize('reduction', REDUCTIONS)
@fixture_ok
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), weighted=st.booleans(),
       seed=st.integers(0, 2 ** 31))
def test_regression_losses_match_torch(name, reduction, shape, weighted, seed, device):
    torch = pytest.importorskip('torch')
    r = rng(seed)
    arrays = [r.standard_normal(shape), r.standard_normal(shape)]  # never equal: off l1's kink
    if weighted:
        arrays.append(r.uniform(0.5, 2, shape))

    def call(f):
        return lambda a, b, *w: f(a, b, reduction=reduction, weight=w[0] if w else None)
    check_parity(torch, call(getattr(F, name)), call(getattr(torch.nn.functional, name)), arrays, device)


# ----------------------------------------------------------------------------- cross-entropy, nll
@pytest.mark.parametrize('reduction', REDUCTIONS)
@fixture_ok
@given(n=st.integers(1, 4), c=st.integers(1, 5), spatial=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
       weighted=st.booleans(), smoothing=st.sampled_from([0.0, 0.1]), ignore=st.booleans(),
       seed=st.integers(0, 2 ** 31))
def test_cross_entropy_with_class_indices_matches_torch(reduction, n, c, spatial, weighted, smoothing,
                                                        ignore, seed, device):
    torch = pytest.importorskip('torch')
    r = rng(seed)
    x = r.standard_normal((n, c) + spatial) * 2
    target = r.integers(0, c, (n,) + spatial)
    if ignore:
        target.reshape(-1)[0] = -100  # ignore_index: counts for nothing, not even in the mean
    weight = r.uniform(0.5, 2, c) if weighted else None

    def ours(x_):
        return F.cross_entropy(x_, mg.tensor(target, device=device),
                               None if weight is None else mg.tensor(weight, dtype=mg.float64, device=device),
                               reduction=reduction, label_smoothing=smoothing)

    def theirs(x_):
        return torch.nn.functional.cross_entropy(x_, torch.tensor(target),
                                                 None if weight is None else torch.tensor(weight),
                                                 reduction=reduction, label_smoothing=smoothing)
    if ignore and reduction == 'mean' and (target == -100).all():
        return  # 0/0: both give nan
    check_parity(torch, ours, theirs, [x], device)


@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('smoothing', [0.0, 0.2])
def test_cross_entropy_with_probabilities_and_single_sample_match_torch(reduction, smoothing, device):
    torch = pytest.importorskip('torch')
    r = rng(1)
    x, w = r.standard_normal((3, 4, 2)), r.uniform(0.5, 2, 4)
    p = r.dirichlet(np.ones(4), (3, 2)).transpose(0, 2, 1)  # class probabilities along dim 1
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    check_parity(torch, lambda x_, p_: F.cross_entropy(x_, p_, mg.tensor(w, dtype=mg.float64, device=device), **kw),
                 lambda x_, p_: torch.nn.functional.cross_entropy(x_, p_, torch.tensor(w), **kw), [x, p], device)
    # one sample: (C,) scores and a 0-d class index
    check_parity(torch, lambda x_: F.cross_entropy(x_, mg.tensor(2, device=device), reduction=reduction,
                                                   label_smoothing=smoothing),
                 lambda x_: torch.nn.functional.cross_entropy(x_, torch.tensor(2), reduction=reduction,
                                                              label_smoothing=smoothing),
                 [r.standard_normal(4)], device)


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_nll_loss_matches_torch(reduction, device):
    torch = pytest.importorskip('torch')
    r = rng(2)
    logp = r.standard_normal((5, 3, 2))
    target, w = np.array([[0, 2], [1, 1], [2, -100], [0, 0], [1, 2]]), r.uniform(0.5, 2, 3)
    weight = mg.tensor(w, dtype=mg.float64, device=device)
    check_parity(torch, lambda x: F.nll_loss(x, mg.tensor(target, device=device), weight, reduction=reduction),
                 lambda x: torch.nn.functional.nll_loss(x, torch.tensor(target), torch.tensor(w),
                                                        reduction=reduction),
                 [logp], device)


def test_legacy_size_average_and_reduce_map_to_reduction():
    x, t = mg.randn(4, 3), mg.tensor([0, 1, 2, 1])
    same = np.testing.assert_allclose
    same(F.nll_loss(x, t, size_average=False).numpy(), F.nll_loss(x, t, reduction='sum').numpy())
    same(F.nll_loss(x, t, reduce=False).numpy(), F.nll_loss(x, t, reduction='none').numpy())
    same(F.mse_loss(x, x * 2, size_average=True).numpy(), F.mse_loss(x, x * 2).numpy())


# ----------------------------------------------------------------------------- gradcheck
def _double(a, device, requires_grad=True):
    return mg.tensor(a, dtype=mg.float64, device=device, requires_grad=requires_grad)


def test_losses_gradcheck_first_and_second_order(device):
    r = rng(3)
    z, t = _double(r.standard_normal((3, 4)) * 2, device), _double(r.uniform(0, 1, (3, 4)), device)
    p = _double(r.uniform(0.1, 0.9, (3, 4)), device)
    pw = _double(r.uniform(0.5, 2, 4), device, requires_grad=False)
    cases = [
        (lambda z, t: F.binary_cross_entropy_with_logits(z, t, pos_weight=pw), [z, t]),
        (lambda p, t: F.binary_cross_entropy(p, t, reduction='sum'), [p, t]),
        (lambda a, b: F.mse_loss(a, b, reduction='none'), [z, t]),
        (lambda a, b: F.l1_loss(a, b), [z, t]),
        (lambda x: F.cross_entropy(x, mg.tensor([0, 3, 1], device=device), label_smoothing=0.1), [z]),
        (lambda x: F.nll_loss(F.log_softmax(x, 1), mg.tensor([2, 0, 1], device=device)), [z]),
    ]
    for fn, inputs in cases:
        assert mg.gradcheck(fn, inputs)
        assert mg.gradgradcheck(fn, inputs)


# ----------------------------------------------------------------------------- stability
def test_bce_with_logits_is_finite_at_extreme_logits(device):
    torch = pytest.importorskip('torch')
    z = np.array([-1e4, -1e4, -50.0, 0.0, 50.0, 1e4, 1e4])
    t = np.array([0.0, 1.0, 1.0, 0.5, 0.0, 1.0, 0.0])
    for dtype, tdtype in [(mg.float32, torch.float32), (mg.float64, torch.float64)]:
        x = mg.tensor(z, dtype=dtype, device=device, requires_grad=True)
        target = mg.tensor(t, dtype=dtype, device=device)
        loss = F.binary_cross_entropy_with_logits(x, target, reduction='none')
        (g,) = mg.grad(loss.sum(), x)
        xt = torch.tensor(z, dtype=tdtype, requires_grad=True)
        expected = torch.nn.functional.binary_cross_entropy_with_logits(xt, torch.tensor(t, dtype=tdtype),
                                                                        reduction='none')
        expected.sum().backward()
        assert np.isfinite(loss.numpy()).all() and np.isfinite(g.numpy()).all()
        np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(g.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-7)
        assert loss.dtype == dtype


def test_bce_on_probabilities_clamps_like_torch_at_0_and_1(device):
    torch = pytest.importorskip('torch')
    p, t = np.array([0.0, 1.0, 0.0, 1.0, 0.3]), np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    x = mg.tensor(p, dtype=mg.float64, device=device, requires_grad=True)
    loss = F.binary_cross_entropy(x, mg.tensor(t, dtype=mg.float64, device=device), reduction='none')
    (g,) = mg.grad(loss.sum(), x)
    xt = torch.tensor(p, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy(xt, torch.tensor(t), reduction='none')
    expected.sum().backward()
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-12)  # log clamped at -100
    np.testing.assert_allclose(g.numpy(), xt.grad.numpy(), rtol=1e-8)  # ±1e12, not inf (torch: f32 1e-12)


def test_cross_entropy_is_finite_at_extreme_logits(device):
    x = mg.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], device=device, requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor([1, 0], device=device))
    (g,) = mg.grad(loss, x)
    np.testing.assert_allclose(loss.item(), (2e4 + 2e4 + np.log(2)) / 2, rtol=1e-6)
    assert np.isfinite(g.numpy()).all()


# ----------------------------------------------------------------------------- errors
X = mg.zeros(4, 3)
ERRORS = [  # (call, exception, what the message says)
    (lambda: F.binary_cross_entropy_with_logits(X, mg.zeros(4)), ValueError,
     r'binary_cross_entropy_with_logits: target of shape \(4,\) for input of shape \(4, 3\)'),
    (lambda: F.binary_cross_entropy(X, mg.zeros(3)), ValueError,
     r'binary_cross_entropy: target of shape \(3,\) for input of shape \(4, 3\)'),
    (lambda: F.binary_cross_entropy(X + 2, mg.zeros(4, 3)), ValueError,
     r'binary_cross_entropy: all elements of input should be between 0 and 1'),
    (lambda: F.cross_entropy(X, mg.zeros(4)), TypeError,
     r'cross_entropy: target has dtype float32; expected integer class indices'),
    (lambda: F.cross_entropy(X, mg.tensor([0, 1, 2])), ValueError,
     r'cross_entropy: target of shape \(3,\) for input of shape \(4, 3\); expected target shape \(4,\)'),
    (lambda: F.cross_entropy(X, mg.tensor([0, 1, 3, 2])), ValueError,
     r'cross_entropy: class index 3 is out of range .* expected 0 <= target < 3'),
    (lambda: F.nll_loss(X, mg.tensor([0, -1, 1, 2])), ValueError, r'nll_loss: class index -1 is out of range'),
    (lambda: F.nll_loss(X, mg.tensor([0, 1, 1, 2]), weight=mg.ones(2)), ValueError,
     r'nll_loss: weight of shape \(2,\); expected \(3,\)'),
    (lambda: F.mse_loss(X, X, reduction='avg'), ValueError,
     r"mse_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    (lambda: F.l1_loss(X, mg.zeros(2, 3)), ValueError,
     r'l1_loss: target of shape \(2, 3\) for input of shape \(4, 3\)'),
    (lambda: F.cross_entropy(X, mg.tensor([0, 1, 2, 1]), label_smoothing=1.5), ValueError,
     r'cross_entropy: label_smoothing must be a finite number in \[0, 1\]'),
]


@pytest.mark.parametrize('call, error, message', ERRORS)
def test_errors_name_the_op_and_the_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()
