"""GAN metrics on constructed samples whose answers are known in closed form."""
import itertools
import math

import numpy as np
import pytest

import minigan as mg
from minigan.data.mixtures import MIXTURES, mixture
from minigan.gan.assignment import linear_sum_assignment
from minigan.gan.metrics import (code_accuracy, cycle_l1, frechet_distance, gaussian_fit,
                                 gaussian_frechet_distance, held_out_l1, mixture_metrics,
                                 mode_histogram)

P_WITHIN_3_SIGMA = 1 - math.exp(-4.5)  # P(chi2 with 2 dof <= 9): 98.89%


def exact_mixture(name, n, seed):
    """Samples of the mixture drawn here with NumPy, independently of minigan's sampler."""
    centres, sigma = MIXTURES[name]
    rng = np.random.default_rng(seed)
    return np.asarray(centres)[rng.integers(0, len(centres), n)] + sigma * rng.standard_normal((n, 2))


# ----------------------------------------------------------------------------- mixtures
@pytest.mark.parametrize('name, k', [('ring8', 8), ('grid25', 25)])
def test_an_exact_sample_has_every_mode_the_3_sigma_fraction_and_no_divergence(name, k):
    result = mixture_metrics(exact_mixture(name, 2500, seed=k), name)
    assert result['modes'] == k
    assert abs(result['high_quality'] - P_WITHIN_3_SIGMA) < 0.01  # 4.7 standard errors at N = 2,500
    assert 0 <= result['reverse_kl'] < 0.02  # multinomial noise alone: about (K - 1) / 2N <= 0.005


@pytest.mark.parametrize('name, k', [('ring8', 8), ('grid25', 25)])
def test_a_collapsed_generator_has_one_mode_and_reverse_kl_log_k(name, k):
    centres, sigma = MIXTURES[name]
    samples = np.asarray(centres[3]) + 0.5 * sigma * np.random.default_rng(0).standard_normal((2500, 2))
    result = mixture_metrics(samples, name)
    assert result['modes'] == 1
    assert result['reverse_kl'] == pytest.approx(math.log(k), abs=1e-12)
    assert result['high_quality'] > 0.98  # within 6 of its own standard deviations: all but 1e-8


def test_samples_far_from_every_mode_are_never_high_quality():
    result = mixture_metrics(np.full((2500, 2), 10.0), 'grid25')
    assert result['modes'] == 0 and result['high_quality'] == 0.0
    assert math.isnan(result['reverse_kl'])  # no high-quality sample: no histogram to compare


def test_a_hand_made_histogram():
    centres, sigma = MIXTURES['ring8']
    # 2 samples at mode 0, 1 at mode 1, 1 at mode 2 (2 sigma off), 1 just past 3 sigma of mode 4, 1 NaN
    samples = [centres[0], centres[0], centres[1], (centres[2][0] + 2 * sigma, centres[2][1]),
               (centres[4][0] - 3.01 * sigma, centres[4][1]), (math.nan, 0.0)]
    counts, n = mode_histogram(samples, 'ring8')
    assert counts.tolist() == [2, 1, 1, 0, 0, 0, 0, 0] and n == 6
    result = mixture_metrics(samples, 'ring8')
    p = np.array([0.5, 0.25, 0.25])
    assert result == dict(modes=3, high_quality=4 / 6, reverse_kl=pytest.approx((p * np.log(p * 8)).sum()))


def test_the_3_sigma_boundary():
    (centre, *_), sigma = MIXTURES['grid25']
    inside = mixture_metrics([(centre[0], centre[1] + 2.999 * sigma)], 'grid25')
    outside = mixture_metrics([(centre[0], centre[1] + 3.001 * sigma)], 'grid25')
    assert inside['high_quality'] == 1.0 and outside['high_quality'] == 0.0


