# %% [markdown]
# # Lesson 19 · Evaluating GANs
#
# A GAN has no likelihood to report and its losses say who is winning the game, not how good
# the samples are. So we measure the samples. Two questions are always asked, and one number
# rarely answers both: **quality** (does each sample look like real data?) and **coverage**
# (does the set of samples cover everything the data holds, or has the generator collapsed onto
# a few modes?). And a third that is easy to forget: **novelty** (are the samples new, or copies
# of training examples?).
#
# **The Fréchet distance (FID).** Read every image with a network trained on real data (the
# Inception network for ImageNet; for our digits, `minigan.gan.classifier.DigitScorer`) and keep
# its penultimate features: 64 numbers per digit here. Fit a Gaussian N(μ, Σ) to the features of
# the real images and another to those of the samples, and compare the two Gaussians with the
# squared Wasserstein-2 distance, which has a closed form:
#
#     d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2}).
#
# Lower is better, 0 for identical fits. It sees quality (odd samples shift μ and Σ) and
# coverage (a missing class shrinks Σ) at once, which is both its strength and its weakness:
# one number cannot say which went wrong. It is biased upwards for small sample sizes (Σ from N
# samples is noisy), so compare values computed with the same N only; and it sees only the first
# two moments of the features.
#
# The matrix square root: Σ₁Σ₂ is not symmetric, but it has the same eigenvalues as the
# symmetric positive semi-definite M = Σ₁^{1/2} Σ₂ Σ₁^{1/2}, so Tr (Σ₁Σ₂)^{1/2} = Tr M^{1/2}, and the
# square root of a symmetric PSD matrix comes from its eigendecomposition A = V diag(w) Vᵀ:
# A^{1/2} = V diag(√w) Vᵀ.
#
# **Modes and quality on 2-D data** (the protocol of VEEGAN and PacGAN on ring8 and grid25). The
# true modes are known, so count: assign every sample to its nearest mode; it is *high quality*
# if it lies within 3σ of it. Report the number of modes with at least one high-quality sample,
# the fraction of high-quality samples, and the reverse KL divergence KL(p ‖ u) between the
# histogram p of the high-quality samples over the modes and the uniform weights u = 1/K.
#
# **Precision and recall** (Kynkäänniemi et al. 2019) split the FD's one number in two. Around
# every real feature vector draw a ball reaching its k-th nearest real neighbour: their union
# approximates the region the real data occupies. **Precision** is the fraction of samples that
# fall inside the real region (quality); **recall** is the fraction of real points inside the
# samples' region, built the same way (coverage).
#
# **Memorization.** A generator that outputs its training images unchanged has perfect quality
# and coverage, and an FD as good as real data's. Only a look at the nearest training image of
# every sample exposes it.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan.data import digits, mixture, mixture_geometry
from minigan.gan.classifier import DigitScorer
from minigan.gan.metrics import gaussian_frechet_distance, mixture_metrics
from minigan.viz import grid_array
from _checks import called, call, expect, expect_close, expect_equal, rng
from _course import Lesson

lesson = Lesson('19_evaluating_gans', 'Evaluating GANs')

# %% [markdown]
# ## Exercise 1 · a Gaussian fit to features

# %%
@lesson.exercise(hint="mean = features.mean(0); centred = features - mean; cov = centred.T @ centred / "
                      "(N - 1): the unbiased covariance, as np.cov computes it.")
def gaussian_fit(features):
    """(μ, Σ): the mean (F,) and the unbiased covariance (F, F) of ``features`` (N, F), NumPy arrays."""
    raise NotImplementedError("lesson 19, exercise gaussian_fit: replace this line with your answer")


@gaussian_fit.check
def check_gaussian_fit(gaussian_fit):
    x = rng().standard_normal((30, 4)) @ rng().standard_normal((4, 4)) + 3.0
    got = call(gaussian_fit, x)
    expect_equal(len(got), 2, what="the number of results")
    expect_close(got[0], x.mean(0), what='μ', source="np.mean(features, 0)")
    expect_close(got[1], np.cov(x, rowvar=False), what='Σ', source="np.cov(features, rowvar=False)")


# %% [markdown]
# ## Exercise 2 · the square root of a symmetric PSD matrix
#
# `np.linalg.eigh(A)` returns the eigenvalues w (ascending) and the orthonormal eigenvectors as
# the columns of V. A covariance has no negative eigenvalue, but rounding can produce −1e-17:
# count those as 0, or √ gives NaN.

