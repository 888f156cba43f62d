"""Worked answers to lesson 19, and the plausible wrong answers each check must reject."""
import numpy as np

from _course import WrongAnswers

wrong = WrongAnswers()


def gaussian_fit(features):
    mean = features.mean(0)
    centred = features - mean
    return mean, centred.T @ centred / (features.shape[0] - 1)


@wrong('gaussian_fit', "the biased covariance (divided by N)")
def _(features):
    mean = features.mean(0)
    centred = features - mean
    return mean, centred.T @ centred / features.shape[0]


@wrong('gaussian_fit', "forgets to centre: the second moment, not the covariance")
def _(features):
    return features.mean(0), features.T @ features / (features.shape[0] - 1)


def sqrtm_psd(A):
    w, V = np.linalg.eigh(A)
    return (V * np.sqrt(np.clip(w, 0, None))) @ V.T


@wrong('sqrtm_psd', "the square root of every entry")
def _(A):
    return np.sqrt(np.abs(A))


@wrong('sqrtm_psd', "V diag(√w) without the Vᵀ")
def _(A):
    w, V = np.linalg.eigh(A)
    return V * np.sqrt(np.clip(w, 0, None))


@wrong('sqrtm_psd', "no clipping: √ of a rounding-negative eigenvalue is NaN")
def _(A):
    w, V = np.linalg.eigh(A)
    with np.errstate(invalid='ignore'):
        return (V * np.sqrt(w)) @ V.T


def frechet_distance(mu1, cov1, mu2, cov2):
    root = sqrtm_psd(cov1)
    cross = np.trace(sqrtm_psd(root @ cov2 @ root))
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * cross)


@wrong('frechet_distance', "Tr(Σ₁^{1/2} Σ₂^{1/2}) for the cross term: right only when Σ₁ and Σ₂ commute")
def _(mu1, cov1, mu2, cov2):
    diff = mu1 - mu2
    cross = np.trace(sqrtm_psd(cov1) @ sqrtm_psd(cov2))
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * cross)


@wrong('frechet_distance', "returns the distance d, not its square d²")
def _(mu1, cov1, mu2, cov2):
    return float(np.sqrt(max(frechet_distance(mu1, cov1, mu2, cov2), 0.0)))


@wrong('frechet_distance', "forgets the factor 2 on the cross term")
def _(mu1, cov1, mu2, cov2):
    root = sqrtm_psd(cov1)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - np.trace(sqrtm_psd(root @ cov2 @ root)))


def _nearest(samples, centers):
    distances = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=-1)
    nearest = distances.argmin(1)
    return nearest, distances[np.arange(len(samples)), nearest]


def mode_statistics(samples, centers, sigma):
    K = len(centers)
    nearest, distance = _nearest(samples, centers)
    good = distance <= 3 * sigma
    counts = np.bincount(nearest[good], minlength=K)
    p = counts[counts > 0] / good.sum()
    return dict(modes=int((counts > 0).sum()), high_quality=float(good.mean()),
                reverse_kl=float((p * np.log(p * K)).sum()))


@wrong('mode_statistics', "counts a mode as covered by any sample nearest to it, even beyond 3σ")
def _(samples, centers, sigma):
    stats = mode_statistics(samples, centers, sigma)
    nearest, _ = _nearest(samples, centers)
    return dict(stats, modes=len(np.unique(nearest)))


@wrong('mode_statistics', "high quality within σ instead of 3σ")
def _(samples, centers, sigma):
    return mode_statistics(samples, centers, sigma / 3)


@wrong('mode_statistics', "the histogram over all samples, the low-quality ones included")
def _(samples, centers, sigma):
    K = len(centers)
    stats = mode_statistics(samples, centers, sigma)
    nearest, _ = _nearest(samples, centers)
    counts = np.bincount(nearest, minlength=K)
    p = counts[counts > 0] / len(samples)
    return dict(stats, reverse_kl=float((p * np.log(p * K)).sum()))


def pairwise_distances(a, b):
    squared = (a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.clip(squared, 0, None))


@wrong('pairwise_distances', "returns the squared distances")
def _(a, b):
    return pairwise_distances(a, b) ** 2


@wrong('pairwise_distances', "no clipping: a rounding-negative square gives NaN")
def _(a, b):
    with np.errstate(invalid='ignore'):
        return np.sqrt((a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None, :] - 2 * a @ b.T)


def _covered(points, support, k):
    radius = np.sort(pairwise_distances(support, support), axis=1)[:, k]
    return float((pairwise_distances(points, support) <= radius[None, :]).any(1).mean())


def precision_recall(real, fake, k=3):
    return _covered(fake, real, k), _covered(real, fake, k)


@wrong('precision_recall', "counts each point as its own nearest neighbour: radius at the (k − 1)-th")
def _(real, fake, k=3):
    def covered(points, support):
        radius = np.sort(pairwise_distances(support, support), axis=1)[:, k - 1]
        return float((pairwise_distances(points, support) <= radius[None, :]).any(1).mean())
    return covered(fake, real), covered(real, fake)


@wrong('precision_recall', "swaps them: the reals covered by the fakes' balls as precision")
def _(real, fake, k=3):
    return _covered(real, fake, k), _covered(fake, real, k)
