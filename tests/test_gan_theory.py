"""The theory behind the losses, checked on the losses themselves.

Distributions on a few discrete points x_1..x_K stand in for p_data and p_model. A batch mean is
an expectation under the batch's empirical distribution, so a real batch that holds x_i n_i times
(p_data(x_i) = n_i / Σn) makes ``loss(D(real_batch), D(fake_batch))`` *exactly* the expectation
under p_data and p_model; D is a free parameter per point (a logit, or an output for LSGAN).
"""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigan as mg
from minigan import losses

# two distributions on K points, as positive integer counts (rational probabilities)
counts = st.integers(2, 5).flatmap(lambda k: st.tuples(
    st.lists(st.integers(1, 20), min_size=k, max_size=k),
    st.lists(st.integers(1, 20), min_size=k, max_size=k)))


def batches(n_data, n_model):
    """Point indices of a real and a fake batch, and the distributions they realize."""
    real = np.repeat(np.arange(len(n_data)), n_data)
    fake = np.repeat(np.arange(len(n_model)), n_model)
    p_data, p_model = np.array(n_data) / sum(n_data), np.array(n_model) / sum(n_model)
    return mg.tensor(real), mg.tensor(fake), p_data, p_model


def js_divergence(p, q):
    m = (p + q) / 2
    return 0.5 * np.sum(p * np.log(p / m)) + 0.5 * np.sum(q * np.log(q / m))


def descend(loss_of, start, weight, steps, lr):
    """Gradient descent with minigan's autograd. Each point's step is divided by its weight
    p_data + p_model in the loss (a diagonal preconditioner: same fixed point), so rare points
    converge as fast as common ones."""
    d = mg.tensor(start, dtype=mg.float64, requires_grad=True)
    step = mg.tensor(lr / weight, dtype=mg.float64)
    for _ in range(steps):
        (g,) = mg.grad(loss_of(d), d)
        with mg.no_grad():
            d.copy_(d - g * step)
    return d.detach().numpy()


@given(counts)
def test_bce_optimal_discriminator_and_the_jensen_shannon_value(n):
    """D* = p_data / (p_data + p_model) minimizes the BCE loss, and there the minimax value
    V(D*, G) = E_data log D* + E_model log(1 − D*) = 2·JS(p_data ‖ p_model) − log 4."""
    real, fake, p_data, p_model = batches(*n)

    def loss_of(logits):
        return losses.bce_discriminator_loss(logits[real], logits[fake])

    # the batch loss is the weighted expectation, written out independently
    a = np.random.default_rng(0).normal(size=len(p_data))
    explicit = np.sum(p_data * np.logaddexp(0, -a) + p_model * np.logaddexp(0, a))
    assert loss_of(mg.tensor(a, dtype=mg.float64)).item() == pytest.approx(explicit, rel=1e-12)

    d_star = p_data / (p_data + p_model)
    logit_star = mg.tensor(np.log(p_data / p_model), requires_grad=True, dtype=mg.float64)
    value = loss_of(logit_star)
    (g,) = mg.grad(value, logit_star)
    np.testing.assert_allclose(g.numpy(), 0, atol=1e-13, err_msg="D* is a stationary point")
    assert -value.item() == pytest.approx(2 * js_divergence(p_data, p_model) - math.log(4), rel=1e-10, abs=1e-13)

    logits = descend(loss_of, np.zeros(len(p_data)), p_data + p_model, steps=150, lr=4.0)
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), d_star, atol=1e-9,
                               err_msg="gradient descent finds D*")


@given(counts)
def test_lsgan_optimal_discriminator(n):
    """½E_data[(D − 1)²] + ½E_model[D²] is minimized by D* = p_data / (p_data + p_model), where it
    equals ½ Σ p_data p_model / (p_data + p_model)."""
    real, fake, p_data, p_model = batches(*n)

    def loss_of(d):
        return losses.lsgan_discriminator_loss(d[real], d[fake])

    d_star = p_data / (p_data + p_model)
    at_star = mg.tensor(d_star, requires_grad=True, dtype=mg.float64)
    value = loss_of(at_star)
    (g,) = mg.grad(value, at_star)
    np.testing.assert_allclose(g.numpy(), 0, atol=1e-14)
    assert value.item() == pytest.approx(0.5 * np.sum(p_data * p_model / (p_data + p_model)), rel=1e-12)

    d = descend(loss_of, np.zeros(len(p_data)), p_data + p_model, steps=45, lr=0.5)
    np.testing.assert_allclose(d, d_star, atol=1e-12)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@given(f=st.floats(-40.0, -3.0), n=st.integers(1, 4))
def test_saturating_generator_gradient_vanishes_as_d_rejects_the_fakes(f, n, dtype):
    """Per sample, d/df log(1 − σ(f)) = −σ(f) and d/df −log σ(f) = −σ(−f): their ratio is e^f,
    so as D(G(z)) = σ(f) → 0 the saturating gradient vanishes and the non-saturating one → −1."""
    fake = mg.full((n,), f, dtype=dtype, requires_grad=True)
    (g_sat,) = mg.grad(losses.bce_generator_loss(fake, saturating=True), fake)
    (g_ns,) = mg.grad(losses.bce_generator_loss(fake), fake)
    g_sat, g_ns = g_sat.numpy() * n, g_ns.numpy() * n  # undo the batch mean
    rtol = 1e-5 if dtype == 'float32' else 1e-12
    np.testing.assert_allclose(g_sat / g_ns, math.exp(f), rtol=rtol)
    assert np.all(np.abs(g_sat) <= 1.001 * math.exp(f))
    np.testing.assert_allclose(g_ns, -1, atol=math.exp(f) + 1e-7)


