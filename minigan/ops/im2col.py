"""Sliding windows on raw arrays: the geometry and the data movers under conv and pooling.

A 2-D window op relates a *big* image (H, W) to a *small* one (OH, OW): output pixel (oh, ow)
looks at the big-image pixels

    (oh * sh + i * dh - pt,  ow * sw + j * dw - pl)     for kernel offsets i < kh, j < kw

(stride s, dilation d, top/left padding pt/pl; positions outside the image read the padding).
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
           -- kh*kw strided copies and adds, the only Python loop

Two more things make them fast: each core moves its own block of channels (parallel.per_core),
and the column matrices live in reused scratch memory (``scratch``).
"""
import threading
from collections import namedtuple

from .. import backend
from . import parallel


class Window(namedtuple('Window', 'kernel stride dilation pad big small')):
    """All (h, w) pairs: kernel size, stride, dilation, top/left padding, big and small sizes.

    Bottom/right padding is implied: the windows reach down to row ``span[0] - 1`` of the padded
    image; rows of the image beyond that are never read (as when the stride does not divide).
    """

    @property
    def span(self):
        """Rows and columns of the padded image the windows touch: (OH - 1) s + (k - 1) d + 1."""
        return tuple((o - 1) * s + (k - 1) * d + 1
                     for o, s, k, d in zip(self.small, self.stride, self.kernel, self.dilation))

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

    def valid(self, i, j):
        """For kernel offset (i, j): (output block, image block) of the reads that land inside
        the image -- the rest read padding. None when no read does."""
        blocks = [_valid_1d(o, n, s, k * d - p) for o, n, s, k, d, p
                  in zip(self.small, self.big, self.stride, (i, j), self.dilation, self.pad)]
        if None in blocks:
            return None
        (o_h, i_h), (o_w, i_w) = blocks
        return (slice(None), o_h, o_w), (slice(None), i_h, i_w)


def _valid_1d(n_out, n_in, stride, shift):
    """Outputs o in [0, n_out) whose read o*stride + shift lies in [0, n_in), and those reads."""
    lo = max(0, -(shift // stride))               # ceil(-shift / stride), at least 0
    hi = min(n_out, (n_in - 1 - shift) // stride + 1) if n_in - 1 - shift >= 0 else 0
    if hi <= lo:
        return None
    start = lo * stride + shift
    return slice(lo, hi), slice(start, start + (hi - lo - 1) * stride + 1, stride)


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

    def fill(lo, hi):  # channels lo..hi-1
        cols[lo:hi] = windows(pad_to_span(x[lo:hi], win), win)
    parallel.per_core(fill, C, cols)
    return cols.reshape(C * kh * kw, oh * ow * N)


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

    Each kernel offset adds its block of columns onto the pixels it read. The pixels of one
    stride phase (rows h = p mod sh, columns w = q mod sw) are what a block can reach; the first
    block of each phase is copied in rather than added, and the rest of that phase set to 0, so
    no pass zeroes the whole image first (with 16 offsets over 4 phases: 12 adds, not 16).
    """
    xp = backend.xp_of(cols)
    (kh, kw), (sh, sw), (H, W) = win.kernel, win.stride, win.big
    cols = cols.reshape((C, kh, kw) + win.small + (N,))
    x = xp.empty((C, H, W, N), dtype=cols.dtype)

    def accumulate(lo, hi):
        image, parts, started = x[lo:hi], cols[lo:hi], set()
        for i in range(kh):
            for j in range(kw):
                blocks = win.valid(i, j)
                if blocks is None:
                    continue
                (_, rows, columns), (_, h, w) = blocks
                phase = (h.start % sh, w.start % sw)
                if phase in started:
                    image[:, h, w] += parts[:, i, j, rows, columns]
                    continue
                image[:, h, w] = parts[:, i, j, rows, columns]
                r, t = h.start // sh, w.start // sw  # the block within the phase's own grid
                fill_outside(image[:, phase[0]::sh, phase[1]::sw],
                             slice(r, r + _count(h, H)), slice(t, t + _count(w, W)), 0)
                started.add(phase)
        for p in range(sh):
            for q in range(sw):
                if (p, q) not in started:  # pixels no window reads (kernel smaller than stride)
                    image[:, p::sh, q::sw] = 0
    parallel.per_core(accumulate, C, cols)
    return x


def _count(index, n):
    """How many of range(n) a slice picks."""
    return len(range(*index.indices(n)))


def to_chwn(a):
    """The values of an (N, C, H, W) array as a C-contiguous (C, H, W, N) array: a free view when
    it is stored that way already (the output of a conv), one transposing copy otherwise."""
    t = a.transpose(1, 2, 3, 0)
    if t.flags.c_contiguous:
        return t
    out = backend.xp_of(a).empty(t.shape, dtype=a.dtype)

    def copy(lo, hi):
        out[lo:hi] = t[lo:hi]
    parallel.per_core(copy, t.shape[0], out)
    return out


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
    """(C, H, W, N) padded with ``fill`` (or cut) to exactly the rows/columns the windows read."""
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
