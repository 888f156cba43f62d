"""Resampling as matrices: interpolate ('nearest', 'bilinear', 'area') and adaptive average pooling.

Each of these maps is *separable*: output pixel (i, j) mixes input rows with weights that depend
only on i and input columns with weights that depend only on j. So with two constant matrices
A_h (OH, H) and A_w (OW, W),

    y[n, c] = A_h @ x[n, c] @ A_w^T

and the backward is the same map with the transposed matrices (the adjoint), whose backward is
the forward again -- every order of derivative is exact. Row o of a matrix holds, for torch's
source coordinate of output o along that axis:

    nearest    1 at src = min(floor(o * scale), n_in - 1)   (scale = 1 / scale_factor or n_in / n_out,
               in float32 as torch computes it)
    bilinear   1 - l at i0 and l at i1 = min(i0 + 1, n_in - 1), where i0 = floor(src), l = src - i0 and
               src = o * (n_in - 1) / (n_out - 1)                      with align_corners=True
               src = max(0, (o + 0.5) * scale - 0.5)                   with align_corners=False
               (an axis whose size does not change is left alone, as torch does)
    area       1 / len over torch's adaptive bin [floor(o n_in / n_out), ceil((o + 1) n_in / n_out))

The matrices are dense: O(n_in) work per output number along each axis, which BLAS does fast
for the image sizes GANs use. Nearest upsampling by a whole factor, the common case, skips them:
it is the adjoint of a sum pool (see pool.py).
"""
import math

from .. import backend
from ..checks import number
from ..errors import ArgumentError, ShapeError
from ..function import Function
from .conv import check_image
from .im2col import Window
from .links import link
from .pool import AvgPool2dAdjoint

MODES = ('nearest', 'bilinear', 'area')


class Separable2d(Function):
    """x (N, C, H, W) -> A_h @ x @ A_w^T (N, C, OH, OW), for constant matrices A_h, A_w.

    ``averages``: the map is an adaptive average pool ('area'), whose gradient torch links to x
    (adaptive_avg_pool2d_backward(grad, self): the second derivative is 0, not an error) -- except
    to a single pixel, which torch computes as a mean. The other modes' gradients depend on the
    sizes alone.
    """

    def __init__(self, a_h, a_w, averages=False):
        self.a_h, self.a_w, self.averages = a_h, a_w, averages

    def forward(self, x):
        xp = backend.xp_of(x)
        t = xp.tensordot(x, self.a_w, axes=([3], [1]))      # (N, C, H, OW)
        y = xp.tensordot(self.a_h, t, axes=([1], [2]))      # (OH, N, C, OW)
        return y.transpose(1, 2, 0, 3)

    def backward(self, gy):
        gx = Separable2d(self.a_h.T, self.a_w.T)(gy)
        return link(gx, self.inputs[0], zeros=True) if self.averages else gx


def _scale(dtype, n_in, n_out, scale_factor):
    """torch's source step per output index: 1 / scale_factor when one was given, else n_in / n_out,
    rounded to ``dtype`` (torch computes these coordinates in float32 for float32 data)."""
    if scale_factor:
        return dtype.type(1.0 / scale_factor)
    return dtype.type(n_in) / dtype.type(n_out)


def nearest_source(xp, n_in, n_out, scale_factor=None):
    """The input index each output index copies in mode 'nearest' (torch's formula, bit for bit)."""
    o = xp.arange(n_out)
    if n_out == n_in or n_out == 2 * n_in:  # torch's exact integer shortcuts
        return o * n_in // n_out
    f32 = backend.float32
    src = xp.floor(o.astype(f32) * _scale(f32, n_in, n_out, scale_factor)).astype(o.dtype)
    return xp.minimum(src, n_in - 1)