# %%
@lesson.exercise(hint="w, V = np.linalg.eigh(A); return (V * np.sqrt(np.clip(w, 0, None))) @ V.T, which "
                      "is V diag(√w) Vᵀ (multiplying V by a row vector scales its columns).")
def sqrtm_psd(A):
    """S = A^{1/2} for a symmetric positive semi-definite A (F, F): S symmetric PSD, S @ S = A."""
    raise NotImplementedError("lesson 19, exercise sqrtm_psd: replace this line with your answer")


@sqrtm_psd.check
def check_sqrtm_psd(sqrtm_psd):
    r = rng()
    expect_close(call(sqrtm_psd, np.diag([4.0, 9.0, 0.25])), np.diag([2.0, 3.0, 0.5]),
                 source="the square roots of the diagonal")
    X = r.standard_normal((6, 3))
    for A, what in ((X.T @ X, 'a full-rank covariance'), (X @ X.T, 'a rank-3 covariance (6×6)')):
        S = np.asarray(call(sqrtm_psd, A), dtype=np.float64)
        expect_close(S @ S, A, atol=1e-9, what=f'S @ S for {what}', source="A")
        expect_close(S, S.T, atol=1e-9, what=f'S for {what}', source="Sᵀ: the root is symmetric")
        expect(np.linalg.eigvalsh((S + S.T) / 2).min() > -1e-7,
               f"the root of {what} has a negative eigenvalue: take the positive root of each eigenvalue")


# %% [markdown]
# ## Exercise 3 · the Fréchet distance between two Gaussians

# %%
@lesson.exercise(hint="r = sqrtm_psd(cov1); the trace term is np.trace(sqrtm_psd(r @ cov2 @ r)); then "
                      "d² = |mu1 - mu2|² + tr(cov1) + tr(cov2) - 2·that. Return d² (a float), not d.")
def frechet_distance(mu1, cov1, mu2, cov2):
    """d² = ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}, a float.

    mu1, mu2: NumPy arrays (F,); cov1, cov2: (F, F) symmetric PSD.
    """
    raise NotImplementedError("lesson 19, exercise frechet_distance: replace this line with your answer")


@frechet_distance.check
def check_frechet_distance(frechet_distance):
    r = rng()
    mu1, mu2 = r.standard_normal(5), r.standard_normal(5)
    X, Y = r.standard_normal((5, 5)), r.standard_normal((5, 5))
    cov1, cov2 = X @ X.T, Y @ Y.T
    expect_close(call(frechet_distance, np.array([1.0]), np.array([[4.0]]), np.array([3.0]), np.array([[9.0]])),
                 (1 - 3) ** 2 + (2 - 3) ** 2, source="in 1-D: (μ₁ − μ₂)² + (σ₁ − σ₂)²")
    expect_close(call(frechet_distance, mu1, cov1, mu1, cov1), 0.0, atol=1e-6,
                 source="0: a Gaussian is at distance 0 from itself")
    a, b = np.array([1.0, 4.0, 0.5]), np.array([9.0, 1.0, 2.0])
    expect_close(call(frechet_distance, mu1[:3], np.diag(a), mu2[:3], np.diag(b)),
                 ((mu1[:3] - mu2[:3]) ** 2).sum() + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum(),
                 source="diagonal covariances: ‖Δμ‖² + Σ (√aᵢ − √bᵢ)²")
    expect_close(call(frechet_distance, mu1, cov1, mu1, 0.25 * cov1), (1 - 0.5) ** 2 * np.trace(cov1),
                 source="Σ₂ = c²Σ₁ with c = 0.5: (1 − c)² Tr Σ₁")
    expect_close(call(frechet_distance, mu1, cov1, mu2, cov2), gaussian_frechet_distance(mu1, cov1, mu2, cov2),
                 atol=1e-8, source="minigan.gan.metrics.gaussian_frechet_distance (covariances that do not commute)")


# %% [markdown]
# ## Exercise 4 · modes, quality and reverse KL on 2-D data
#
# `centers` (K, 2) are the true modes and `sigma` their standard deviation. Leave low-quality
# samples out of the histogram p, and let an empty mode add 0 to the KL (p log p → 0).

# %%
@lesson.exercise(hint="distances (N, K) = np.linalg.norm(samples[:, None] - centers[None], axis=-1); nearest "
                      "= argmin over K; good = distance to it <= 3 sigma; counts = np.bincount(nearest[good], "
                      "minlength=K); p = counts[counts > 0] / good.sum(); KL = sum p log(p K).")
