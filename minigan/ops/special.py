"""The error function erf, and the activations that multiply x by a gate: gelu, silu, prelu.

    erf(x)   = 2/√π ∫₀ˣ e^(-t²) dt                  erf'(x) = 2/√π e^(-x²)
    gelu(x)  = x Φ(x),  Φ(x) = (1 + erf(x/√2)) / 2  (the standard normal CDF)
               or, approximate='tanh': x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2
    silu(x)  = x σ(x)                               (also called swish)
    prelu(x) = x where x > 0, a x elsewhere          (a learned, one per channel or shared)

NumPy has no erf, so we evaluate it ourselves, to float64 precision, in two regimes:

  * |x| < 2.5, the series erf(x) = 2/√π x e^(-x²) Σₙ (2x²)ⁿ / (1·3·5···(2n+1)): every term is
    positive, so nothing cancels; 36 terms bring the tail below 1e-16 at |x| = 2.5.
  * |x| ≥ 2.5, Laplace's continued fraction erfc(x) = e^(-x²) / (√π (x + ½/(x + 1/(x + (3/2)/
    (x + ...))))), evaluated from depth 30 up: relative error of erfc below 2e-14 there, so
    erf = 1 - erfc is exact to 1e-17.

(Checked against Python's math.erf on a grid, in tests/test_torch_surface_ops.py.) Only erf is a
Function; the activations are compositions of engine ops, so their derivatives of every order
come from erf's, which is written in engine ops too.
"""
import math

from .. import backend
from ..errors import ArgumentError, ShapeError
from ..function import Function
from .activation import sigmoid, tanh
from .links import link_gradient
from .math import exp, where

SERIES_BELOW = 2.5
SERIES_TERMS = 36
FRACTION_DEPTH = 30


def _erf_series(x):
    xp = backend.xp_of(x)
    two_x2 = 2 * x * x
    term, total = xp.ones_like(x), xp.ones_like(x)
    for n in range(1, SERIES_TERMS + 1):
        term *= two_x2 / (2 * n + 1)
        total += term
    return (2 / math.sqrt(math.pi)) * x * xp.exp(-x * x) * total


def _erfc_fraction(x):
    """erfc(x) for x ≥ SERIES_BELOW (positive x only)."""
    xp = backend.xp_of(x)
    f = x.copy()
    for k in range(FRACTION_DEPTH, 0, -1):
        f = x + (k / 2) / f
    return xp.exp(-x * x) / (math.sqrt(math.pi) * f)


class Erf(Function):
    def forward(self, x):
        xp = backend.xp_of(x)
        out = xp.empty_like(x)
        small = xp.abs(x) < SERIES_BELOW
        out[small] = _erf_series(x[small])
        large = x[~small]  # |x| >= 2.5, or NaN (which the arithmetic carries through)
        out[~small] = xp.sign(large) * (1 - _erfc_fraction(xp.abs(large)))
        return out

    def backward(self, gy):
        (x,) = self.inputs
        return gy * (2 / math.sqrt(math.pi)) * exp(-(x * x))


def erf(input):
    """The error function, elementwise (torch.erf / torch.special.erf)."""
    return Erf()(input)


def gelu(input, approximate='none'):
    """x Φ(x), Φ the standard normal CDF; approximate='tanh' uses torch's tanh formula."""
    if approximate == 'none':
        return input * (0.5 * (1.0 + erf(input * (1 / math.sqrt(2.0)))))
    if approximate == 'tanh':
        inner = (input + 0.044715 * input * input * input) * math.sqrt(2 / math.pi)
        return input * (0.5 * (1.0 + tanh(inner)))
    raise ArgumentError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input, inplace=False):
    """x σ(x)."""
    return input * sigmoid(input)


def prelu(input, weight):
    """x where x > 0, weight · x elsewhere; weight has 1 element or one per channel (dim 1)."""
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.ndim > 1 or weight.numel() not in (1, channels):
        raise ShapeError(f"prelu: weight of shape {tuple(weight.shape)} for input of shape "
                         f"{tuple(input.shape)}; expected 1 element or one per channel ({channels})")
    if weight.numel() > 1:
        weight = weight.reshape((1, channels) + (1,) * (input.ndim - 2))
    # linked to x and weight with derivative 0, as torch's prelu backward(grad, self, weight)
    return link_gradient(where(input.array > 0, input, weight * input), input, weight, zeros=True)
