"""Reflect and replicate edges of raw arrays: padding one axis, and its adjoint, the fold.

Along one axis of length n, with lo entries added before and hi after:

    reflect     x[lo] .. x[1] | x[0] .. x[n-1] | x[n-2] .. x[n-1-hi]    (mirror, edge not repeated; lo, hi < n)
    replicate   x[0] (lo times) | x[0] .. x[n-1] | x[n-1] (hi times)

Padding only copies entries, so it is linear, and its adjoint -- the fold -- adds the value at
every padded position back onto the entry it was copied from. F.pad's Functions (pad.py) run
these, and so does a convolution that pads by reflection itself (im2col.py builds the padded
image inside the column gather, and the transposed convolution folds the edges back).
"""
from .. import backend

EDGE_MODES = ('reflect', 'replicate')


def along(axis, index):
    """An index tuple that applies ``index`` (a slice) to ``axis`` and keeps the other dims."""
    return (slice(None),) * axis + (index,)


def fill_edges(a, axis, lo, hi, mode):
    """Write the lo first and hi last entries of ``a`` along ``axis`` (in place) from its middle,
    which holds the image: a = edge_pad(middle)."""
    n = a.shape[axis] - lo - hi
    if mode == 'reflect':  # entry lo - k is entry lo + k; entry lo + n - 1 + k is lo + n - 1 - k
        a[along(axis, slice(0, lo))] = _flip(a[along(axis, slice(lo + 1, 2 * lo + 1))], axis)
        a[along(axis, slice(lo + n, lo + n + hi))] = _flip(a[along(axis, slice(lo + n - 1 - hi, lo + n - 1))], axis)
    else:
        a[along(axis, slice(0, lo))] = a[along(axis, slice(lo, lo + 1))]
        a[along(axis, slice(lo + n, lo + n + hi))] = a[along(axis, slice(lo + n - 1, lo + n))]


def add_edges(gx, g, axis, lo, hi, mode):
    """gx += the edges of g (gx's shape padded by lo, hi along ``axis``), each entry of them added
    onto the entry it was copied from: with gx = the middle of g, gx becomes edge_fold(g)."""
    n = gx.shape[axis]
    before, after = g[along(axis, slice(0, lo))], g[along(axis, slice(lo + n, lo + n + hi))]
    if mode == 'reflect':
        gx[along(axis, slice(1, lo + 1))] += _flip(before, axis)
        gx[along(axis, slice(n - 1 - hi, n - 1))] += _flip(after, axis)
    else:
        gx[along(axis, slice(0, 1))] += before.sum(axis=axis, keepdims=True)
        gx[along(axis, slice(n - 1, n))] += after.sum(axis=axis, keepdims=True)


def edge_pad(x, axis, lo, hi, mode):
    """x with lo entries before and hi after along ``axis``, copied from x's edges as ``mode`` says."""
    shape = list(x.shape)
    shape[axis] += lo + hi
    a = backend.xp_of(x).empty(tuple(shape), dtype=x.dtype)
    a[along(axis, slice(lo, lo + x.shape[axis]))] = x
    fill_edges(a, axis, lo, hi, mode)
    return a


def edge_fold(g, axis, lo, hi, mode):
    """The adjoint of ``edge_pad``: the middle of g, plus each padded entry's g added to its source."""
    gx = g[along(axis, slice(lo, g.shape[axis] - hi))].copy()
    add_edges(gx, g, axis, lo, hi, mode)
    return gx


def _flip(a, axis):
    """a reversed along ``axis``: the view xp.flip gives, without its argument checks (0.3 against
    1.4 us a call; a CycleGAN step flips ~650 edges)."""
    return a[along(axis, slice(None, None, -1))]
