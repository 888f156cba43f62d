"""2-D convolution and transposed convolution: im2col and one GEMM per group.

conv2d, for input x (N, C, H, W), weight w (O, C/G, kh, kw), G groups:

    y[n, o, oh, ow] = b[o] + sum_{c, i, j} w[o, c, i, j] * xpad[n, C/G*g(o) + c, oh*sh + i*dh, ow*sw + j*dw]

As matrices (one group): Y (O, N*OH*OW) = W (O, C*kh*kw) @ cols(x) (C*kh*kw, N*OH*OW).

Three Functions, and each one's backward is made of the others, so every order of derivative
comes for free (for loss L, gY = dL/dY):

    Conv2d(x, w)           big -> small     Y  = W @ cols(x)
    ConvTranspose2d(y, w)  small -> big     x  = col2im(W^T @ Y)     the adjoint of Conv2d in x
    Conv2dWeight(x, gy)    -> w's shape     dW = gY @ cols(x)^T      conv2d's weight gradient

    d conv2d / dx = ConvTranspose2d(gy, w)     d conv2d / dw = Conv2dWeight(x, gy)
    d conv_transpose2d / dy = Conv2d(gx, w)    d conv_transpose2d / dw = Conv2dWeight(gx, y)
    d Conv2dWeight / dx = ConvTranspose2d(gy, ggw),   d Conv2dWeight / dgy = Conv2d(x, ggw)

Layout. The GEMMs want channels outermost and batch innermost (see im2col.py), so the ops work
on (C, H, W, N) arrays and return an (N, C, H, W) *view* of their (C, H, W, N) result: no copy on
the way out, and the next conv (or this conv's backward) reads it back as (C, H, W, N) for free.
Only a tensor stored the usual (N, C, H, W) way pays one transposing copy on the way in.

Speed. The three products are the floor (benchmarks/bench_conv_floor.py times them alone); the
rest is moving data, so each move happens once: the forward keeps its columns for the weight
gradient instead of gathering them again, a gradient that both backward products read is
relaid once (``Relayout``), and col2im adds whole groups of offsets at a time (im2col.py).

Second derivatives: the gradients are linked to x and w as torch's are (links.py), and a zero
gradient (from such a link) passes through without a product.
"""
from .. import backend
from ..errors import ArgumentError, ArgumentTypeError, DTypeError, ShapeError
from ..function import Function
from ..tensor import Tensor, is_grad_enabled
from .im2col import Window, col2im, col2im_rows, fold_edges, im2col, out_size, scratch, to_chwn
from .links import link, pass_zeros
from .moments import SumProduct
from .shape import reshape


def chwn(a):
    """(N, C, H, W) -> its (C, H, W, N) view (free: no data moves)."""
    return a.transpose(1, 2, 3, 0)


def nchw(a):
    """(C, H, W, N) -> its (N, C, H, W) view."""
    return a.transpose(3, 0, 1, 2)


# The weight gradient's product runs faster as dW^T = cols @ gY^T when its inner dim N*OH*OW is
# long and cols has more rows (C*kh*kw) than gY (O): BLAS wants the operand with more rows first.
# DCGAN's conv2d 64->128 (cols 1,024 x 3,136, gY 128 x 3,136): 4.81 against 5.04 ms. But dW then
# comes out transposed, and every later pass over it -- summing the gradients of a weight used
# three times, the optimizer's relayout -- strides through it. Otherwise dW = gY @ cols^T, stored
# as the weight: below this length (CycleGAN at batch 1: 49 to 784) the product is cheap either
# way, and that made the step 2% faster; with fewer rows in cols, DCGAN's conv2d 1->64 (cols 16 x
# 12,544, gY 64 x 12,544) took 0.31 against 0.48 ms (caches flushed before each product).
LONG_PRODUCT = 2048


def _bmm(a, b, out=None):
    """(G, p, q) @ (G, q, r) -> (G, p, r): one GEMM per group (a plain 2-D GEMM when G == 1)."""
    xp = backend.xp_of(a)
    if a.shape[0] == 1:
        return xp.matmul(a[0], b[0], out=None if out is None else out[0])[None]
    return xp.matmul(a, b, out=out)


