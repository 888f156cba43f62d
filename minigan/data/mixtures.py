"""The two 2-D Gaussian mixtures of the mode-collapse experiments (PacGAN, VEEGAN, Unrolled GAN).

    ring8    8 modes evenly spaced on the unit circle, mode k at (cos 2πk/8, sin 2πk/8), σ = 0.01
    grid25   25 modes at {-4, -2, 0, 2, 4}², σ = 0.05

Every mode has weight 1/K and an isotropic covariance σ²I:  p(x) = (1/K) Σ_k N(x; μ_k, σ²I).
The modes are far apart compared with σ (ring: neighbours 2 sin(π/8) = 0.77 apart, 77σ; grid: 2
apart, 40σ), so a generator that drops a mode, or spreads mass between modes, is easy to see
and to count (minigan.gan.metrics.mixture_metrics).

``MIXTURES`` is the one place the geometry is written down: sampling here and the metrics both
read it. The centres are plain tuples, so the table is the same on every device.
"""
import math
import zlib

from .. import backend
from ..creation import randint, randn
from ..errors import ArgumentError
from ..tensor import Tensor
from ..utils.data import TensorDataset


def _ring(k, radius=1.0):
    return tuple((radius * math.cos(2 * math.pi * i / k), radius * math.sin(2 * math.pi * i / k))
                 for i in range(k))


def _grid(values):
    return tuple((float(x), float(y)) for x in values for y in values)


# name -> (mode centres ((x, y), ...), σ of every mode)
MIXTURES = {
    'ring8': (_ring(8), 0.01),
    'grid25': (_grid((-4, -2, 0, 2, 4)), 0.05),
}


def mixture_geometry(name):
    """(centres (K, 2) float64 array on the host, σ) of the mixture ``name``."""
    if name not in MIXTURES:
        raise ValueError(f"mixture: unknown mixture {name!r}; expected one of {sorted(MIXTURES)}")
    centres, sigma = MIXTURES[name]
    return backend.asarray(centres, dtype=backend.float64), sigma


def mixture(name, n, device=None, dtype=None):
    """n samples (n, 2) of the mixture ``name``: a mode drawn uniformly, plus σ·N(0, I).

    Draws from minigan's generator, so ``minigan.manual_seed(s)`` makes the samples reproducible.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"mixture: n should be a positive int, got {n!r}")
    centres, sigma = mixture_geometry(name)
    dtype = backend.DEFAULT_DTYPE if dtype is None else backend.as_dtype(dtype)
    modes = randint(0, len(centres), (n,)).array
    means = backend.to_device(centres[modes].astype(dtype), device or 'cpu')
    return Tensor(means) + sigma * randn(n, 2, dtype=dtype, device=device)


# ----------------------------------------------------------------------------- training sets
SIZES = {'train': 100_000, 'test': 2_500}  # 1,000 batches of 100 (PacGAN's batch), and PacGAN's 2,500


def mixture_dataset(name, split='train', device=None):
    """TensorDataset of (point (2,) float32, mode index int64), a fixed draw for each split.

    The points come from a generator seeded by the mixture's name and the split -- never from
    minigan's own stream, so loading a data set does not change a training run's random numbers,
    and every run sees the same 100,000 training points (or 2,500 held-out ones).
    """
    if split not in SIZES:
        raise ArgumentError(f"mixture: unknown split {split!r}; expected one of {tuple(SIZES)}")
    centres, sigma = mixture_geometry(name)
    rng = backend.generator([zlib.crc32(name.encode()), list(SIZES).index(split)])
    modes = rng.integers(0, centres.shape[0], SIZES[split])
    points = (centres[modes] + sigma * rng.standard_normal((SIZES[split], 2))).astype(backend.float32)
    device = device or 'cpu'
    return TensorDataset(Tensor(backend.to_device(points, device)),
                         Tensor(backend.to_device(modes.astype(backend.int64), device)))


def ring8(split='train', device=None):
    """8 modes on the unit circle, σ = 0.01 (see the module docstring)."""
    return mixture_dataset('ring8', split, device)


def grid25(split='train', device=None):
    """25 modes on {−4, −2, 0, 2, 4}², σ = 0.05 (see the module docstring)."""
    return mixture_dataset('grid25', split, device)
