"""Reductions: sum, mean, max/min, var/std, logsumexp, argmax/argmin.

Dims use torch's names (``dim``, ``keepdim``); NumPy's ``axis`` / ``keepdims`` are accepted too.
A reduction's backward puts the reduced dims back (reshape to the keepdim shape) and broadcasts:
d/dx_i sum_j x_j = 1 for every i.
"""
import builtins
from collections import namedtuple

from .. import backend
from ..checks import number
from ..errors import ArgumentError, ArgumentTypeError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .math import abs as _abs
from .math import exp, log, sqrt, where
from .shape import broadcast_to, reshape
from .util import normalize_dim, normalize_dims, require_tensor

ValuesIndices = namedtuple('ValuesIndices', ['values', 'indices'])  # what torch's x.max(dim) returns


def _reduce_args(x, dim, keepdim, axis, keepdims, op):
    """Merge torch's and NumPy's argument names; -> (sorted dims, keepdim)."""
    require_tensor(op, x)
    if axis is not None:
        if dim is not None:
            raise ArgumentTypeError(f"{op}: give dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return normalize_dims(dim, x.ndim, op), bool(keepdim)


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


class Sum(Function):
    def __init__(self, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim

    def forward(self, x):
        return x.sum(axis=self.dims, keepdims=self.keepdim)

    def backward(self, gy):
        x = self.inputs[0]
        return broadcast_to(reshape(gy, _keep_shape(x.shape, self.dims)), x.shape)


class Max(Function):
    """max (or min) over ``dims``. Its gradient goes to the extreme elements: shared evenly
    among ties (torch.amax and x.max()), or all to the first of them when ``first_only`` (torch's
    x.max(dim), which also returns that element's index). Either way the share is a constant."""

    def __init__(self, dims, keepdim, minimum=False, first_only=False):
        self.dims, self.keepdim, self.minimum, self.first_only = dims, keepdim, minimum, first_only

    @property
    def name(self):
        return 'min' if self.minimum else 'max'

    def forward(self, x):
        xp = backend.xp_of(x)
        if x.size == 0:
            raise ShapeError(f"{self.name}: cannot reduce an empty tensor of shape {x.shape}")
        y = (xp.min if self.minimum else xp.max)(x, axis=self.dims, keepdims=True)
        if self.first_only:
            (dim,) = self.dims
            self.index = (xp.argmin if self.minimum else xp.argmax)(x, axis=dim)
            positions = xp.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - 1 - dim))
            share = positions == xp.expand_dims(self.index, dim)
        else:
            hit = x == y
            share = hit / hit.sum(axis=self.dims, keepdims=True)
        self.share = share.astype(x.dtype)
        return y if self.keepdim else y.reshape(tuple(n for i, n in enumerate(x.shape) if i not in self.dims))

    def backward(self, gy):
        x = self.inputs[0]
        return broadcast_to(reshape(gy, _keep_shape(x.shape, self.dims)), x.shape) * Tensor(self.share)