def test_minigan_mixture_sampler_is_seeded_and_scores_like_an_exact_sample(device):
    mg.manual_seed(7)
    a = mixture('grid25', 2500, device=device)
    mg.manual_seed(7)
    b = mixture('grid25', 2500, device=device)
    assert a.shape == (2500, 2) and a.dtype == mg.float32 and a.device == device
    np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    result = mixture_metrics(a, 'grid25')  # a Tensor, on either device
    assert result['modes'] == 25 and abs(result['high_quality'] - P_WITHIN_3_SIGMA) < 0.01


@pytest.mark.parametrize('bad, match', [
    (np.zeros((10, 3)), r"shape \(N, 2\)"), (np.zeros((0, 2)), r"shape \(N, 2\)"),
    (np.array([['a', 'b']]), 'should be numbers')])
def test_mixture_metrics_refuses_bad_samples(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        mixture_metrics(bad, 'ring8')


def test_unknown_mixture_names_the_known_ones():
    with pytest.raises(ValueError, match="ring8"):
        mixture_metrics(np.zeros((4, 2)), 'ring9')
    with pytest.raises(ValueError, match="grid25"):
        mixture('spiral', 10)


# ----------------------------------------------------------------------------- Fréchet distance
def test_frechet_distance_of_diagonal_gaussians_is_the_closed_form():
    m1, m2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    v1, v2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    expected = ((m1 - m2) ** 2).sum() + ((np.sqrt(v1) - np.sqrt(v2)) ** 2).sum()
    assert gaussian_frechet_distance(m1, np.diag(v1), m2, np.diag(v2)) == pytest.approx(expected, rel=1e-12)


def test_frechet_distance_of_non_commuting_2x2_covariances_is_the_closed_form():
    # For 2 x 2 matrices, Tr A^{1/2} = sqrt(Tr A + 2 sqrt(det A)) (the two eigenvalues' roots
    # summed); with A = S1 S2, det A = det S1 det S2. S1 and S2 do not commute.
    s1, s2 = np.array([[2.0, 0.8], [0.8, 1.0]]), np.array([[1.0, -0.6], [-0.6, 3.0]])
    assert not np.allclose(s1 @ s2, s2 @ s1)
    trace_sqrt = math.sqrt(np.trace(s1 @ s2) + 2 * math.sqrt(np.linalg.det(s1) * np.linalg.det(s2)))
    mean1, mean2 = np.array([0.5, -1.0]), np.array([0.0, 1.0])
    expected = 0.25 + 4.0 + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt
    assert gaussian_frechet_distance(mean1, s1, mean2, s2) == pytest.approx(expected, rel=1e-12)


def test_frechet_distance_of_samples_identical_reordered_symmetric_and_near_the_truth():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4000, 4)) @ np.diag([1.0, 2.0, 0.5, 1.0])
    b = rng.standard_normal((4000, 4)) + np.array([1.0, 0.0, 0.0, 0.0])
    assert abs(frechet_distance(a, a)) < 1e-10
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(a[rng.permutation(4000)], b), rel=1e-10)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-10)
    truth = 1.0 + (2.0 - 1.0) ** 2 + (0.5 - 1.0) ** 2  # means, then the standard deviations
    assert frechet_distance(a, b) == pytest.approx(truth, abs=0.1)


def test_gaussian_fit_matches_numpy_and_a_singular_covariance_is_fine(device):
    x = np.random.default_rng(1).standard_normal((50, 3))
    x[:, 2] = 1.0  # a dead feature: covariance of rank 2
    mean, cov = gaussian_fit(mg.tensor(x, device=device))
    np.testing.assert_allclose(mean, x.mean(0))
    np.testing.assert_allclose(cov, np.cov(x, rowvar=False), atol=1e-15)
    assert abs(frechet_distance(x, x)) < 1e-10 and math.isfinite(frechet_distance(x, x + 1))


def test_frechet_distance_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="one F"):
        gaussian_frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="N >= 2"):
        frechet_distance(np.zeros((1, 4)), np.zeros((5, 4)))


