"""Sliding windows on raw arrays: the geometry and the data movers under conv and pooling.

A 2-D window op relates a *big* image (H, W) to a *small* one (OH, OW): output pixel (oh, ow)
looks at the big-image pixels

    (oh * sh + i * dh - pt,  ow * sw + j * dw - pl)     for kernel offsets i < kh, j < kw

(stride s, dilation d, top/left padding pt/pl; positions outside the image read the padding).
conv2d and the pools go big -> small; conv_transpose2d goes small -> big.

Layout: every kernel here takes and returns (C, H, W, N) arrays -- channels outermost, batch
innermost. Two reasons:
  * a strided slice of the image then moves runs of N contiguous numbers, not runs of OW (often
    7 or 14): NumPy's per-row overhead, not memory, is what makes a naive im2col slow;
  * the column matrix comes out as (C*kh*kw, OH*OW*N), so W (O, C*kh*kw) @ cols lands directly
    in (O, OH, OW, N) -- the same layout, ready for the next layer -- and a conv group is a
    contiguous block of rows.
The ops in conv.py / pool.py hand out (N, C, H, W) *views* of these buffers.

  im2col   (C, H, W, N) -> cols (C*kh*kw, OH*OW*N):  cols[c, i, j, oh, ow, n] = xpad[c, oh*sh + i*dh, ow*sw + j*dw, n]
  col2im   its adjoint: every column entry is *added* back to the pixel it was read from

Only the kh*kw kernel offsets are a Python loop; each step moves one strided slice of the whole
tensor.
"""
from collections import namedtuple

from .. import backend


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
        blocks = [_valid_1d(o, n, s, k * d - p)
                  for o, n, s, k, d, p in zip(self.small, self.big, self.stride, (i, j), self.dilation, self.pad)]
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


def im2col(x, win):
    """(C, H, W, N) -> columns (C*kh*kw, OH*OW*N), rows ordered (c, i, j), columns (oh, ow, n).

    Reads that fall in the padding are zeros, written straight into the columns (no padded copy
    of the image is made).
    """
    xp = backend.xp_of(x)
    C, N = x.shape[0], x.shape[3]
    (kh, kw), (oh, ow) = win.kernel, win.small
    if N > 1 and x.strides[3] != x.itemsize:
        # stored (N, C, H, W): transpose once, not once per kernel offset (each pixel is read
        # kh*kw / (sh*sw) times, and a read across the batch here jumps a whole image)
        x = xp.ascontiguousarray(x)
    cols = xp.empty((C, kh, kw, oh, ow, N), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            dst, blocks = cols[:, i, j], win.valid(i, j)
            if blocks is None:
                dst[...] = 0
                continue
            (_, rows, cs), src = blocks
            dst[:, rows, cs] = x[src]
            # zero the border strips that read padding (empty slices when there are none)
            dst[:, :rows.start] = 0
            dst[:, rows.stop:] = 0
            dst[:, rows, :cs.start] = 0
            dst[:, rows, cs.stop:] = 0
    return cols.reshape(C * kh * kw, oh * ow * N)


def col2im(cols, win, C, N):
    """The adjoint of im2col: columns (C*kh*kw, OH*OW*N) -> (C, H, W, N), overlaps summed."""
    xp = backend.xp_of(cols)
    (kh, kw), (oh, ow) = win.kernel, win.small
    cols = cols.reshape(C, kh, kw, oh, ow, N)
    x = xp.zeros((C,) + win.big + (N,), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            blocks = win.valid(i, j)
            if blocks is not None:
                (_, rows, cs), dst = blocks
                x[dst] += cols[:, i, j, rows, cs]
    return x


# ----------------------------------------------------------------------------- pooling helpers
def pad_to_span(x, win, fill=0.0):
    """(C, H, W, N) padded with ``fill`` (or cut) to exactly the rows/columns the windows read."""
    (H, W), (pt, pl), (hs, ws) = x.shape[1:3], win.pad, win.span
    if pt == 0 and pl == 0 and H >= hs and W >= ws:
        return x[:, :hs, :ws]
    xp = backend.xp_of(x)
    out = xp.full((x.shape[0], hs, ws, x.shape[3]), fill, dtype=x.dtype)
    h, w = max(0, min(H, hs - pt)), max(0, min(W, ws - pl))
    out[:, pt:pt + h, pl:pl + w] = x[:, :h, :w]
    return out


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