def mode_statistics(samples, centers, sigma):
    """dict(modes=int, high_quality=float, reverse_kl=float) of samples (N, 2) against the modes.

    high quality: within 3σ of the nearest mode. modes: how many modes have a high-quality
    sample. high_quality: their fraction of all N samples. reverse_kl: KL(p ‖ u) = Σ_k p_k log(p_k K)
    with p the histogram of the high-quality samples over the K modes (assume at least one).
    """
    raise NotImplementedError("lesson 19, exercise mode_statistics: replace this line with your answer")


@mode_statistics.check
def check_mode_statistics(mode_statistics):
    r = rng()
    for name in ('ring8', 'grid25'):
        centers, sigma = mixture_geometry(name)
        K = len(centers)
        sets = {'all in mode 0': np.repeat(centers[:1], 50, 0) + sigma * r.standard_normal((50, 2)),
                'three modes, uneven, and stray points': np.concatenate([
                    np.repeat(centers[[1, 1, 1, 2, 5]], 40, 0) + sigma * r.standard_normal((200, 2)),
                    centers[[3, 4]] + 5 * sigma,                       # near empty modes, beyond 3σ
                    r.uniform(-5, 5, (30, 2))]),
                'the mixture itself': mixture(name, 500).numpy().astype(np.float64)}
        for what, samples in sets.items():
            got = call(mode_statistics, samples, centers, sigma)
            ref = mixture_metrics(samples, name)
            for key in ('modes', 'high_quality', 'reverse_kl'):
                expect_close(got[key], ref[key], what=f"{key} on {name}, {what}",
                             source="minigan.gan.metrics.mixture_metrics")
            if what == 'all in mode 0':
                expect_close(got['reverse_kl'], math.log(K), what=f'reverse_kl on {name}, {what}',
                             source=f"log K = log {K}: everything in one mode")


# %% [markdown]
# ## Exercise 5 · pairwise distances
#
# All N·M Euclidean distances between the rows of a (N, D) and of b (M, D), without a Python
# loop: ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b, one matrix product. Rounding can make a squared distance
# come out as −1e-12: clip at 0 before the root.

# %%
@lesson.exercise(hint="sq = (a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None, :] - 2 * a @ b.T; return "
                      "np.sqrt(np.clip(sq, 0, None)).")
def pairwise_distances(a, b):
    """D (N, M) with D[i, j] = ‖a[i] − b[j]‖, for NumPy arrays a (N, D) and b (M, D)."""
    raise NotImplementedError("lesson 19, exercise pairwise_distances: replace this line with your answer")


@pairwise_distances.check
def check_pairwise_distances(pairwise_distances):
    r = rng()
    a, b = r.standard_normal((7, 5)), r.standard_normal((4, 5))
    got = call(pairwise_distances, a, b)
    looped = np.array([[np.sqrt(((x - y) ** 2).sum()) for y in b] for x in a])
    expect_close(got, looped, atol=1e-9, source="a double loop over the rows")
    got = call(pairwise_distances, a, a)
    expect(np.isfinite(got).all(), "a distance came out as NaN: clip the squared distances at 0 before the root")
    expect_close(np.diag(got), np.zeros(7), atol=1e-6, what='the distance of each row to itself', source="0")


# %% [markdown]
# ## Exercise 6 · precision and recall with k-nearest-neighbour balls
#
# The radius of a point is its distance to its k-th nearest neighbour *in its own set, other
# than itself* (in a row of `pairwise_distances(x, x)` sorted ascending, the first entry is the
# point itself at distance 0, so the k-th neighbour is at index k). A point y is inside a set's
# region when ‖y − xᵢ‖ ≤ radius(xᵢ) for at least one xᵢ of the set.

# %%
@lesson.exercise(hint="radius = np.sort(pairwise_distances(x, x), axis=1)[:, k]; y is covered when "
                      "(pairwise_distances(y, x) <= radius[None, :]).any(1). Precision: fakes covered by "
                      "the reals' balls; recall: reals covered by the fakes' balls.")
def precision_recall(real, fake, k=3):
    """(precision, recall) of ``fake`` (M, D) against ``real`` (N, D), NumPy feature arrays.

    precision: the fraction of fake points inside the real region (balls around each real point
    reaching its k-th nearest real neighbour); recall: the fraction of real points inside the
    fake region, built the same way from the fakes.
    """
    raise NotImplementedError("lesson 19, exercise precision_recall: replace this line with your answer")


