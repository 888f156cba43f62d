"""How good is a trained GAN? Numbers that can be computed from its samples.

2-D mixtures (ring8, grid25), the protocol of PacGAN's synthetic experiments (Lin et al. 2018,
after VEEGAN, Srivastava et al. 2017), on 2,500 samples:

    each sample is assigned to its nearest mode μ_k; it is *high quality* when ‖x − μ_k‖ <= 3σ
    modes           the number of modes with at least one high-quality sample
    high_quality    the fraction of all samples that are high quality
    reverse_kl      KL(p ‖ u) = Σ_k p_k log(p_k K) = log K − H(p), where p_k is the share of the
                    high-quality samples that fall in mode k and u = 1/K the true mode weights
                    ("reverse": the model's distribution comes first). Low-quality samples are
                    left out of p, as PacGAN's evaluation code histograms only high-quality
                    ones; an empty mode adds 0 (p log p -> 0 as p -> 0). All in one mode gives
                    log K (2.08 for ring8, 3.22 for grid25); a perfectly even spread gives 0.

For an exact sample of the mixture, a sample lies within 3σ of its mode with probability
P(χ²₂ <= 9) = 1 − e^{−9/2} = 98.9%: that is the ceiling of ``high_quality``, not 100%.

Digits: a classifier trained on the real digits (minigan.gan.classifier.DigitScorer) reads the
samples; this module holds the math it uses:

    Fréchet distance   between Gaussians fit to two sets of features (the FID's formula):
                       d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2})
    code_accuracy      InfoGAN's categorical code against the digit labels, after the best
                       one-to-one matching of code values to labels (Hungarian algorithm)

Image translation (CycleGAN, Pix2Pix): mean absolute error on held-out images, to the paired
target (``held_out_l1``) and after a round trip (``cycle_l1``).

Everything here is computed on the host in float64: these are small matrices (2,500 x 25
distances, 64 x 64 covariances), and the sums of many float32 numbers would lose digits.
"""
import math

from .. import backend
from ..data.mixtures import mixture_geometry
from ..tensor import Tensor, no_grad
from .assignment import linear_sum_assignment

HIGH_QUALITY_SIGMAS = 3.0  # PacGAN and VEEGAN: within 3σ of the nearest mode


def _host64(values, what, op):
    """A float64 host array of ``values`` (a Tensor, an array, or a list)."""
    array = values.array if isinstance(values, Tensor) else backend.asarray(values)
    if not (backend.is_floating(array.dtype) or array.dtype.kind in 'iu'):
        raise TypeError(f"{op}: {what} should be numbers, got dtype {array.dtype}")
    return backend.to_numpy(array).astype(backend.float64)


# ----------------------------------------------------------------------------- 2-D mixtures
def mode_histogram(samples, name):
    """(counts, n): counts[k] = the high-quality samples nearest mode k (K,), n = all samples.

    samples: (N, 2) Tensor or array; name: a mixture of minigan.data.mixtures ('ring8',
    'grid25'). NaN samples (a diverged generator) are never high quality.
    """
    x = _host64(samples, 'samples', 'mixture_metrics')
    if x.ndim != 2 or x.shape[1] != 2 or x.shape[0] == 0:
        raise ValueError(f"mixture_metrics: expected samples of shape (N, 2) with N >= 1, got {x.shape}")
    centres, sigma = mixture_geometry(name)
    xp = backend.xp_of(x)
    distance = xp.sqrt(((x[:, None, :] - centres[None, :, :]) ** 2).sum(-1))  # (N, K)
    nearest = xp.argmin(xp.nan_to_num(distance, nan=xp.inf), axis=1)
    good = distance[xp.arange(len(x)), nearest] <= HIGH_QUALITY_SIGMAS * sigma  # NaN -> False
    return xp.bincount(nearest[good], minlength=len(centres)), len(x)