# ----------------------------------------------------------------------------- assignment
def brute_force_best(cost, maximize):
    n, m = cost.shape
    totals = ([cost[range(n), list(cols)].sum() for cols in itertools.permutations(range(m), n)] if n <= m
              else [cost[list(rows), range(m)].sum() for rows in itertools.permutations(range(n), m)])
    return max(totals) if maximize else min(totals)


@pytest.mark.parametrize('maximize', [False, True])
def test_hungarian_matches_brute_force_on_small_random_matrices(maximize):
    rng = np.random.default_rng(42)
    for trial in range(150):
        n, m = rng.integers(1, 6, size=2)
        # integer costs with many ties half of the time, continuous ones otherwise
        cost = rng.integers(0, 4, (n, m)).astype(float) if trial % 2 else rng.normal(size=(n, m))
        rows, cols = linear_sum_assignment(cost, maximize=maximize)
        assert len(rows) == min(n, m) and list(rows) == sorted(rows)
        assert len(set(rows.tolist())) == len(rows) and len(set(cols.tolist())) == len(cols)
        assert cost[rows, cols].sum() == pytest.approx(brute_force_best(cost, maximize)), cost


def test_hungarian_refuses_nan_and_non_matrices():
    with pytest.raises(ValueError, match="NaN"):
        linear_sum_assignment([[1.0, math.nan]])
    with pytest.raises(ValueError, match="2-D"):
        linear_sum_assignment([1.0, 2.0])


# ----------------------------------------------------------------------------- InfoGAN's code
def test_a_permuted_labelling_has_code_accuracy_one():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 10, 1000)
    renaming = rng.permutation(10)
    assert code_accuracy(renaming[labels], labels) == 1.0
    assert code_accuracy(mg.tensor(renaming[labels]), mg.tensor(labels)) == 1.0


def test_code_accuracy_counts_the_best_matching():
    # code 0 is mostly label 1, code 1 mostly label 0: 4 + 3 of 9 agree after renaming
    codes = [0, 0, 0, 0, 0, 1, 1, 1, 1]
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 1]
    assert code_accuracy(codes, labels) == pytest.approx(7 / 9)
    # one code value for everything: at most the largest class is right
    assert code_accuracy([0] * 10, list(range(10))) == pytest.approx(0.1)


def test_code_accuracy_refuses_bad_input():
    with pytest.raises(ValueError, match="one shape"):
        code_accuracy([0, 1], [0, 1, 2])
    with pytest.raises(ValueError, match="non-negative integers"):
        code_accuracy([0.5, 1], [0, 1])


# ----------------------------------------------------------------------------- translation
def test_held_out_l1_and_cycle_l1_are_mean_absolute_errors(device):
    x = mg.randn(7, 1, 4, 4, device=device)
    assert held_out_l1(lambda a: a, x, x, batch_size=3) == 0.0
    assert held_out_l1(lambda a: a + 0.5, x, x, batch_size=3) == pytest.approx(0.5, rel=1e-6)
    y = mg.zeros(7, 1, 4, 4, device=device)
    assert held_out_l1(lambda a: a, x, y, batch_size=2) == pytest.approx(float(x.abs().mean()), rel=1e-6)
    assert cycle_l1(lambda a: 2 * a, lambda b: b / 2, x) == pytest.approx(0.0, abs=1e-7)
    assert cycle_l1(lambda a: 2 * a, lambda b: b / 2 - 0.25, x, batch_size=4) == pytest.approx(0.25, rel=1e-6)


def test_held_out_l1_refuses_a_shape_mismatch():
    x = mg.zeros(3, 1, 4, 4)
    with pytest.raises(ValueError, match="translate gave shape"):
        held_out_l1(lambda a: a[:, :, :2], x, x)
    with pytest.raises(ValueError, match="Tensor"):
        cycle_l1(lambda a: a, lambda a: a, np.zeros((3, 1, 4, 4)))
