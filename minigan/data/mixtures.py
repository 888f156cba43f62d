"""Two 2-D Gaussian mixtures where mode collapse can be seen and counted (the PacGAN set-up).

    ring8    8 modes on the unit circle, (cos 2πk/8, sin 2πk/8), each N(center, σ²I), σ = 0.01
    grid25  25 modes on the grid {−4, −2, 0, 2, 4}², σ = 0.05

Every mode has weight 1/K. A GAN that drops modes shows it at once in a scatter plot, and the
PacGAN protocol scores it on 2,500 generated points: a point is *high quality* when it lies within
3σ of its nearest mode; a mode is *captured* when at least one high-quality point falls on it;
the reverse KL compares the histogram of the points over the modes with the uniform one.

The points are drawn once from a generator seeded by the set's name and split (never from
minigan's own stream, so loading a data set does not change a training run's random numbers):
100,000 training points -- 1,000 batches of 100, PacGAN's batch size -- and 2,500 held-out ones.
"""
import math
import zlib

from .. import backend
from ..tensor import Tensor
from ..utils.data import TensorDataset

SIZES = {'train': 100_000, 'test': 2_500}


def _ring8():
    return [(math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)) for k in range(8)], 0.01


def _grid25():
    return [(float(x), float(y)) for x in range(-4, 5, 2) for y in range(-4, 5, 2)], 0.05


MIXTURES = {'ring8': _ring8, 'grid25': _grid25}


def mixture_modes(name):
    """(centers, sigma): the K mode centers (K, 2) float32 host array and the common std σ."""
    if name not in MIXTURES:
        raise ValueError(f"mixture: unknown 2-D set {name!r}; expected one of {sorted(MIXTURES)}")
    centers, sigma = MIXTURES[name]()
    return backend.asarray(centers, dtype=backend.float32), sigma


def mixture_points(name, n, seed):
    """(points (n, 2) float32, mode index (n,) int64): n draws of the mixture, from ``seed``."""
    centers, sigma = mixture_modes(name)
    rng = backend.generator(seed)
    modes = rng.integers(0, centers.shape[0], n)
    points = centers[modes] + sigma * rng.standard_normal((n, 2)).astype(backend.float32)
    return points.astype(backend.float32), modes.astype(backend.int64)


def mixture(name, split='train', device=None):
    """TensorDataset of (point (2,) float32, mode index int64) for ``split`` ('train' or 'test')."""
    if split not in SIZES:
        raise ValueError(f"mixture: unknown split {split!r}; expected one of {tuple(SIZES)}")
    seed = [zlib.crc32(name.encode()), list(SIZES).index(split)]  # fixed, distinct per set and split
    points, modes = mixture_points(name, SIZES[split], seed)
    device = device or 'cpu'
    return TensorDataset(Tensor(backend.to_device(points, device)), Tensor(backend.to_device(modes, device)))


def ring8(split='train', device=None):
    """8 modes on the unit circle, σ = 0.01 (see the module docstring)."""
    return mixture('ring8', split, device)


def grid25(split='train', device=None):
    """25 modes on {−4, −2, 0, 2, 4}², σ = 0.05 (see the module docstring)."""
    return mixture('grid25', split, device)