def mixture_metrics(samples, name):
    """dict(modes=int, high_quality=float in [0, 1], reverse_kl=float) of ``samples`` (N, 2) of
    the mixture ``name`` (see the module docstring; the protocol draws N = 2,500).

    reverse_kl is NaN when no sample is high quality: there is then no histogram to compare.
    """
    counts, n = mode_histogram(samples, name)
    good = int(counts.sum())
    p = counts[counts > 0] / max(good, 1)
    xp = backend.xp_of(p)
    reverse_kl = float((p * xp.log(p * len(counts))).sum()) if good else math.nan
    return dict(modes=int((counts > 0).sum()), high_quality=good / n, reverse_kl=reverse_kl)


# ----------------------------------------------------------------------------- Fréchet distance
def gaussian_fit(features):
    """(mean (F,), covariance (F, F)) of ``features`` (N, F), float64; the covariance is the
    unbiased one (divided by N − 1), as numpy.cov and the FID's reference code compute it."""
    x = _host64(features, 'features', 'gaussian_fit')
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"gaussian_fit: expected features of shape (N, F) with N >= 2, got {x.shape}")
    mean = x.mean(axis=0)
    centred = x - mean
    return mean, centred.T @ centred / (x.shape[0] - 1)


def _psd_sqrt(matrix):
    """The symmetric square root of a symmetric positive semi-definite matrix: V diag(√w) Vᵀ.
    Eigenvalues below zero can only be rounding (a covariance is PSD): they count as 0."""
    xp = backend.xp_of(matrix)
    w, v = xp.linalg.eigh(matrix)
    return (v * xp.sqrt(xp.clip(w, 0, None))) @ v.T


def gaussian_frechet_distance(mean1, cov1, mean2, cov2):
    """d² = ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr (Σ₁ Σ₂)^{1/2}, the squared 2-Wasserstein distance
    between N(μ₁, Σ₁) and N(μ₂, Σ₂), in float64.

    Σ₁ Σ₂ is not symmetric, but it has the eigenvalues of the symmetric PSD matrix
    M = Σ₁^{1/2} Σ₂ Σ₁^{1/2} (AB and BA share their eigenvalues; take A = Σ₁^{1/2},
    B = Σ₁^{1/2} Σ₂), so Tr (Σ₁ Σ₂)^{1/2} = Σ_i √λ_i(M): two symmetric eigendecompositions and
    no general matrix square root (which is where scipy.linalg.sqrtm returns complex rounding).
    Rounding: an eigenvalue of M that should be 0 comes out as ±ε and adds up to √ε to the
    trace, so d² of identical rank-deficient covariances is 0 only to about 1e-6 (F = 64).
    """
    mean1, mean2 = (_host64(m, 'a mean', 'frechet_distance') for m in (mean1, mean2))
    cov1, cov2 = (_host64(c, 'a covariance', 'frechet_distance') for c in (cov1, cov2))
    f = mean1.shape[0] if mean1.ndim == 1 else None
    if mean1.shape != (f,) or mean2.shape != (f,) or cov1.shape != (f, f) or cov2.shape != (f, f):
        raise ValueError(f"frechet_distance: expected means (F,) and covariances (F, F) of one F, got "
                         f"{mean1.shape}, {cov1.shape}, {mean2.shape}, {cov2.shape}")
    xp = backend.xp_of(cov1)
    root1 = _psd_sqrt(cov1)
    middle = root1 @ cov2 @ root1
    eigenvalues = xp.linalg.eigvalsh((middle + middle.T) / 2)  # symmetric up to rounding
    trace_sqrt = xp.sqrt(xp.clip(eigenvalues, 0, None)).sum()
    diff = mean1 - mean2
    return float(diff @ diff + xp.trace(cov1) + xp.trace(cov2) - 2 * trace_sqrt)


def frechet_distance(features1, features2):
    """The Fréchet distance between Gaussians fit to two sets of features (N1, F) and (N2, F).

    With the Inception network's features this is the FID; with DigitScorer's, our digits' FD.
    It is biased upwards for small N (the covariance of a finite sample is noisy): compare
    numbers computed on the same numbers of samples only.
    """
    return gaussian_frechet_distance(*gaussian_fit(features1), *gaussian_fit(features2))


