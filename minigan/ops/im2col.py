"""Sliding windows on raw arrays: the geometry and the data movers under conv and pooling.

A 2-D window op relates a *big* image (H, W) to a *small* one (OH, OW): output pixel (oh, ow)
looks at the big-image pixels

    (oh * sh + i * dh - pt,  ow * sw + j * dw - pl)     for kernel offsets i < kh, j < kw

(stride s, dilation d, top/left padding pt/pl; positions outside the image read the padding:
zeros, or -- the window's ``mode`` 'reflect' / 'replicate' -- the image's own edges (edges.py),
which col2im then folds back onto the pixels they were copied from).
conv2d and the pools go big -> small; conv_transpose2d goes small -> big.

Layout: every kernel here takes and returns (C, H, W, N) arrays -- channels outermost, batch
innermost. Two reasons:
  * a strided slice of the image then moves runs of N contiguous numbers, not runs of OW (often
    7 or 14): with such short runs NumPy's per-run overhead, not memory, sets the speed;
  * the column matrix comes out as (C*kh*kw, OH*OW*N), so W (O, C*kh*kw) @ cols lands directly
    in (O, OH, OW, N) -- the same layout, ready for the next layer -- and a conv group is a
    contiguous block of rows.
The ops in conv.py / pool.py hand out (N, C, H, W) *views* of these buffers.

  im2col   (C, H, W, N) -> cols (C*kh*kw, OH*OW*N):
           cols[c, i, j, oh, ow, n] = xpad[c, oh*sh + i*dh, ow*sw + j*dw, n]
           -- a copy of one strided view of the padded image (``windows``)
  col2im   its adjoint: every column entry is *added* back to the pixel it was read from
           -- through the same view, one += per group of offsets whose reads never meet

Two more things make them fast: each core moves its own block of channels (parallel.per_core),
and the column matrices live in reused scratch memory (``scratch``).

One image (batch 1) has no batch run to move, so two cases go another way: an edge-padded image
with short rows is gathered by one ``take`` through a cached index (``_window_index``), and the
stride-1 col2im sums its windows channels-last (``col2im_rows``), where every run is C long.
"""
import functools
import math
import threading
from collections import namedtuple

from .. import backend
from . import parallel
from .edges import add_edges, fill_edges


class Window(namedtuple('Window', 'kernel stride dilation pad big small mode', defaults=('zeros',))):
    """All (h, w) pairs: kernel size, stride, dilation, top/left padding, big and small sizes;
    and what the padding holds: 'zeros', or the image's edges ('reflect', 'replicate': edges.py).

    Bottom/right padding is implied: the windows reach down to row ``span[0] - 1`` of the padded
    image; rows of the image beyond that are never read (as when the stride does not divide).
    """

    @property
    def span(self):
        """Rows and columns of the padded image the windows touch: (OH - 1) s + (k - 1) d + 1."""
        return _span(self)

    def cols_shape(self, channels, batch):
        """Shape of the column matrix of a (channels, H, W, batch) image: (C*kh*kw, OH*OW*N)."""
        (kh, kw), (oh, ow) = self.kernel, self.small
        return (channels * kh * kw, oh * ow * batch)

    def offsets(self):
        """(i, j, index) for each kernel offset: index picks, from a padded (C, hs, ws, N)
        array, the (C, OH, OW, N) grid of pixels that offset reads."""
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = self.kernel, self.stride, self.dilation, self.small
        for i in range(kh):
            for j in range(kw):
                yield i, j, (slice(None), slice(i * dh, i * dh + (oh - 1) * sh + 1, sh),
                             slice(j * dw, j * dw + (ow - 1) * sw + 1, sw))


@functools.lru_cache(maxsize=256)
def _span(win):  # a window's geometry is asked for its span ~8 times per conv forward + backward
    return tuple((o - 1) * s + (k - 1) * d + 1 for o, s, k, d in zip(win.small, win.stride, win.kernel, win.dilation))


