"""Every GAN loss against an independent torch formula (value, gradient, gradient of gradient),
against finite differences, at extreme logits, and on bad input. The penalties are in
test_penalties.py, the theory (optimal discriminators, JS, saturation, bounds) in test_gan_theory.py.
"""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigan as mg
from minigan import losses

from .torch_parity import check_parity

fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
small_shapes = hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)


def torch_twins(torch):
    """name -> (minigan loss, the same loss written independently with torch, how to draw inputs).

    Draw kinds: 'scores' (two batches of any shapes), 'one' (one batch), 'pair' (two of one shape),
    'classes' (logits (N, K) and integer labels), 'gaussian' (mean, log std, codes of one shape).
    """
    T = torch.nn.functional

    def bce(logits, target):
        return T.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))

    return {
        'bce_discriminator_loss': (losses.bce_discriminator_loss,
                                   lambda r, f: bce(r, 1.0) + bce(f, 0.0), 'scores'),
        'bce_generator_loss': (losses.bce_generator_loss, lambda f: bce(f, 1.0), 'one'),
        'bce_generator_loss-saturating': (lambda f: losses.bce_generator_loss(f, saturating=True),
                                          lambda f: -bce(f, 0.0), 'one'),
        'acgan_class_loss': (losses.acgan_class_loss, T.cross_entropy, 'classes'),
        'lsgan_discriminator_loss': (losses.lsgan_discriminator_loss,
                                     lambda r, f: 0.5 * T.mse_loss(r, torch.ones_like(r))
                                     + 0.5 * T.mse_loss(f, torch.zeros_like(f)), 'scores'),
        'lsgan_generator_loss': (losses.lsgan_generator_loss,
                                 lambda f: 0.5 * T.mse_loss(f, torch.ones_like(f)), 'one'),
        'wasserstein_critic_loss': (losses.wasserstein_critic_loss, lambda r, f: f.mean() - r.mean(), 'scores'),
        'wasserstein_generator_loss': (losses.wasserstein_generator_loss, lambda f: -f.mean(), 'one'),
        'hinge_discriminator_loss': (losses.hinge_discriminator_loss,
                                     lambda r, f: T.relu(1 - r).mean() + T.relu(1 + f).mean(), 'scores'),
        'hinge_generator_loss': (losses.hinge_generator_loss, lambda f: -f.mean(), 'one'),
        'cycle_consistency_loss': (losses.cycle_consistency_loss, lambda x, rec: T.l1_loss(rec, x), 'pair'),
        'identity_loss': (losses.identity_loss, lambda x, same: T.l1_loss(same, x), 'pair'),
        'infogan_categorical_mi': (losses.infogan_categorical_mi,
                                   lambda q, c: -T.cross_entropy(q, c) + math.log(q.shape[1]), 'classes'),
        'infogan_gaussian_mi': (lambda m, s, c: losses.infogan_gaussian_mi(m, s, c, 1.5),
                                lambda m, s, c: torch.distributions.Normal(m, s.exp()).log_prob(c)
                                .sum(1).mean() + 1.5, 'gaussian'),
    }


NAMES = ['bce_discriminator_loss', 'bce_generator_loss', 'bce_generator_loss-saturating',
         'acgan_class_loss', 'lsgan_discriminator_loss', 'lsgan_generator_loss',
         'wasserstein_critic_loss', 'wasserstein_generator_loss', 'hinge_discriminator_loss',
         'hinge_generator_loss', 'cycle_consistency_loss', 'identity_loss',
         'infogan_categorical_mi', 'infogan_gaussian_mi']