# ----------------------------------------------------------------------------- functions
def sum(x, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001 -- torch.sum
    dims, keepdim = _reduce_args(x, dim, keepdim, axis, keepdims, 'sum')
    return Sum(dims, keepdim)(x)


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dims, keepdim = _reduce_args(x, dim, keepdim, axis, keepdims, 'mean')
    count = 1
    for d in dims:
        count *= x.shape[d]
    return Sum(dims, keepdim)(x) / count


def var(x, dim=None, unbiased=True, keepdim=False, *, correction=None, axis=None, keepdims=None, _op='var'):
    """mean((x - mean x)^2) over dims, divided by N - correction instead of N.

    correction=1 (unbiased=True, the default, as in torch) is Bessel's correction.
    """
    dims, keepdim = _reduce_args(x, dim, keepdim, axis, keepdims, _op)
    if correction is None:
        correction = 1 if unbiased else 0
    number(_op, 'correction', correction, low=0)
    count = 1
    for d in dims:
        count *= x.shape[d]
    centered = x - mean(x, dims, keepdim=True)
    return sum(centered * centered, dims, keepdim) / builtins.max(count - correction, 0)


def std(x, dim=None, unbiased=True, keepdim=False, *, correction=None, axis=None, keepdims=None):
    return sqrt(var(x, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims, _op='std'))


def _extreme(x, dim, keepdim, axis, keepdims, minimum):
    op = 'min' if minimum else 'max'
    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        from .math import maximum, minimum as elementwise_min
        return (elementwise_min if minimum else maximum)(x, dim)
    if dim is None and axis is None:
        return Max(tuple(range(x.ndim)), False, minimum)(x)
    d = normalize_dim(axis if dim is None else dim, x.ndim, op)
    keep = bool(keepdim if keepdims is None else keepdims)
    fn = Max((d,), keep, minimum, first_only=True)
    values = fn(x)
    indices = backend.xp_of(fn.index).expand_dims(fn.index, d) if keep else fn.index
    return ValuesIndices(values, Tensor(indices))


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001 -- torch.max
    """x.max() -> the largest element; x.max(dim) -> (values, indices) like torch; max(a, b) -> maximum."""
    return _extreme(x, dim, keepdim, axis, keepdims, minimum=False)


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001 -- torch.min
    return _extreme(x, dim, keepdim, axis, keepdims, minimum=True)


def amax(x, dim=None, keepdim=False):
    """Largest values over one or several dims; ties share the gradient evenly."""
    return Max(normalize_dims(dim, x.ndim, 'amax'), bool(keepdim))(x)


def amin(x, dim=None, keepdim=False):
    return Max(normalize_dims(dim, x.ndim, 'amin'), bool(keepdim), minimum=True)(x)


def logsumexp(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """log sum exp(x), stable: m + log sum exp(x - m) with m the (detached) max.

    The result does not depend on m mathematically, so m needs no gradient.
    """
    dims, keepdim = _reduce_args(x, dim, keepdim, axis, keepdims, 'logsumexp')
    if builtins.any(x.shape[d] == 0 for d in dims):
        raise ShapeError(f"logsumexp: cannot reduce the empty dims {dims} of a tensor of shape {x.shape}")
    xp = x.xp
    m = xp.max(x.array, axis=dims, keepdims=True)
    m = Tensor(xp.where(xp.isfinite(m), m, 0).astype(x.dtype))  # a row of -inf must not give nan
    out = log(sum(exp(x - m), dims, keepdim=True)) + m
    return out if keepdim else reshape(out, tuple(n for i, n in enumerate(x.shape) if i not in dims))


def norm(x, p=2, dim=None, keepdim=False):
    """The p-norm (sum |x|^p)^(1/p) over ``dim`` (all dims when None); p=2 (or 'fro') by default,
    p=inf for max |x|.

    The root's derivative is infinite where the norm is 0, and the chain rule would multiply it by
    the sum's zero derivative there: 0·inf = nan. So the root gets a harmless 1 where the sum is 0
    and the result is replaced by 0 there (a "double where"): the value is exact and the gradient
    at 0 is 0, as torch's norm gives.
    """
    dims, keepdim = _reduce_args(x, dim, keepdim, None, None, 'norm')
    if p == 'fro':
        p = 2
    if not isinstance(p, (int, float)) or isinstance(p, bool) or p <= 0:
        raise ArgumentError(f"norm: p must be a positive number, inf or 'fro', got {p!r}")
    if p == 1:
        return sum(_abs(x), dims, keepdim)
    if p == float('inf'):
        return amax(_abs(x), dims, keepdim)
    powers = sum(x * x if p == 2 else _abs(x) ** p, dims, keepdim)
    nonzero = powers > 0
    safe = where(nonzero, powers, 1.0)
    return where(nonzero, sqrt(safe) if p == 2 else safe ** (1.0 / p), 0.0)


def argmax(x, dim=None, keepdim=False):
    return _arg(x, dim, keepdim, 'argmax')


def argmin(x, dim=None, keepdim=False):
    return _arg(x, dim, keepdim, 'argmin')


def _arg(x, dim, keepdim, op):
    require_tensor(op, x)
    if x.numel() == 0:
        raise ShapeError(f"{op}: cannot find the extreme of an empty tensor of shape {x.shape}")
    xp = x.xp
    if dim is None:
        return Tensor(xp.asarray(getattr(xp, op)(x.array)))
    d = normalize_dim(dim, x.ndim, op)
    index = getattr(xp, op)(x.array, axis=d)
    return Tensor(xp.expand_dims(index, d) if keepdim else index)


def all(x, dim=None, keepdim=False):  # noqa: A001 -- torch.all
    return Tensor(x.xp.asarray(x.array.all(axis=normalize_dims(dim, x.ndim, 'all'), keepdims=keepdim)))


def any(x, dim=None, keepdim=False):  # noqa: A001 -- torch.any
    return Tensor(x.xp.asarray(x.array.any(axis=normalize_dims(dim, x.ndim, 'any'), keepdims=keepdim)))