def out_size(size, kernel, stride, pad_lo, pad_hi, dilation, ceil_mode=False):
    """Output length of a window op along one axis (torch's formula, with its ceil_mode rule)."""
    room = size + pad_lo + pad_hi - dilation * (kernel - 1) - 1
    if room < 0:
        return 0
    n = (room + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (n - 1) * stride >= size + pad_lo:
        n -= 1  # the last window must start inside the image or its left padding
    return n


def im2col(x, win, out=None):
    """(C, H, W, N) -> columns (C*kh*kw, OH*OW*N), rows ordered (c, i, j), columns (oh, ow, n).

    The windows of the padded image are one strided *view* of it, (C, kh, kw, OH, OW, N), that
    reads each pixel where every window overlapping it looks; copying that view is the im2col.
    The columns go to ``out`` (a C-contiguous array of their size) when given, else to scratch.
    """
    C, N = x.shape[0], x.shape[3]
    (kh, kw), (oh, ow) = win.kernel, win.small
    shape = (C, kh, kw, oh, ow, N)
    cols = scratch('cols', shape, x) if out is None else out.reshape(shape)
    if _gathers_by_index(x, win):
        backend.xp_of(x).take(x.reshape(C, -1), _window_index(win), axis=1, out=cols.reshape(C, -1))
        return cols.reshape(C * kh * kw, oh * ow * N)

    def fill(lo, hi):  # channels lo..hi-1
        cols[lo:hi] = windows(pad_to_span(x[lo:hi], win), win)
    parallel.per_core(fill, C, cols)
    return cols.reshape(C * kh * kw, oh * ow * N)


# One image on the host, padded with its edges, output rows shorter than this: im2col gathers by
# index (_window_index) instead of padding and copying the windows. The copy moves runs of OW
# numbers, and the edge padding is six small copies; one ``take`` does both. CycleGAN's residual
# 3x3 convs (128 channels, 7^2, reflect): 42 against 70 us. For rows of 28 the strided copy wins
# (7x7 conv, 32 channels at 28^2: 330 against 1,370 us), and zero padding is cheap to build.
SHORT_ROWS = 16


def _gathers_by_index(x, win):
    return (win.mode != 'zeros' and x.shape[3] == 1 and win.small[1] < SHORT_ROWS
            and backend.device_of(x) == 'cpu')


@functools.lru_cache(maxsize=64)
def _window_index(win):
    """For each (i, j, oh, ow), the flat pixel index (row * W + col) of the one-image padded image
    that im2col reads there: im2col itself, run once per window geometry on the pixels' indices
    (for host arrays: ``_gathers_by_index``)."""
    (H, W) = win.big
    pixels = backend.module_for('cpu').arange(H * W).reshape(1, H, W, 1)
    return windows(pad_to_span(pixels, win), win).copy().reshape(-1)  # out of the scratch buffer


def windows(xpad, win):
    """The (C, kh, kw, OH, OW, N) view of a padded (C, hs, ws, N) image: [c, i, j, oh, ow, n] is
    xpad[c, oh*sh + i*dh, ow*sw + j*dw, n]. No data moves; several entries share a pixel."""
    xp = backend.xp_of(xpad)
    if xpad.shape[3] > 1 and xpad.strides[3] != xpad.itemsize:
        # stored (N, C, H, W): make the batch contiguous once, or every read below would jump
        # a whole image from one batch entry to the next
        xpad = xp.ascontiguousarray(xpad)
    (sc, sh, sw, sn), (kh, kw), (oh, ow) = xpad.strides, win.kernel, win.small
    (dh, dw), (th, tw) = win.dilation, win.stride
    shape = (xpad.shape[0], kh, kw, oh, ow, xpad.shape[3])
    return xp.lib.stride_tricks.as_strided(xpad, shape, (sc, sh * dh, sw * dw, sh * th, sw * tw, sn))


def col2im(cols, win, C, N):
    """The adjoint of im2col: columns (C*kh*kw, OH*OW*N) -> a new (C, H, W, N), overlaps summed.

    Every column entry is added back onto the padded-image pixel it was read from, through the
    same strided view im2col copies. That view is no place for one big += (windows overlap and
    one update would overwrite another), but a group of kernel offsets never overlaps when their
    offsets i*d differ modulo the stride: the pixels oh*s + i*d are then distinct. So the sum
    is one += per group -- for k=4, s=2: 4 groups of 2x2 offsets, each a single ufunc call that
    walks the image channel by channel (cache-friendly) -- the first group copied in rather than
    added when it covers the image, so nothing is zeroed first. Then the padding is cut away.
    """
    xp = backend.xp_of(cols)
    cols = cols.reshape((C,) + win.kernel + win.small + (N,))
    x = xp.empty((C,) + win.big + (N,), dtype=cols.dtype)
    direct = win.pad == (0, 0) and win.span == win.big  # the padded image is the image

    def accumulate(lo, hi):
        padded = x[lo:hi] if direct else scratch('pad', (hi - lo,) + win.span + (N,), cols)
        _add_windows(padded, windows(padded, win), cols[lo:hi], win, lambda r, c: (slice(None), r, c))
        if not direct:
            (_crop_into if win.mode == 'zeros' else _fold_into)(x[lo:hi], padded, win)

    def in_blocks(lo, hi):  # a core's channels, a few at a time (PADDED_BLOCK)
        parts = min(hi - lo, -(-(hi - lo) * math.prod(win.span) * N * cols.itemsize // PADDED_BLOCK))
        bounds = [lo + (hi - lo) * k // parts for k in range(parts + 1)]
        for a, b in zip(bounds, bounds[1:]):
            accumulate(a, b)
    parallel.per_core(in_blocks, C, cols)
    return x


# Bytes of padded image col2im sums a core's channels into at a time: every group of offsets adds
# into the same padded pixels, which then stay in the core's L2 (1 MB here) from one group to the
# next. The input gradient of the DCGAN's conv2d 64->128 (a core's 32 channels of 16x16x64 in two
# blocks): 1.72 against 1.85 ms all at once, caches flushed before each call. CycleGAN's batch-1
# transposed convs fit in one block (0.81 ms either way).
PADDED_BLOCK = 1 << 20


def col2im_rows(rows, win, C):
    """col2im of one image whose columns come transposed: rows (OH*OW, C*kh*kw) -> a new
    (C, H, W, 1). ``rows`` is what Y^T @ W gives, and Y^T @ W is the same product as W^T @ Y.

    Why: at batch 1, col2im's windows of a (C, hs, ws, 1) image move runs of OW numbers (7 in
    CycleGAN's residual blocks), and NumPy's per-run cost dominates. Here the image is summed
    channels-last, (hs, ws, C): every run is C numbers long (128 there). For the input gradient
    of a stride-1 3x3 conv, 128 channels at 7^2 (reflect), the product and the sum took 100 + 84
    us this way, 140 + 166 us as (W^T @ Y, col2im). With stride 2 it is no faster (groups of
    offsets, 87 against 83 us at 7^2 -> 14^2), so conv.py takes it for stride 1 only.
    """
    xp = backend.xp_of(rows)
    (kh, kw), (oh, ow), (sh, sw), (dh, dw) = win.kernel, win.small, win.stride, win.dilation
    padded = scratch('pad', win.span + (C,), rows)
    (rs, cs, chs), shape = padded.strides, (oh, ow, C, kh, kw)
    view = xp.lib.stride_tricks.as_strided(padded, shape, (rs * sh, cs * sw, chs, rs * dh, cs * dw))
    _add_windows(padded[None], view, rows.reshape(shape), win, lambda r, c: (Ellipsis, r, c))
    x = xp.empty((C,) + win.big + (1,), dtype=rows.dtype)
    (_crop_into if win.mode == 'zeros' else _fold_into)(x, padded.transpose(2, 0, 1)[..., None], win)
    return x


def _add_windows(planes, view, part, win, at):
    """view += part, one group of offsets at a time (see col2im): ``at(r, c)`` indexes the kernel
    offsets r, c (slices) of both; ``planes`` is the padded image as (C, hs, ws, ...), which is
    zeroed first unless the first group covers it (then it is copied in, and the rest zeroed)."""
    groups, covered = _offset_groups(win)
    if covered is None:
        planes[...] = 0
    for k, (r, c) in enumerate(groups):
        if k == 0 and covered is not None:
            view[at(r, c)] = part[at(r, c)]
            fill_outside(planes, slice(0, covered[0]), slice(0, covered[1]), 0)
        else:
            view[at(r, c)] += part[at(r, c)]


@functools.lru_cache(maxsize=256)
def _offset_groups(win):
    """(the groups of kernel offsets, as (row slice, column slice) pairs; _first_group_covers):
    worked out once per window geometry -- a batch-1 step runs ~100 col2ims on a few geometries,
    and the Python here cost ~5 us each time."""
    groups = tuple((r, c) for r in _disjoint_offsets(win, 0) for c in _disjoint_offsets(win, 1))
    return groups, _first_group_covers(win)


def _disjoint_offsets(win, axis):
    """Kernel offsets of one axis in runs whose reads never meet: i*d differ modulo the stride s
    within a run, so oh*s + i*d differ for every (oh, i). Runs of s / gcd(d, s) offsets."""
    k, s, d = win.kernel[axis], win.stride[axis], win.dilation[axis]
    run = s // math.gcd(d, s)
    return [slice(i, min(k, i + run)) for i in range(0, k, run)]


def _first_group_covers(win):
    """(rows, cols) of the padded image the first group of offsets writes when that is a full
    block [0, OH*s) x [0, OW*s) (dilation 1 and kernel >= stride); None otherwise."""
    if all(d == 1 and k >= s for k, s, d in zip(win.kernel, win.stride, win.dilation)):
        return tuple(o * s for o, s in zip(win.small, win.stride))
    return None


def _crop_into(out, padded, win):
    """out (C, H, W, N) = the image's part of the padded (C, hs, ws, N) array; 0 in the image rows
    and columns beyond it (which no window reads)."""
    (H, W), (pt, pl), (hs, ws) = win.big, win.pad, win.span
    h, w = max(0, min(H, hs - pt)), max(0, min(W, ws - pl))
    out[:, :h, :w] = padded[:, pt:pt + h, pl:pl + w]
    out[:, h:] = 0
    out[:, :h, w:] = 0


def _edge_widths(win):
    """(top, bottom, left, right) edge padding of a padded image cut to the span: the bottom and
    right are what the windows read beyond the image (the rest of torch's padding is never read)."""
    (H, W), (pt, pl), (hs, ws) = win.big, win.pad, win.span
    return pt, max(0, hs - pt - H), pl, max(0, ws - pl - W)


def _edge_pad_to_span(x, win):
    """(C, H, W, N) with its edges copied out as ``win.mode`` says (edges.py), cut to the span; in
    scratch, as pad_to_span's zero padding."""
    top, bottom, left, right = _edge_widths(win)
    (C, H, W, N) = x.shape
    out = scratch('pad', (C, top + H + bottom, left + W + right, N), x)  # dies inside the caller's forward
    out[:, top:top + H, left:left + W] = x
    fill_edges(out[:, top:top + H], 2, left, right, win.mode)
    fill_edges(out, 1, top, bottom, win.mode)
    return out[:, :win.span[0], :win.span[1]]


def _fold_into(out, padded, win):
    """The adjoint of _edge_pad_to_span: out (C, H, W, N) = the padded (C, hs, ws, N) array with
    its edges added back onto the pixels they were copied from (in place, in ``padded``)."""
    top, bottom, left, right = _edge_widths(win)
    (H, W), (hs, ws) = win.big, win.span
    full = (top + H + bottom, left + W + right)
    if (hs, ws) != full:  # windows that stop short of the image: the rows they never read get 0
        xp = backend.xp_of(padded)
        grown = xp.zeros(padded.shape[:1] + full + padded.shape[3:], dtype=padded.dtype)
        grown[:, :hs, :ws] = padded
        padded = grown
    middle = padded[:, :, left:left + W]
    add_edges(middle, padded, 2, left, right, win.mode)
    add_edges(middle[:, top:top + H], middle, 1, top, bottom, win.mode)
    out[...] = middle[:, top:top + H]


def fold_edges(padded, win):
    """The adjoint of padding with ``win``'s edges: a (C, hs, ws, N) array of the span's size ->
    a new (C, H, W, N) (``padded`` is used up: the edges are added inside it)."""
    out = backend.xp_of(padded).empty(padded.shape[:1] + win.big + padded.shape[3:], dtype=padded.dtype)
    _fold_into(out, padded, win)
    return out


def to_chwn(a):
    """The values of an (N, C, H, W) array as a C-contiguous (C, H, W, N) array: a free view when
    it is stored that way already (the output of a conv), one transposing copy otherwise.

    The copy runs on one core: split by channels over two, each core still strides across every
    image of the batch, and the pair ran slower than one core alone (0.35 vs 0.26 ms for the
    (64, 128, 7, 7) gradient of a DCGAN layer, 2-core machine).
    """
    t = a.transpose(1, 2, 3, 0)
    return t if t.flags.c_contiguous else backend.xp_of(a).ascontiguousarray(t)


def scratch(slot, shape, like):
    """An uninitialized array of ``like``'s dtype for a short-lived temporary, reused across calls.

    Why: a new multi-megabyte NumPy array is new memory from the operating system, and the first
    write to each 4 KiB page of it traps into the kernel (a page fault, which also zeroes the
    page) -- for a conv's column matrix that costs as much as filling it. Column matrices die as
    soon as their GEMM has run, so each thread keeps one buffer per ``slot`` and hands it out
    again; the caller must be done with it before the same slot is asked for again, and it must
    never reach a Tensor. On a GPU, CuPy's memory pool already recycles memory: we just allocate.
    """
    xp, dtype = backend.xp_of(like), like.dtype
    if backend.device_of(like) != 'cpu':
        return xp.empty(shape, dtype=dtype)
    size = dtype.itemsize
    for n in shape:
        size *= n
    buffers = _scratch.__dict__.setdefault('buffers', {})
    if slot not in buffers or buffers[slot].size < size:
        buffers[slot] = xp.empty(size, dtype=backend.uint8)
    return buffers[slot][:size].view(dtype).reshape(shape)


_scratch = threading.local()
# ----------------------------------------------------------------------------- padding, window sums
def pad_to_span(x, win, fill=0.0):
    """(C, H, W, N) padded with ``fill`` (or with its edges, when ``win.mode`` says so) or cut to
    exactly the rows/columns the windows read."""
    if win.mode != 'zeros':
        return _edge_pad_to_span(x, win)
    (H, W), (pt, pl), (hs, ws) = x.shape[1:3], win.pad, win.span
    if pt == 0 and pl == 0 and H >= hs and W >= ws:
        return x[:, :hs, :ws]
    out = scratch('pad', (x.shape[0], hs, ws, x.shape[3]), x)  # dies inside the caller's forward
    h, w = max(0, min(H, hs - pt)), max(0, min(W, ws - pl))
    out[:, pt:pt + h, pl:pl + w] = x[:, :h, :w]
    fill_outside(out, slice(pt, pt + h), slice(pl, pl + w), fill)
    return out


def fill_outside(a, rows, cols, fill):
    """Set a (C, H, W, ...) array to ``fill`` outside its block [:, rows, cols] (unit-step slices):
    the rows above and below the block, and the columns left and right of it."""
    a[:, :rows.start] = fill
    a[:, rows.stop:] = fill
    a[:, rows, :cols.start] = fill
    a[:, rows, cols.stop:] = fill


def crop_from_span(padded, win):
    """The adjoint of pad_to_span: the image's part of a padded (C, hs, ws, N) array."""
    (H, W), (pt, pl), (hs, ws) = win.big, win.pad, padded.shape[1:3]
    if pt + H <= hs and pl + W <= ws:
        return padded[:, pt:pt + H, pl:pl + W]
    xp = backend.xp_of(padded)
    out = xp.zeros((padded.shape[0], H, W, padded.shape[3]), dtype=padded.dtype)
    h, w = max(0, min(H, hs - pt)), max(0, min(W, ws - pl))
    out[:, :h, :w] = padded[:, pt:pt + h, pl:pl + w]
    return out


def window_sum(x, win):
    """Sum of each window, zero padding: (C, H, W, N) -> (C, OH, OW, N)."""
    xpad = pad_to_span(x, win)
    grids = [grid for _, _, grid in win.offsets()]
    total = xpad[grids[0]].copy()
    for grid in grids[1:]:
        total += xpad[grid]
    return total


def window_scatter(gy, win):
    """The adjoint of window_sum: each (C, OH, OW, N) value is added to every pixel of its window."""
    xp = backend.xp_of(gy)
    padded = xp.zeros((gy.shape[0],) + win.span + (gy.shape[3],), dtype=gy.dtype)
    for _, _, grid in win.offsets():
        padded[grid] += gy
    return crop_from_span(padded, win)