def draw_inputs(draw, kind, scale=3.0):
    """Float64 arrays for one loss (and the integer labels, kept apart: they get no gradient)."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    if kind == 'scores':  # real and fake batches need not have one shape
        return [rng.uniform(-scale, scale, draw(small_shapes)) for _ in range(2)], ()
    if kind == 'one':
        return [rng.uniform(-scale, scale, draw(small_shapes))], ()
    if kind == 'pair':
        shape = draw(small_shapes)
        return [rng.uniform(-scale, scale, shape) for _ in range(2)], ()
    n, k = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    if kind == 'classes':
        return [rng.uniform(-scale, scale, (n, k))], (rng.integers(0, k, n),)
    mean, log_std = rng.uniform(-scale, scale, (n, k)), rng.uniform(-1, 1, (n, k))
    return [mean, log_std, rng.uniform(-1, 1, (n, k))], ()


def labels_for(torch, device, labels):
    """The integer labels as a constant argument of each side (minigan on ``device``, torch on cpu)."""
    return ([mg.tensor(y, device=device) for y in labels], [torch.tensor(y) for y in labels])


# Their second derivative is 0 wherever it exists: nothing to compare beyond the gradient.
PIECEWISE_LINEAR = {'wasserstein_critic_loss', 'wasserstein_generator_loss', 'hinge_discriminator_loss',
                    'hinge_generator_loss', 'cycle_consistency_loss', 'identity_loss'}


@pytest.mark.parametrize('name', NAMES)
@fixture_ok
@given(data=st.data())
def test_matches_an_independent_torch_formula(name, device, data):
    """Value, gradient and gradient of gradient agree with torch to rtol 1e-6 (float64)."""
    torch = pytest.importorskip('torch')
    ours, theirs, kind = torch_twins(torch)[name]
    arrays, labels = draw_inputs(data.draw, kind)
    ys_mg, ys_torch = labels_for(torch, device, labels)
    check_parity(torch, lambda *xs: ours(*xs, *ys_mg), lambda *ts: theirs(*ts, *ys_torch), arrays,
                 device=device, order=1 if name in PIECEWISE_LINEAR else 2)


SUMMED = {  # the same losses with reduction='sum': torch's twins with sums for the means
    'bce_discriminator_loss': lambda T, r, f: T.binary_cross_entropy_with_logits(r, r * 0 + 1, reduction='sum')
    + T.binary_cross_entropy_with_logits(f, f * 0, reduction='sum'),
    'lsgan_generator_loss': lambda T, f: 0.5 * ((f - 1) ** 2).sum(),
    'hinge_discriminator_loss': lambda T, r, f: T.relu(1 - r).sum() + T.relu(1 + f).sum(),
    'cycle_consistency_loss': lambda T, x, rec: T.l1_loss(rec, x, reduction='sum'),
    'acgan_class_loss': lambda T, q, y: T.cross_entropy(q, y, reduction='sum'),
}


@pytest.mark.parametrize('name', sorted(SUMMED))
@given(data=st.data())
def test_reduction_sum_matches_torch(name, data):
    torch = pytest.importorskip('torch')
    ours, _, kind = torch_twins(torch)[name]
    arrays, labels = draw_inputs(data.draw, kind)
    ys_mg, ys_torch = labels_for(torch, 'cpu', labels)
    check_parity(torch, lambda *xs: ours(*xs, *ys_mg, reduction='sum'),
                 lambda *ts: SUMMED[name](torch.nn.functional, *ts, *ys_torch), arrays, order=1)


def minigan_losses():
    """name -> (loss, draw kind) without torch, for the checks that need only minigan."""
    calls = {
        'bce_discriminator_loss': (losses.bce_discriminator_loss, 'scores'),
        'bce_generator_loss': (losses.bce_generator_loss, 'one'),
        'bce_generator_loss-saturating': (lambda f: losses.bce_generator_loss(f, saturating=True), 'one'),
        'acgan_class_loss': (losses.acgan_class_loss, 'classes'),
        'lsgan_discriminator_loss': (losses.lsgan_discriminator_loss, 'scores'),
        'lsgan_generator_loss': (losses.lsgan_generator_loss, 'one'),
        'wasserstein_critic_loss': (losses.wasserstein_critic_loss, 'scores'),
        'wasserstein_generator_loss': (losses.wasserstein_generator_loss, 'one'),
        'hinge_discriminator_loss': (losses.hinge_discriminator_loss, 'scores'),
        'hinge_generator_loss': (losses.hinge_generator_loss, 'one'),
        'cycle_consistency_loss': (losses.cycle_consistency_loss, 'pair'),
        'identity_loss': (losses.identity_loss, 'pair'),
        'infogan_categorical_mi': (losses.infogan_categorical_mi, 'classes'),
        'infogan_gaussian_mi': (lambda m, s, c: losses.infogan_gaussian_mi(m, s, c, 0.7), 'gaussian'),
    }
    assert sorted(calls) == sorted(NAMES)
    return calls


@pytest.mark.parametrize('name', NAMES)
@fixture_ok
@given(data=st.data())
def test_gradient_matches_finite_differences(name, device, data):
    loss, kind = minigan_losses()[name]
    arrays, labels = draw_inputs(data.draw, kind)
    xs = [mg.tensor(a, dtype=mg.float64, device=device, requires_grad=True) for a in arrays]
    ys = [mg.tensor(y, device=device) for y in labels]
    assert mg.gradcheck(lambda *xs: loss(*xs, *ys), xs)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name', NAMES)
@given(data=st.data())
def test_finite_with_finite_gradients_at_logits_of_1e4(name, dtype, data):
    """Logits (scores, means) of ±1e4: BCE's exp(1e4) would overflow; softplus / log_softmax don't."""
    loss, kind = minigan_losses()[name]
    arrays, labels = draw_inputs(data.draw, kind)
    rng = np.random.default_rng(0)
    extreme = [1e4 * rng.choice([-1.0, 1.0], a.shape) for a in arrays]
    if kind == 'gaussian':  # extreme means; a log std of +1e4 (σ = e^1e4) is legal and finite too
        extreme[1] = rng.choice([0.0, 1e4], arrays[1].shape)
        extreme[2] = arrays[2]
    xs = [mg.tensor(a, dtype=dtype, requires_grad=True) for a in extreme]
    out = loss(*xs, *[mg.tensor(y) for y in labels])
    assert out.shape == () and out.dtype == getattr(mg, dtype)
    assert np.isfinite(out.item()), f"{name} = {out.item()} at logits ±1e4 ({dtype})"
    grads = mg.grad(out, xs, allow_unused=True)
    for x, g in zip(xs, grads):
        assert g is not None and np.isfinite(g.numpy()).all(), f"{name}: gradient {g} ({dtype})"


def test_bce_is_exact_in_the_far_tail():
    """softplus with no linear cut-off: log(1 + e^a) keeps its e^-a part past a = 20."""
    a = mg.tensor([25.0, 40.0], dtype=mg.float64)
    got = losses.bce_discriminator_loss(-a, a).item()  # E softplus(a) + E softplus(a)
    expected = 2 * np.mean(np.logaddexp(0, [25.0, 40.0]))
    assert got == pytest.approx(expected, rel=1e-15)


# ----------------------------------------------------------------------------- errors
def f64(*shape):
    return mg.randn(*shape, dtype=mg.float64)


@pytest.mark.parametrize('call, error, pattern', [
    (lambda: losses.cycle_consistency_loss(f64(2, 3), f64(2, 4)), ValueError,
     r'cycle_consistency_loss: got real \(2, 3\) and reconstructed \(2, 4\); expected one shape'),
    (lambda: losses.identity_loss(f64(2, 3), f64(3)), ValueError, r'identity_loss: .*\(2, 3\).*\(3,\)'),
    (lambda: losses.acgan_class_loss(f64(4, 3), mg.tensor([0.0, 1.0, 2.0, 0.0])), TypeError,
     r'acgan_class_loss: labels has dtype float32; expected integer class indices'),
    (lambda: losses.acgan_class_loss(f64(4), mg.tensor([0, 1, 2, 0])), ValueError,
     r'acgan_class_loss: class_logits has shape \(4,\); expected \(N, K\)'),
    (lambda: losses.acgan_class_loss(f64(4, 3), mg.tensor([0, 1])), ValueError,
     r'acgan_class_loss: labels has shape \(2,\) for class_logits of shape \(4, 3\); expected \(4,\)'),
    (lambda: losses.acgan_class_loss(f64(2, 3), mg.tensor([0, 3])), ValueError,
     r'acgan_class_loss: labels range over \[0, 3\]; expected indices in \[0, 2\]'),
    (lambda: losses.infogan_categorical_mi(f64(2, 3), mg.tensor([-1, 0])), ValueError,
     r'infogan_categorical_mi: codes range over \[-1, 0\]'),
    (lambda: losses.infogan_categorical_mi(f64(2, 3), [0, 1]), TypeError,
     r'infogan_categorical_mi: codes must be a Tensor'),
    (lambda: losses.infogan_gaussian_mi(f64(4, 2), f64(3), f64(4, 2), 1.0), ValueError,
     r'infogan_gaussian_mi: q_log_std has shape \(3,\); expected a shape that broadcasts to \(4, 2\)'),
    (lambda: losses.infogan_gaussian_mi(f64(4, 2), None, f64(4, 1), 1.0), ValueError,
     r'infogan_gaussian_mi: got q_mean \(4, 2\) and codes \(4, 1\); expected one shape'),
    (lambda: losses.infogan_gaussian_mi(f64(4), None, f64(4), 1.0), ValueError,
     r'infogan_gaussian_mi: q_mean has shape \(4,\); expected \(N, D\)'),
    (lambda: losses.bce_discriminator_loss(f64(3), mg.randn(3)), TypeError,
     r'bce_discriminator_loss: real_logits is float64 .* but fake_logits is float32'),
    (lambda: losses.bce_generator_loss(mg.tensor([1, 2])), TypeError,
     r'bce_generator_loss: fake_logits has dtype int64; expected a floating-point tensor'),
    (lambda: losses.hinge_generator_loss(f64(0)), ValueError, r'hinge_generator_loss: fake is empty'),
    (lambda: losses.lsgan_generator_loss([0.5]), TypeError, r'lsgan_generator_loss: fake_out must be a Tensor'),
    (lambda: losses.wasserstein_critic_loss(f64(3), f64(3), reduction='none'), ValueError,
     r"reduction must be 'mean' or 'sum', got 'none'"),
])
def test_bad_input_is_named_with_its_shapes(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_discriminator_losses_take_real_and_fake_batches_of_different_sizes():
    """E over the real batch plus E over the fake one: the two batches need not match."""
    r, f = f64(5), f64(3, 1)
    expected = np.logaddexp(0, -r.numpy()).mean() + np.logaddexp(0, f.numpy()).mean()
    assert losses.bce_discriminator_loss(r, f).item() == pytest.approx(expected, rel=1e-12)