class Conv2d(Function):
    """x (N, C, H, W), w (O, C/G, kh, kw)[, b (O,)] -> y (N, O, OH, OW).

    ``cols``, when given, is im2col(x) already computed by the caller from this very input (a
    backward that needs it twice); it is used once, in forward, and never kept.
    ``keep_cols``: the weight gradient will be wanted, so keep im2col(x) (in memory of its own,
    not scratch) for it: dW = gY @ cols^T needs the very same columns, and gathering them again
    costs as much as the first time. (Memory: C*kh*kw*OH*OW*N numbers until the backward ran.)
    """

    def __init__(self, win, groups, cols=None, keep_cols=False):
        self.win, self.groups, self.cols, self.keep_cols = win, groups, cols, keep_cols
        self.saved_cols = None

    def forward(self, x, w, b=None):
        N, O, G = x.shape[0], w.shape[0], self.groups
        cols = self.cols
        if cols is None:
            if self.keep_cols:
                self.saved_cols = backend.xp_of(x).empty(self.win.cols_shape(x.shape[1], N), dtype=x.dtype)
            cols = im2col(chwn(x), self.win, out=self.saved_cols)
        self.cols = None
        y = _bmm(w.reshape(G, O // G, -1), cols.reshape(G, -1, cols.shape[-1]))
        y = y.reshape((O,) + self.win.small + (N,))
        if b is not None:
            y += b.reshape(O, 1, 1, 1)
        return nchw(y)

    def backward(self, gy):
        x, w = self.inputs[:2]
        need = self.needs_input_grad
        zeros = pass_zeros(self, gy)
        if zeros:
            return zeros
        gy = as_chwn(link(gy, x, w))  # linked as torch's convolution_backward(gy, x, w) is
        # The two products run one after the other even at batch 1, where each is a few hundred
        # us: on a helper thread side by side (CycleGAN's residual conv, 2 cores, shared) the
        # pair took 996 against ~1,000 us with one BLAS thread (the helper waits for the GIL),
        # and 23 ms with OpenBLAS's own threads (two callers contend for its workers).
        grads = (ConvTranspose2d(self.win, self.groups)(gy, w) if need[0] else None,
                 Conv2dWeight(self.win, self.groups, self.saved_cols)(x, gy) if need[1] else None)
        if len(self.inputs) == 3:
            grads += (bias_gradient(gy) if need[2] else None,)
        return grads


class ConvTranspose2d(Function):
    """y (N, Cin, OH, OW), w (Cin, Cout/G, kh, kw)[, b (Cout,)] -> x (N, Cout, H, W).

    Each input pixel scatters w[c_in] * y into its window: cols = W^T @ Y, then col2im.
    """

    def __init__(self, win, groups):
        self.win, self.groups = win, groups

    def forward(self, y, w, b=None):
        N, G = y.shape[0], self.groups
        cin, cout = w.shape[0], w.shape[1] * G
        gather = _gathering_window(self.win, cin, cout)
        if gather is not None:
            x = _transpose_by_gathering(to_chwn(y), w, G, gather)
            if self.win.mode != 'zeros':
                x = fold_edges(x, self.win)
        elif N == 1 and G == 1 and self.win.stride == (1, 1):  # one image: summed channels-last
            rows = backend.xp_of(y).matmul(to_chwn(y).reshape(cin, -1).T, w.reshape(cin, -1),
                                           out=scratch('cols', (y.shape[2] * y.shape[3], w[0].size), y))
            x = col2im_rows(rows, self.win, cout)
        else:
            ys = to_chwn(y).reshape(G, cin // G, -1)
            wt = w.reshape(G, cin // G, -1).transpose(0, 2, 1)
            cols = _bmm(wt, ys, out=scratch('cols', (G, wt.shape[1], ys.shape[2]), y))
            x = col2im(cols, self.win, cout, N)
        if b is not None:
            x += b.reshape(cout, 1, 1, 1)
        return nchw(x)

    def backward(self, gx):
        y, w = self.inputs[:2]
        need = self.needs_input_grad
        zeros = pass_zeros(self, gx)
        if zeros:
            return zeros
        gx = link(gx, y, w)
        # Both gradients read the windows of gx: gather them once (from gx itself, now; in any
        # layout: the gather moves the values anyway, so gx needs no relayout first).
        cols = im2col(chwn(gx.array), self.win) if need[0] and need[1] else None  # in scratch
        grads = (Conv2d(self.win, self.groups, cols)(gx, w) if need[0] else None,
                 Conv2dWeight(self.win, self.groups, cols)(gx, y) if need[1] else None)
        if len(self.inputs) == 3:
            grads += (bias_gradient(gx) if need[2] else None,)
        return grads


def _gathering_window(win, cin, cout):
    """The Window of the stride-1 transposed conv as a plain convolution, when that is cheaper.

    With stride 1, scattering is gathering: x[a] = sum_i w[i] y[a + p - i d] is a correlation of
    y, zero-padded by d (k - 1) - p, with the flipped kernel. Scattering writes cout k^2 values per
    pixel of the small y (col2im), gathering reads cin k^2 per pixel of the big x (im2col), and
    the GEMMs scale alike; so gather when cin * |x| < cout * |y|. That is the input gradient of a
    convolution to few channels: for CycleGAN's last layer (32 -> 1 channel, 7x7, 28^2) scattering
    moved 1.2 M numbers, gathering moves 57 k (3 ms -> 0.2 ms). None: scatter (col2im).
    A window padded with the image's edges gathers onto the whole padded image (its span), whose
    edges the caller then folds back (``fold_edges``).
    """
    if win.mode != 'zeros':
        win = Window(win.kernel, win.stride, win.dilation, (0, 0), win.span, win.small)
    pads = tuple(d * (k - 1) - p for k, d, p in zip(win.kernel, win.dilation, win.pad))
    if win.stride != (1, 1) or min(pads) < 0:
        return None
    if cin * win.big[0] * win.big[1] >= cout * win.small[0] * win.small[1]:
        return None
    return Window(win.kernel, (1, 1), win.dilation, pads, win.small, win.big)


def _transpose_by_gathering(y, w, groups, gather):
    """conv_transpose2d of y (Cin, h, w, N) by ``w`` (Cin, Cout/G, kh, kw), stride 1, as the
    convolution with the flipped kernel w'[o, c, i, j] = w[c, o, kh-1-i, kw-1-j] (per group)
    over the ``gather`` window: (Cout, H, W, N)."""
    cin, cout_g, kh, kw = w.shape
    G, N = groups, y.shape[3]
    flipped = w.reshape(G, cin // G, cout_g, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
    cols = im2col(y, gather)  # (Cin k^2, H W N), in scratch
    x = _bmm(flipped.reshape(G, cout_g, -1), cols.reshape(G, -1, cols.shape[-1]))
    return x.reshape((G * cout_g,) + gather.small + (N,))


def bias_gradient(g):
    """sum of g (N, C, H, W) over N, H, W: one einsum pass in g's memory order (SumProduct):
    for (64, 64, 14, 14) stored as a convolution's output 0.11 ms, where g.sum() took 0.14 ms."""
    return reshape(SumProduct((0, 2, 3))(g), (-1,))


class Relayout(Function):
    """x (N, C, H, W) -> the same values stored (C, H, W, N), as an (N, C, H, W) view: the layout
    the GEMMs read. A tensor two conv Functions read (gy in conv2d's backward: the input gradient
    and the weight gradient) is copied once here instead of once in each. The gradient passes as is."""

    def forward(self, x):
        return nchw(to_chwn(x))

    def backward(self, gy):
        return gy


def as_chwn(t):
    """Tensor t stored (C, H, W, N): t itself when it is already (a conv's output), else Relayout(t)."""
    return t if chwn(t.array).flags.c_contiguous else Relayout()(t)


class Conv2dWeight(Function):
    """x (N, C, H, W), gy (N, O, OH, OW) -> dW (O, C/G, kh, kw) = gY @ cols(x)^T per group.

    dW[o, c, i, j] = sum_{n, oh, ow} gy[n, o, oh, ow] * xpad[n, c, oh*sh + i*dh, ow*sw + j*dw].
    It is bilinear in (x, gy); ``cols`` as in Conv2d.
    """

    def __init__(self, win, groups, cols=None):
        self.win, self.groups, self.cols = win, groups, cols

    def forward(self, x, gy):
        O, G = gy.shape[1], self.groups
        cols = im2col(chwn(x), self.win) if self.cols is None else self.cols
        self.cols = None
        gys = to_chwn(gy).reshape(G, O // G, -1)
        cols = cols.reshape(G, -1, cols.shape[-1])
        if cols.shape[-1] < LONG_PRODUCT or cols.shape[1] < gys.shape[1]:
            # dW = gY @ cols^T, stored as the weight is (LONG_PRODUCT says when)
            return _bmm(gys, cols.transpose(0, 2, 1)).reshape((O, x.shape[1] // G) + self.win.kernel)
        # dW^T = cols @ gY^T: the same product, in the orientation BLAS runs faster here
        # (LONG_PRODUCT); dW is small to transpose
        gw_t = _bmm(cols, gys.transpose(0, 2, 1))
        return gw_t.transpose(0, 2, 1).reshape((O, x.shape[1] // G) + self.win.kernel)

    def backward(self, ggw):
        x, gy = self.inputs
        need = self.needs_input_grad
        # <ggw, dW(x, gy)> = <gy, conv2d(x, ggw)>, so each factor's gradient is a convolution.
        return (ConvTranspose2d(self.win, self.groups)(gy, ggw) if need[0] else None,
                Conv2d(self.win, self.groups)(x, ggw) if need[1] else None)


# ----------------------------------------------------------------------------- argument checks
def pair(value, name, op, minimum=1):
    """An int or a 1-/2-tuple of ints -> (h, w), each >= minimum; a clear error otherwise."""
    pair_ = (value, value) if isinstance(value, int) else None
    if isinstance(value, (tuple, list)):
        pair_ = tuple(value)
    if pair_ is not None and len(pair_) == 1:
        pair_ = pair_ * 2
    if (pair_ is None or len(pair_) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair_)):
        raise ArgumentTypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if any(v < minimum for v in pair_):
        raise ArgumentError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return pair_


def check_image(x, op, what='input'):
    """A floating Tensor of 3 (C, H, W) or 4 (N, C, H, W) dims -> (4-D tensor, was it unbatched)."""
    if not isinstance(x, Tensor):
        raise ArgumentTypeError(f"{op}: {what} must be a Tensor, got {type(x).__name__}")
    if x.ndim not in (3, 4):
        raise ShapeError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) {what}, "
                         f"got shape {tuple(x.shape)}")
    if not backend.is_floating(x.dtype):
        raise DTypeError(f"{op}: expected a floating-point {what}, got dtype {x.dtype}")
    if x.numel() == 0:
        raise ShapeError(f"{op}: the {what} of shape {tuple(x.shape)} is empty; expected at least "
                         "one image with at least one pixel")
    return (x.unsqueeze(0), True) if x.ndim == 3 else (x, False)


def _check_weight(x, weight, bias, groups, op):
    if not isinstance(weight, Tensor) or weight.ndim != 4:
        raise ShapeError(f"{op}: expected a 4-D weight tensor, got "
                         f"{tuple(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__}")
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ArgumentError(f"{op}: groups must be a positive int, got {groups!r}")
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and isinstance(t, Tensor) and not backend.is_floating(t.dtype):
            raise DTypeError(f"{op}: expected a floating-point {name}, got dtype {t.dtype}")
    transposed = op == 'conv_transpose2d'
    out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
    in_channels = weight.shape[0] if transposed else weight.shape[1] * groups
    if weight.shape[0] % groups:
        raise ShapeError(f"{op}: groups={groups} must divide the weight's first dim, "
                         f"got weight of shape {tuple(weight.shape)}")
    if x.shape[1] != in_channels:
        rule = 'weight.shape[0]' if transposed else f'weight.shape[1] * groups = {weight.shape[1]} * {groups}'
        raise ShapeError(f"{op}: input of shape {tuple(x.shape)} has {x.shape[1]} channels, but weight "
                         f"of shape {tuple(weight.shape)} expects {in_channels} ({rule})")
    if bias is not None and (not isinstance(bias, Tensor) or tuple(bias.shape) != (out_channels,)):
        got = tuple(bias.shape) if isinstance(bias, Tensor) else type(bias).__name__
        raise ShapeError(f"{op}: expected a bias of shape ({out_channels},), one per output channel, got {got}")


def _too_small(op, x, size, padding, kernel, dilation):
    eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    return ShapeError(f"{op}: the kernel {kernel} (dilated extent {eff}) is larger than the padded "
                      f"input {size} (input shape {tuple(x.shape)}, padding {padding}); expected "
                      "each padded side >= the dilated kernel")


def _conv_padding(padding, kernel, stride, dilation):
    """padding int/pair/'valid'/'same' -> (top, bottom, left, right), as torch pads."""
    if isinstance(padding, str):
        if padding == 'valid':
            return (0, 0, 0, 0)
        if padding != 'same':
            raise ArgumentError(f"conv2d: padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
        if stride != (1, 1):
            raise ArgumentError(f"conv2d: padding='same' is not supported for strided convolutions "
                                f"(stride {stride}); expected stride 1")
        # total d(k-1) per side; when odd, torch puts the extra row/column at the bottom/right
        (th, tw) = (d * (k - 1) for k, d in zip(kernel, dilation))
        return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    ph, pw = pair(padding, 'padding', 'conv2d', minimum=0)
    return (ph, ph, pw, pw)


# ----------------------------------------------------------------------------- the functions
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """2-D cross-correlation, as torch.nn.functional.conv2d.

    input (N, C, H, W) or (C, H, W); weight (O, C/groups, kh, kw); bias (O,) or None;
    padding an int, a pair, 'valid' or 'same' (stride 1 only). Output (N, O, OH, OW) with
    OH = (H + 2 ph - dh (kh - 1) - 1) // sh + 1.
    """
    return padded_conv2d(input, weight, bias, stride, padding, dilation, groups)


def padded_conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,  # noqa: A002
                  padding_mode='zeros'):
    """conv2d of the input padded with zeros, or with its own edges (padding_mode 'reflect' or
    'replicate', as nn.Conv2d's): the same as F.pad(input, ..., mode) then conv2d without padding,
    but the padded image is only ever built inside the column gather, and the backward folds its
    edges back there too (im2col.py) -- CycleGAN's 3x3 convs at 7^2 spent ~20% of their time in
    F.pad's two nodes per conv and their adjoints. Each edge padding must be less than its side
    for 'reflect' (F.pad's rule).
    """
    x, unbatched = check_image(input, 'conv2d')
    _check_weight(x, weight, bias, groups, 'conv2d')
    stride, dilation = pair(stride, 'stride', 'conv2d'), pair(dilation, 'dilation', 'conv2d')
    kernel = tuple(weight.shape[2:])
    pt, pb, pl, pr = _conv_padding(padding, kernel, stride, dilation)
    H, W = x.shape[2:]
    if padding_mode == 'reflect' and (max(pt, pb) >= H or max(pl, pr) >= W):
        raise ShapeError(f"conv2d: reflect padding (top, bottom, left, right) {(pt, pb, pl, pr)} must "
                         f"be less than the input's height and width, got input of shape {tuple(input.shape)}")
    small = (out_size(H, kernel[0], stride[0], pt, pb, dilation[0]),
             out_size(W, kernel[1], stride[1], pl, pr, dilation[1]))
    if min(small) < 1:
        raise _too_small('conv2d', input, (H + pt + pb, W + pl + pr), padding, kernel, dilation)
    win = Window(kernel, stride, dilation, (pt, pl), (H, W), small, padding_mode)
    keep_cols = is_grad_enabled() and weight.requires_grad
    y = Conv2d(win, groups, keep_cols=keep_cols)(*((x, weight) if bias is None else (x, weight, bias)))
    return y.squeeze(0) if unbatched else y


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    """The transpose (adjoint) of conv2d, as torch.nn.functional.conv_transpose2d.

    input (N, Cin, H, W) or (Cin, H, W); weight (Cin, Cout/groups, kh, kw); bias (Cout,) or None.
    Output (N, Cout, OH, OW) with OH = (H - 1) sh - 2 ph + dh (kh - 1) + oph + 1, where the
    output_padding oph < max(sh, dh) only says which of the sizes that conv2d maps to H is meant.
    """
    op = 'conv_transpose2d'
    y, unbatched = check_image(input, op)
    _check_weight(y, weight, bias, groups, op)
    stride, dilation = pair(stride, 'stride', op), pair(dilation, 'dilation', op)
    padding = pair(padding, 'padding', op, minimum=0)
    extra = pair(output_padding, 'output_padding', op, minimum=0)
    if any(e >= max(s, d) for e, s, d in zip(extra, stride, dilation)):
        raise ArgumentError(f"{op}: output_padding {extra} must be smaller than either stride {stride} "
                            f"or dilation {dilation} in each dim")
    kernel = tuple(weight.shape[2:])
    small = tuple(y.shape[2:])
    big = tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1
                for n, s, p, d, k, e in zip(small, stride, padding, dilation, kernel, extra))
    if min(big) < 1:
        raise ShapeError(f"{op}: the output size {big} would not be positive (input shape "
                         f"{tuple(input.shape)}, kernel {kernel}, stride {stride}, padding {padding}); "
                         "expected less padding")
    win = Window(kernel, stride, dilation, padding, big, small)
    y = as_chwn(y)  # read by the forward and again by the weight gradient: copied once
    x = ConvTranspose2d(win, groups)(*((y, weight) if bias is None else (y, weight, bias)))
    return x.squeeze(0) if unbatched else x