def test_the_saturating_gradient_dies_while_the_non_saturating_one_holds():
    f = mg.tensor([-2.0, -5.0, -10.0, -20.0, -40.0], dtype=mg.float64, requires_grad=True)
    (g_sat,) = mg.grad(losses.bce_generator_loss(f, saturating=True, reduction='sum'), f)
    (g_ns,) = mg.grad(losses.bce_generator_loss(f, reduction='sum'), f)
    assert np.all(np.diff(np.abs(g_sat.numpy())) < 0) and abs(g_sat.numpy()[-1]) < 1e-17
    assert np.all(np.abs(g_ns.numpy()) > 0.88)


@given(n=st.integers(1, 6), k=st.integers(2, 6), seed=st.integers(0, 2 ** 31), scale=st.floats(0.1, 30))
def test_infogan_categorical_bound_is_at_most_log_k(n, k, seed, scale):
    rng = np.random.default_rng(seed)
    q = mg.tensor(scale * rng.normal(size=(n, k)), dtype=mg.float64)
    codes = mg.tensor(rng.integers(0, k, n))
    assert losses.infogan_categorical_mi(q, codes).item() <= math.log(k) + 1e-15


@pytest.mark.parametrize('k', [2, 3, 10])
def test_infogan_categorical_bound_reaches_log_k_for_a_perfect_q(k):
    """Q with logit s on the true code: log Q(c | x) = −log(1 + (K − 1) e^−s), so
    L_I = log K − log(1 + (K − 1) e^−s) rises to log K, the code's entropy, as s → ∞."""
    codes = mg.tensor(np.arange(7) % k)
    one_hot = np.eye(k)[np.arange(7) % k]
    gaps = []
    for s in [1.0, 5.0, 10.0, 20.0, 40.0, 1e4]:
        mi = losses.infogan_categorical_mi(mg.tensor(s * one_hot, dtype=mg.float64), codes).item()
        gap = math.log(k) - mi
        assert gap == pytest.approx(math.log1p((k - 1) * math.exp(-s)), rel=1e-6, abs=1e-15)
        gaps.append(gap)
    assert all(a > b for a, b in zip(gaps[:-2], gaps[1:-1])) and gaps[-1] == 0.0


def test_infogan_gaussian_bound_is_log_density_plus_entropy():
    """With σ = 1 and Q's mean on the code, L_I = H(c) − D/2·log 2π: the best a unit-σ Q can do;
    each unit of squared error costs ½ (−L_I is half the squared error, plus constants)."""
    codes = mg.tensor(np.random.default_rng(3).uniform(-1, 1, (5, 2)), dtype=mg.float64)
    h = 2 * math.log(2)  # two U(−1, 1) codes
    exact = losses.infogan_gaussian_mi(codes, None, codes, h).item()
    assert exact == pytest.approx(h - math.log(2 * math.pi), rel=1e-14)
    off = losses.infogan_gaussian_mi(codes + 1.0, mg.zeros(5, 2, dtype=mg.float64), codes, h).item()
    assert off == pytest.approx(exact - 0.5 * 2, rel=1e-14)  # per sample: ½ · (1² + 1²)


@given(seed=st.integers(0, 2 ** 31), shape=st.sampled_from([(3,), (2, 3), (2, 1, 3, 3)]))
def test_cycle_and_identity_losses_vanish_for_identity_maps(seed, shape):
    x = mg.tensor(np.random.default_rng(seed).normal(size=shape), dtype=mg.float64, requires_grad=True)

    def g(v):  # X -> Y and back: an invertible pair of maps
        return 2.0 * v + 1.0

    def f(v):
        return (v - 1.0) / 2.0

    assert losses.cycle_consistency_loss(x, f(g(x))).item() == pytest.approx(0, abs=1e-15)
    same = losses.identity_loss(x, x * 1.0)
    assert same.item() == 0.0
    (grad,) = mg.grad(same, x)  # at the minimum |0|' = 0: nothing to move
    assert np.all(grad.numpy() == 0)
    shifted = losses.cycle_consistency_loss(x, x + 0.25).item()
    assert shifted == pytest.approx(0.25, rel=1e-14)


def test_wasserstein_critic_loss_with_a_1_lipschitz_critic_is_minus_w1_for_a_shift():
    """For p_model = p_data shifted by δ, W1 = |δ|, attained by the 1-Lipschitz critic f(x) = −x."""
    x = np.random.default_rng(5).normal(size=50)
    real, fake = mg.tensor(-x, dtype=mg.float64), mg.tensor(-(x + 0.7), dtype=mg.float64)
    assert losses.wasserstein_critic_loss(real, fake).item() == pytest.approx(-0.7, rel=1e-12)