# ----------------------------------------------------------------------------- InfoGAN's code
def code_accuracy(codes, labels):
    """Fraction of samples whose categorical code value, renamed by the best one-to-one map
    from code values to labels, equals the label.

    codes, labels: (N,) integers (Tensors or arrays) -- e.g. the code each sample was generated
    from, and the class a digit classifier reads in it. Build the contingency table
    T[c, l] = #{i: codes_i = c, labels_i = l} and choose the map σ maximizing Σ_c T[c, σ(c)]
    (linear_sum_assignment); the accuracy is that sum over N. A permuted labelling scores 1.
    """
    c, y = (_host64(v, what, 'code_accuracy') for v, what in ((codes, 'codes'), (labels, 'labels')))
    if c.ndim != 1 or c.shape != y.shape or c.size == 0:
        raise ValueError(f"code_accuracy: expected codes and labels of one shape (N,), N >= 1, got "
                         f"{c.shape} and {y.shape}")
    if (c < 0).any() or (y < 0).any() or (c % 1).any() or (y % 1).any():
        raise ValueError("code_accuracy: codes and labels should be non-negative integers")
    c, y = c.astype(backend.int64), y.astype(backend.int64)
    xp = backend.xp_of(c)
    table = xp.zeros((int(c.max()) + 1, int(y.max()) + 1), dtype=backend.int64)
    xp.add.at(table, (c, y), 1)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return float(table[rows, cols].sum()) / c.size


# ----------------------------------------------------------------------------- image translation
def _batched_mean_abs(difference, images, batch_size):
    """Mean over all elements of |difference(batch)| over ``images`` in batches, no graph."""
    if not isinstance(images, Tensor) or images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(f"held-out L1: expected images as a Tensor (N, C, H, W) with N >= 1, got "
                         f"{type(images).__name__} of shape {getattr(images, 'shape', None)}")
    total, count = 0.0, 0
    with no_grad():
        for start in range(0, images.shape[0], batch_size):
            error = difference(start, start + batch_size)
            total += float(backend.to_numpy(error.abs().array).astype(backend.float64).sum())
            count += error.numel()
    return total / count


def held_out_l1(translate, inputs, targets, batch_size=100):
    """mean |translate(x) − y| over held-out pairs (x, y) (Pix2Pix's L1 to the paired target).

    translate: a callable (generator) Tensor (B, C, H, W) -> Tensor of the targets' shape;
    inputs, targets: Tensors (N, C, H, W). Runs without a graph, in batches of ``batch_size``.
    The caller chooses train / eval mode (Pix2Pix keeps dropout on at test time).
    """
    if not isinstance(targets, Tensor) or targets.shape[0] != getattr(inputs, 'shape', (None,))[0]:
        raise ValueError("held_out_l1: expected inputs and targets as Tensors with one row per pair")

    def error(i, j):
        fake, real = translate(Tensor(inputs.array[i:j])), Tensor(targets.array[i:j])
        if fake.shape != real.shape:
            raise ValueError(f"held_out_l1: translate gave shape {fake.shape}, the targets are {real.shape}")
        return fake - real
    return _batched_mean_abs(error, inputs, batch_size)


def cycle_l1(forward, backward, images, batch_size=100):
    """mean |backward(forward(x)) − x| over held-out ``images`` (CycleGAN's cycle error, e.g.
    forward = G: A -> B and backward = F: B -> A on images of A)."""
    def error(i, j):
        x = Tensor(images.array[i:j])
        round_trip = backward(forward(x))
        if round_trip.shape != x.shape:
            raise ValueError(f"cycle_l1: the round trip gave shape {round_trip.shape}, expected {x.shape}")
        return round_trip - x
    return _batched_mean_abs(error, images, batch_size)
