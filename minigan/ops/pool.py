"""Pooling: avg_pool2d and max_pool2d, with torch's arguments and sizes (adaptive_avg_pool2d, a
resampling, is in resample.py).

avg_pool2d is linear:   y[n, c, oh, ow] = (1 / D[oh, ow]) * sum_{i, j} xpad[n, c, oh*sh + i, ow*sw + j]
(zero padding; D the window size, or torch's clipped count). Its backward is its adjoint -- spread
gy / D evenly over each window -- and the adjoint's backward is the average pool again.

max_pool2d:             y[n, c, oh, ow] = max_{i, j} xpad[n, c, oh*sh + i*dh, ow*sw + j*dw]
(padding is -inf). Which offset wins is piecewise constant in x, so we save it as a constant index;
the gradient is then the linear map "scatter gy to the winners", whose adjoint "gather at the
winners" is its backward, and so on -- exact at every order. Both pools' gradients are linked to
x, as torch's are, so their second derivative in x is 0, not an error (links.py).

Like the convs, the pools work on (C, H, W, N) arrays (see im2col.py) and return (N, C, H, W) views.
"""
from .. import backend
from ..errors import ArgumentError, ShapeError
from ..function import Function
from .conv import check_image, chwn, nchw, pair
from .im2col import Window, crop_from_span, out_size, pad_to_span, to_chwn, window_scatter, window_sum
from .links import link


# ----------------------------------------------------------------------------- average
class AvgPool2d(Function):
    """x (N, C, H, W) -> window sums / divisor (a number, or a constant (OH, OW) array)."""

    def __init__(self, win, divisor):
        self.win, self.divisor = win, divisor

    def forward(self, x):
        y = window_sum(chwn(x), self.win)
        if not isinstance(self.divisor, int) or self.divisor != 1:
            y /= _as_chwn(self.divisor)
        return nchw(y)

    def backward(self, gy):
        # linked to x with derivative 0, as torch's avg_pool2d_backward(grad, self)
        return link(AvgPool2dAdjoint(self.win, self.divisor)(gy), self.inputs[0], zeros=True)


class AvgPool2dAdjoint(Function):
    """gy (N, C, OH, OW) -> gx (N, C, H, W): each gy / divisor added over its whole window."""

    def __init__(self, win, divisor):
        self.win, self.divisor = win, divisor

    def forward(self, gy):
        g = to_chwn(gy)
        if not isinstance(self.divisor, int) or self.divisor != 1:
            g = g / _as_chwn(self.divisor)
        return nchw(window_scatter(g, self.win))

    def backward(self, ggx):
        return AvgPool2d(self.win, self.divisor)(ggx)


def _as_chwn(divisor):
    return divisor if isinstance(divisor, (int, float)) else divisor[None, :, :, None]


def _divisors(x, n_in, n_out, kernel, stride, pad, count_include_pad):
    """torch's per-window divisor along one axis: the window clipped to the padded image (or to
    the image itself when padding is not counted)."""
    xp = x.xp
    start = xp.arange(n_out) * stride - pad
    end = xp.minimum(start + kernel, n_in + pad)
    if not count_include_pad:
        start, end = xp.maximum(start, 0), xp.minimum(end, n_in)
    return end - start


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,  # noqa: A002
               count_include_pad=True, divisor_override=None):
    """Average over kh x kw windows, as torch.nn.functional.avg_pool2d (stride defaults to the kernel).

    (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), OH = (H + 2 ph - kh) // sh + 1 (ceil with ceil_mode).
    """
    x, unbatched = check_image(input, 'avg_pool2d')
    win, (ph, pw) = _window(x, kernel_size, stride, padding, 1, ceil_mode, 'avg_pool2d')
    if divisor_override is not None:
        if not isinstance(divisor_override, int) or divisor_override <= 0:
            raise ArgumentError(f"avg_pool2d: divisor_override must be a positive int, got {divisor_override!r}")
        divisor = divisor_override
    else:
        (H, W), (kh, kw), (sh, sw), (oh, ow) = win.big, win.kernel, win.stride, win.small
        dh = _divisors(x, H, oh, kh, sh, ph, count_include_pad)
        dw = _divisors(x, W, ow, kw, sw, pw, count_include_pad)
        divisor = (dh[:, None] * dw[None, :]).astype(x.dtype)
        if bool((divisor == kh * kw).all()):
            divisor = kh * kw  # the usual case: one number, no array to broadcast
    y = AvgPool2d(win, divisor)(x)
    return y.squeeze(0) if unbatched else y