def covered_fraction(points, support, k):
    """The share of ``points`` inside the k-NN balls of ``support``, point by point (a reference)."""
    radius = []
    for s in support:
        others = sorted(np.sqrt(((support - s) ** 2).sum(1)))[1:]   # drop s itself
        radius.append(others[k - 1])
    inside = [any(np.sqrt(((p - s) ** 2).sum()) <= rad for s, rad in zip(support, radius)) for p in points]
    return float(np.mean(inside))


@precision_recall.check
def check_precision_recall(precision_recall):
    r = rng()
    left, right = r.standard_normal((40, 2)) - [6, 0], r.standard_normal((40, 2)) + [6, 0]
    real = np.concatenate([left, right])
    cases = {'the real set itself': (real, (1.0, 1.0)),
             'a far-away cluster': (r.standard_normal((40, 2)) + [0, 50], (0.0, 0.0)),
             'one of the two clusters (collapse)': (left + 0.05 * r.standard_normal(left.shape), None),
             'a wider cloud': (r.standard_normal((60, 2)) * [6, 3], None)}
    for what, (fake, closed_form) in cases.items():
        got = call(precision_recall, real, fake, k=3)
        expect_equal(len(got), 2, what="the number of results")
        expected = (covered_fraction(fake, real, 3), covered_fraction(real, fake, 3))
        expect_close(np.array(got, dtype=np.float64), np.array(expected), what=f'(precision, recall) for {what}',
                     source="point by point, k-th nearest other point as the radius")
        if closed_form is not None:
            expect_close(np.array(got, dtype=np.float64), np.array(closed_form),
                         what=f'(precision, recall) for {what}', source="by construction")
    called("precision_recall(real, one of the two clusters): a collapsed generator")
    precision, recall = precision_recall(real, left + 0.05 * r.standard_normal(left.shape))
    expect(precision > 0.9 and recall < 0.6, f"a generator that collapsed onto half the data should score high "
           f"precision and low recall, got precision {precision:.2f}, recall {recall:.2f}")


# %% [markdown]
# ## The demo: one number is not enough
#
# **On digits.** Five stand-ins for a generator, 250 digits each, compared through
# `DigitScorer`'s features with 250 held-out digits: the other 250 held-out digits (real digits
# the scorer was not trained on: the best a generator can do); *a memorizer* that returns
# training digits unchanged; the unseen digits blurred, or with noise added; and *a collapsed*
# generator that only ever draws 1s (the unseen half's, again and again). For each: your FD, your
# precision and recall (k = 3), how many classes the scorer reads (at least 2% of the samples),
# and the median distance from a sample to its nearest *training* image (in pixels, your
# `pairwise_distances`). Look for the memorizer: its FD, precision and recall are as good as real
# data's; only the last column gives it away. And for the collapsed one: its FD against held-out
# *1s* is good, its FD against all digits is terrible, and precision against recall says why.
#
# **On ring8.** Four point sets under your `mode_statistics` and an FD on the raw 2-D points: the
# true mixture, a generator that collapsed onto three modes, one that smears its mass around the
# circle, and a single Gaussian with exactly the ring's mean and covariance. The last two match
# the ring's first two moments, so their FD is about 0, while almost none of their samples is
# of high quality.
#
# Everything here is measurement: a few seconds.