def axis_matrix(mode, x, n_in, n_out, scale_factor=None, align_corners=False):
    """The (n_out, n_in) matrix of ``mode`` along one axis, in x's dtype and on x's device."""
    xp, dtype = x.xp, x.dtype
    o = xp.arange(n_out)
    columns = xp.arange(n_in)[None, :]
    if mode == 'area':
        start = (o * n_in) // n_out
        end = -((-(o + 1) * n_in) // n_out)  # ceil
        inside = (columns >= start[:, None]) & (columns < end[:, None])
        return (inside / (end - start)[:, None]).astype(dtype)
    if mode == 'nearest':
        return (columns == nearest_source(xp, n_in, n_out, scale_factor)[:, None]).astype(dtype)
    if n_out == n_in:  # torch leaves an axis of unchanged size alone, whatever the scale factor
        return xp.eye(n_in, dtype=dtype)
    # bilinear: the source coordinate in x's precision (torch's opmath for float32 and float64)
    of = o.astype(dtype)
    if align_corners:
        src = of * dtype.type((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        half = dtype.type(0.5)
        src = xp.maximum((of + half) * _scale(dtype, n_in, n_out, scale_factor) - half, 0)
    i0 = xp.minimum(xp.floor(src).astype(o.dtype), n_in - 1)
    lam = xp.clip(src - i0, 0, 1)
    i1 = xp.minimum(i0 + 1, n_in - 1)
    return ((columns == i0[:, None]) * (1 - lam)[:, None]
            + (columns == i1[:, None]) * lam[:, None]).astype(dtype)


def _pairs(value, name):
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ShapeError(f"interpolate: {name} must be a number or a pair for a 4-D input, got {value!r}")
    return pair


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,  # noqa: A002
                recompute_scale_factor=None, antialias=False):
    """Resize the last two dims of an (N, C, H, W) tensor, as torch.nn.functional.interpolate.

    Give ``size`` (OH, OW) or ``scale_factor`` (OH = floor(H * scale)). mode 'nearest',
    'bilinear' (align_corners True/False, default False) or 'area' (adaptive average).
    """
    x, unbatched = check_image(input, 'interpolate')
    if unbatched:
        raise ShapeError(f"interpolate: expected a 4-D (N, C, H, W) input, got shape {tuple(input.shape)}")
    if mode not in MODES:
        raise ArgumentError(f"interpolate: mode {mode!r} is not supported; expected one of {MODES}")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if align_corners is not None and mode != 'bilinear':
        raise ArgumentError("interpolate: align_corners can only be set with mode='bilinear'")
    if (size is None) == (scale_factor is None):
        raise ArgumentError("interpolate: give exactly one of size and scale_factor")
    H, W = x.shape[2:]
    if size is not None:
        sizes, scales = _pairs(size, 'size'), (None, None)
    else:
        scales = tuple(float(number('interpolate', 'scale_factor', s, low=0.0, low_open=True))
                       for s in _pairs(scale_factor, 'scale_factor'))
        sizes = tuple(int(math.floor(n * s)) for n, s in zip((H, W), scales))
        if recompute_scale_factor or mode == 'area':
            scales = (None, None)  # torch then derives the scale from the sizes
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes):
        raise ShapeError(f"interpolate: the output size {sizes} must be positive ints "
                         f"(input shape {tuple(x.shape)}, size={size!r}, scale_factor={scale_factor!r})")
    (oh, ow) = sizes
    if mode == 'nearest' and oh % H == 0 and ow % W == 0 and all(
            bool((nearest_source(x.xp, n, m, f) == x.xp.arange(m) // (m // n)).all())
            for n, m, f in ((H, oh, scales[0]), (W, ow, scales[1]))):
        # a whole factor: every pixel fills an sh x sw block -- the adjoint of sum-pooling those
        # blocks (window_scatter), whose backward is the sum pool
        factor = (oh // H, ow // W)
        return AvgPool2dAdjoint(Window(factor, factor, (1, 1), (0, 0), (oh, ow), (H, W)), 1)(x)
    a_h = axis_matrix(mode, x, H, oh, scales[0], bool(align_corners))
    a_w = axis_matrix(mode, x, W, ow, scales[1], bool(align_corners))
    return Separable2d(a_h, a_w, averages=mode == 'area' and sizes != (1, 1))(x)


def adaptive_avg_pool2d(input, output_size):  # noqa: A002
    """Average over torch's adaptive bins: (N, C, H, W) or (C, H, W) -> (..., OH, OW).

    output_size is an int or a pair; None in it keeps that input size.
    """
    x, unbatched = check_image(input, 'adaptive_avg_pool2d')
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2 or not all(s is None or (isinstance(s, int) and s >= 1) for s in sizes):
        raise ShapeError(f"adaptive_avg_pool2d: output_size must be a positive int or a pair of "
                         f"them (None keeps the input size), got {output_size!r}")
    (H, W) = x.shape[2:]
    oh, ow = (H if sizes[0] is None else sizes[0]), (W if sizes[1] is None else sizes[1])
    y = Separable2d(axis_matrix('area', x, H, oh), axis_matrix('area', x, W, ow),
                    averages=(oh, ow) != (1, 1))(x)
    return y.squeeze(0) if unbatched else y