# ----------------------------------------------------------------------------- max
class MaxPool2d(Function):
    """x (N, C, H, W) -> window maxima; saves which kernel offset won (the first, as torch; NaN wins)."""

    def __init__(self, win):
        self.win = win

    def forward(self, x):
        xp = backend.xp_of(x)
        xpad = pad_to_span(chwn(x), self.win, fill=-float('inf'))
        grids = [grid for _, _, grid in self.win.offsets()]
        best = xpad[grids[0]].copy()
        self.index = xp.zeros(best.shape, dtype=xp.uint8 if len(grids) < 256 else xp.int32)
        wins, step = xp.empty(best.shape, dtype=bool), xp.empty_like(self.index)
        has_nan = bool(xp.isnan(x).any())  # one pass, to skip a NaN test per offset when clean
        # In place and branch-free (masked copies are several times slower in NumPy):
        # best = max(best, v), and index -= (index - k) * wins sets index to k where v won.
        for k, grid in enumerate(grids[1:], start=1):
            v = xpad[grid]
            xp.greater(v, best, out=wins)
            if has_nan:
                wins |= xp.isnan(v)
            xp.maximum(best, v, out=best)  # NaN propagates, as torch's max does
            xp.subtract(self.index, self.index.dtype.type(k), out=step)  # k in index's dtype
            step *= wins
            self.index -= step
        return nchw(best)

    def backward(self, gy):
        # linked to x with derivative 0, as torch's max_pool2d_with_indices_backward(grad, self)
        return link(MaxPoolScatter(self.win, self.index)(gy), self.inputs[0], zeros=True)


class MaxPoolScatter(Function):
    """gy (N, C, OH, OW) -> gx (N, C, H, W): each gy added to its window's winning pixel."""

    def __init__(self, win, index):
        self.win, self.index = win, index

    def forward(self, gy):
        xp, g = backend.xp_of(gy), to_chwn(gy)
        padded = xp.zeros((g.shape[0],) + self.win.span + (g.shape[3],), dtype=gy.dtype)
        won, share = xp.empty(g.shape, dtype=bool), xp.empty_like(g)
        # g * (index == k) rather than a masked copy, which is several times slower in NumPy
        # (the price: an infinite gradient would leak NaN into its window's other pixels)
        for k, (_, _, grid) in enumerate(self.win.offsets()):
            padded[grid] += xp.multiply(g, xp.equal(self.index, k, out=won), out=share)
        return nchw(crop_from_span(padded, self.win))

    def backward(self, ggx):
        return MaxPoolGather(self.win, self.index)(ggx)


class MaxPoolGather(Function):
    """gx (N, C, H, W) -> (N, C, OH, OW): the value at each window's winning pixel."""

    def __init__(self, win, index):
        self.win, self.index = win, index

    def forward(self, gx):
        xp = backend.xp_of(gx)
        xpad = pad_to_span(chwn(gx), self.win)
        out = xp.empty(self.index.shape, dtype=gx.dtype)  # every entry is some offset's pick
        won = xp.empty(self.index.shape, dtype=bool)
        for k, (_, _, grid) in enumerate(self.win.offsets()):
            xp.copyto(out, xpad[grid], where=xp.equal(self.index, k, out=won))
        return nchw(out)

    def backward(self, ggy):
        return MaxPoolScatter(self.win, self.index)(ggy)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """Maximum over kh x kw windows, as torch.nn.functional.max_pool2d (stride defaults to the kernel).

    (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), OH = (H + 2 ph - dh (kh - 1) - 1) // sh + 1.
    """
    if return_indices:
        raise NotImplementedError("max_pool2d: return_indices=True is not supported")
    x, unbatched = check_image(input, 'max_pool2d')
    win, _ = _window(x, kernel_size, stride, padding, dilation, ceil_mode, 'max_pool2d')
    y = MaxPool2d(win)(x)
    return y.squeeze(0) if unbatched else y


def _window(x, kernel_size, stride, padding, dilation, ceil_mode, op):
    """Check a pool's arguments as torch does; -> (Window, padding pair)."""
    kernel = pair(kernel_size, 'kernel_size', op)
    stride = kernel if stride is None or stride == () or stride == [] else pair(stride, 'stride', op)
    padding, dilation = pair(padding, 'padding', op, minimum=0), pair(dilation, 'dilation', op)
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ArgumentError(f"{op}: padding {padding} must be at most half of the kernel {kernel}")
    big = tuple(x.shape[2:])
    small = tuple(out_size(n, k, s, p, p, d, ceil_mode)
                  for n, k, s, p, d in zip(big, kernel, stride, padding, dilation))
    if min(small) < 1:
        raise ShapeError(f"{op}: input of shape {tuple(x.shape)} is too small for kernel {kernel} "
                         f"(padding {padding}, dilation {dilation}): the output would be {small}")
    return Window(kernel, stride, dilation, padding, big, small), padding