# %%
def spread(images, n):
    """n images spread over the set (the digits are stored class by class)."""
    return images[::images.shape[0] // n][:n]


@lesson.demo
def demo():
    mg.manual_seed(0)
    n = lesson.size(250, quick=60)
    scorer = DigitScorer.load()
    train_x = digits('train').tensors[0]
    test_x, test_y = digits('test').tensors
    reference, unseen = spread(test_x[0::2], n), spread(test_x[1::2], n)   # two halves of the held-out
    reference_ones, unseen_ones = (test_x[i::2][(test_y[i::2] == 1).numpy()] for i in (0, 1))
    generators = {
        'unseen real digits': unseen,
        'memorizer (training copies)': spread(train_x, n),
        'blurred (3×3 average)': F.avg_pool2d(F.pad(unseen, [1, 1, 1, 1], mode='replicate'), 3, stride=1),
        'noisy (+ N(0, 0.3²))': (unseen + 0.3 * mg.randn(*unseen.shape)).clamp(-1, 1),
        'collapsed: only 1s': unseen_ones[mg.randint(0, unseen_ones.shape[0], (n,))],
    }
    real_features = scorer.features(reference).numpy().astype(np.float64)
    ones_features = scorer.features(reference_ones).numpy().astype(np.float64)
    train_pixels = train_x.numpy().reshape(train_x.shape[0], -1).astype(np.float64)
    rows, table = [], []
    for name, images in generators.items():
        features = scorer.features(images).numpy().astype(np.float64)
        fd = frechet_distance(*gaussian_fit(features), *gaussian_fit(real_features))
        precision, recall = precision_recall(real_features, features, k=3)
        counts = scorer.class_counts(images)
        classes = sum(c >= 0.02 * len(images) for c in counts)
        pixels = images.numpy().reshape(images.shape[0], -1).astype(np.float64)
        nearest = np.median(pairwise_distances(pixels, train_pixels).min(1))
        table.append([name, f"{fd:.1f}", f"{precision:.2f}", f"{recall:.2f}", f"{classes}", f"{nearest:.1f}"])
        rows.append(spread(images, 12) if name != 'collapsed: only 1s' else images[:12])
        print(f"  {name:30s} FD {fd:7.1f}  precision {precision:.2f}  recall {recall:.2f}  "
              f"classes {classes:2d}  nearest training image {nearest:5.1f}")
    collapsed = scorer.features(generators['collapsed: only 1s']).numpy().astype(np.float64)
    fd_ones = frechet_distance(*gaussian_fit(collapsed), *gaussian_fit(ones_features))
    print(f"  the collapsed generator against the other held-out 1s alone: FD {fd_ones:.1f}")

    fig = plt.figure(figsize=(13, 6.5), layout='constrained')
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.2, 1])
    ax = top.subplots()
    ax.imshow(grid_array(mg.cat(rows, 0), columns=12), cmap='gray', vmin=0, vmax=1)
    ax.set_yticks([16 + 30 * i for i in range(len(rows))], list(generators))
    ax.set_xticks([])
    ax.set_title('five stand-ins for a generator')
    ax = bottom.subplots()
    ax.axis('off')
    cells = ax.table(cellText=table, colLabels=['generator', 'FD ↓', 'precision ↑', 'recall ↑', 'classes',
                                                'nearest training\nimage (pixels)'], loc='center')
    cells.auto_set_font_size(False)
    cells.set_fontsize(10)
    cells.auto_set_column_width(list(range(6)))
    cells.scale(1, 1.5)
    ax.set_title(f"{n} samples each, against {n} other held-out digits; the collapsed generator scores "
                 f"FD {fd_ones:.1f} against the held-out 1s alone")
    lesson.save(fig, 'one_number_is_not_enough.png')

    centers, sigma = mixture_geometry('ring8')
    truth = mixture('ring8', 2500).numpy().astype(np.float64)          # the reference of the FDs
    angles = np.random.default_rng(0).uniform(0, 2 * np.pi, 2500)
    point_sets = {
        'the mixture (another draw)': mixture('ring8', 2500).numpy().astype(np.float64),
        'collapsed onto 3 modes': centers[np.random.default_rng(1).integers(0, 3, 2500)]
        + sigma * np.random.default_rng(2).standard_normal((2500, 2)),
        'smeared around the circle': np.stack([np.cos(angles), np.sin(angles)], 1)
        + 0.05 * np.random.default_rng(3).standard_normal((2500, 2)),
        "one Gaussian, the ring's μ and Σ": np.random.default_rng(4).multivariate_normal(
            *gaussian_fit(truth), 2500),
    }
    fig, axes = plt.subplots(1, 4, figsize=(15, 4.2), layout='constrained')
    for ax, (name, points) in zip(axes, point_sets.items()):
        stats = mode_statistics(points, centers, sigma)
        fd = frechet_distance(*gaussian_fit(points), *gaussian_fit(truth))
        ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4)
        ax.scatter(centers[:, 0], centers[:, 1], marker='+', color='tab:red', s=60)
        ax.set(xlim=(-2, 2), ylim=(-2, 2), aspect='equal')
        ax.set_title(f"{name}\nmodes {stats['modes']}/8, high quality {stats['high_quality']:.0%}\n"
                     f"reverse KL {stats['reverse_kl']:.2f}, FD {fd:.3f}", fontsize=9)
    lesson.save(fig, 'ring8_metrics.png')


# %%
if __name__ == '__main__':
    lesson.main()
