"""Run a big elementwise kernel on every CPU core, block by block, in memory order.

A NumPy ufunc runs on one core, and one core cannot draw all the memory bandwidth a memory-bound
op (relu, leaky_relu) needs: two cores move ~1.8x the bytes per second. NumPy releases the GIL
inside its loops, so a kernel cut into blocks of rows and handed to a small thread pool runs on
all cores at once -- as PyTorch's CPU kernels do. Blocks of a quarter megabyte also keep each
block's operands and temporaries in cache, so a chain of ops on one block streams memory once.

Memory order. A convolution returns an (N, C, H, W) *view* of (C, H, W, N) storage (ops/conv.py):
dim 0 is the innermost axis in memory, so blocks of dim 0 are strided gathers whose inner loops
are a few elements long (leaky_relu on (64, 64, 14, 14): 11 ms that way, 0.9 ms in memory order).
``blocks`` therefore views every operand with its axes in the storage order of a reference array
(``storage_order``: there the reference is C-contiguous) and cuts along the outermost axis *in
memory*. Outputs made with ``xp.empty_like(reference)`` keep the reference's strides, so a result
leaves in the layout its input came in, and the next convolution reads it back without a copy.

CuPy arrays run the kernel once on the whole arrays: the GPU is parallel already. So do small
arrays, where starting the threads would cost more than it saves.
"""
import math
import os
from concurrent.futures import ThreadPoolExecutor

from .. import backend

# Elements per block (256 KB of float32). A kernel makes several passes over its block (leaky_relu:
# compare, scale, max), and its 3-4 operands of one block stay in the core's L2 (2 MB) between
# them: on one core, leaky_relu fwd+bwd on (64, 64, 14, 14) took 1.60 ms as one slab, 1.11 ms in
# blocks of 64k (relu 1.16 -> 0.86, batch_norm 2.85 -> 2.66). So even a kernel that runs on
# one core runs block by block.
BLOCK = 1 << 16
# Blocks from which an array's kernel runs on every core; smaller arrays run on this thread alone.
# 4 (256k elements) on the quiet 2-core machine, DCGAN step against PyTorch's, interleaved, 4 runs
# of 40 steps each way: 1.48x (1.44-1.51) from 4 blocks, 1.52x (1.51-1.53) from 8; InfoGAN's step
# 1.32x / 1.36x, WGAN-GP's 1.22-1.26x either way. (Under a load of other normal-priority processes,
# earlier, starting threads from fewer elements had lost: a waiting thread holds up its block.)
THREADS_FROM = 4
# Blocks shared out between threads are this many times bigger: every block costs some Python
# under the GIL, and on a busy 2-core machine leaky_relu fwd+bwd at (64, 64, 14, 14) took 1.88 ms
# in 14 blocks of 64k, 1.29 ms in 4 of 256k.
THREAD_BLOCK = 4
# A broadcast operand whose inner run (the elements it stays constant over, contiguous in memory)
# is shorter than this is copied out over that run first (``_widen``): per-channel values
# against (N, C, 7, 7) run 49 elements per inner loop, and NumPy's per-loop cost makes that
# ~1.4x slower than a widened (1, C, 7, 7) plane; from ~1000 elements on it no longer matters.
SHORT_RUN = 1024
_pool = None


def cores():
    """The CPU cores this process may run on."""
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _threads():
    """The pool of helper threads: one per core but this one, which works too (``_share``)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(1, cores() - 1), thread_name_prefix='minigan-block')
    return _pool


def _forget_pool():
    global _pool
    _pool = None


# A forked child (a multiprocessing worker) inherits the pool object but not its threads: it
# would queue blocks that nobody runs. It starts a pool of its own instead.
os.register_at_fork(after_in_child=_forget_pool)


def _serial(array, size_needed, size=None):
    """Run in this thread alone? On a GPU, on one core, or for fewer than ``size_needed``
    elements (``size``, else the array's)."""
    return (backend.device_of(array) != 'cpu' or (array.size if size is None else size) < size_needed
            or cores() < 2)


def _share(task, items):
    """[task(item) for item in items], the items shared out between this thread and the pool's.

    Each thread takes the next item left until none is, so a thread the OS keeps waiting (a
    busy machine) holds up its current item only, and this thread never sits idle waiting for
    a helper to wake up. (``next`` on a shared range iterator is atomic: it holds the GIL.)
    """
    results = [None] * len(items)
    left = iter(range(len(items)))

    def take():
        for i in left:
            results[i] = task(items[i])
    helpers = [_threads().submit(take) for _ in range(min(cores(), len(items)) - 1)]
    try:
        take()
    finally:
        for helper in helpers:
            helper.result()  # waits; re-raises a helper's exception here
    return results


def by_rows(kernel, array, axis=0):
    """[kernel(rows) for slices ``rows`` of dim ``axis`` of ``array`` that together cover it].

    ``rows`` indexes the array: a slice for axis 0, else a tuple (:, ..., :, slice). The kernel
    reads and writes only ``a[rows]`` of the arrays it works on, so blocks never overlap; what it
    returns (a partial sum, say) comes back in block order. On the host, an array of more than
    a block is cut into slices of about a block, which run in parallel from ``THREADS_FROM``
    blocks on and one after the other in this thread below that; otherwise (on a GPU too)
    ``kernel(...)`` runs once, in this thread (``a[...]`` is all of a, 0-d arrays included).
    """
    rows = array.shape[axis] if array.ndim else 1
    if rows < 2 or array.size <= BLOCK or backend.device_of(array) != 'cpu':
        return [kernel(...)]
    threaded = not _serial(array, THREADS_FROM * BLOCK)
    if threaded:  # bigger blocks, a whole number per core (so that no core idles at the end)
        blocks = -(-array.size // (THREAD_BLOCK * BLOCK))
        blocks = -(-blocks // cores()) * cores()
    else:
        blocks = -(-array.size // BLOCK)
    step = -(-rows // min(blocks, rows))
    lead = (slice(None),) * axis
    cuts = [slice(i, i + step) for i in range(0, rows, step)]
    cuts = cuts if axis == 0 else [lead + (c,) for c in cuts]
    return _share(kernel, cuts) if threaded else [kernel(c) for c in cuts]


def per_core(work, length, array):
    """Run work(lo, hi) over one block [lo, hi) of [0, length) per core, in parallel.

    For copies whose blocks are best big (im2col moves whole channels): ``array`` is the one the
    work writes, and decides, as in by_rows, whether threads are worth starting.
    """
    blocks = min(cores(), length)
    if _serial(array, 4 * BLOCK) or blocks < 2:  # threads from 256k elements, as im2col was tuned
        work(0, length)
        return
    bounds = [length * k // blocks for k in range(blocks + 1)]
    _share(lambda block: work(*block), list(zip(bounds, bounds[1:])))


# ----------------------------------------------------------------------------- memory order
def storage_order(array):
    """The axes of ``array`` from outermost to innermost in memory.

    ``array.transpose(order)`` is C-contiguous when ``array`` is a permutation of a contiguous
    array: (1, 2, 3, 0) for a convolution's output, (0, 1, 2, 3) for a contiguous one. Axes of
    size 1 go last (their stride means nothing), so the outermost axis is one worth cutting.
    """
    return tuple(sorted(range(array.ndim),
                        key=lambda d: -abs(array.strides[d]) if array.shape[d] > 1 else 1))


def inverse(order):
    """The permutation that undoes ``order``: a.transpose(order).transpose(inverse(order)) is a."""
    return tuple(sorted(range(len(order)), key=order.__getitem__))


def blocks(kernel, like, *arrays):
    """[kernel(*slabs) for slabs of ``arrays`` that together cover them], in ``like``'s memory order.

    ``arrays`` have ``like``'s shape or broadcast to it (fewer dims get leading 1s), or are None
    (an operand the kernel may go without: it gets None). Each array is viewed with its axes in
    ``storage_order(like)`` and cut into slabs along one axis: the outermost in like's memory,
    unless that is the innermost of another operand laid out differently (its slabs would be
    scattered elements; the next axis is taken). An array of size 1 along the cut (a per-channel
    operand, say) goes whole to every slab, and one that broadcasts over a short inner run is
    first widened over it (``SHORT_RUN``). The kernel reads and writes only its slabs; what it
    returns comes back in slab order. Parallel as ``by_rows``.
    """
    if _whole(like):
        return [kernel(*arrays)]
    return _in_slabs(kernel, like, *_frame(like, arrays))


def many(tasks):
    """Run several ``blocks`` calls as one: ``tasks`` is a list of (kernel, like, *arrays), each
    cut into slabs as ``blocks`` cuts it, and the slabs of all of them shared out in one go.

    For many middling arrays at once -- an optimizer step. A DCGAN's 18 parameters hold 680k
    numbers together, but most of them are far under the ``THREADS_FROM`` blocks from which
    ``blocks`` starts threads, so parameter by parameter most of the update ran on one core (Adam on
    G and D: 1.68x PyTorch's time; 1.32x so, in one run on the busy 2-core machine). The total decides,
    and each array is cut into pieces of about a block, so that the cores finish together (the
    small arrays go whole, as one piece each, into the same queue).
    """
    if not tasks or _serial(tasks[0][1], THREADS_FROM * BLOCK, size=sum(task[1].size for task in tasks)):
        for kernel, like, *arrays in tasks:
            kernel(*arrays)
        return
    pieces = []
    for kernel, like, *arrays in tasks:
        if like.size < 2 * BLOCK:
            pieces.append((kernel, arrays, None, None))
            continue
        order, views, cut = _frame(like, arrays)
        rows = like.shape[order[cut]]
        step = -(-rows // min(rows, like.size // BLOCK))
        lead = (slice(None),) * cut
        pieces += [(kernel, views, lead + (slice(i, i + step),), cut) for i in range(0, rows, step)]

    def run(piece):
        kernel, arrays, index, cut = piece
        if index is None:
            return kernel(*arrays)
        return kernel(*(v if v is None or v.shape[cut] == 1 else v[index] for v in arrays))
    _share(run, pieces)


def sums(kernel, like, dims, *arrays):
    """A sum over ``dims`` computed slab by slab (as ``blocks``) and joined, in keepdim shape.

    ``kernel(dims_here, *slabs)`` returns the keepdim sum over ``dims_here`` of its slabs --
    ``dims`` renamed to the slabs' axes, which are in like's memory order. The slabs' sums are
    added up when the cut axis is summed over, else stacked along it; the result has the
    original axis order and is C-contiguous.
    """
    if _whole(like):
        return backend.xp_of(like).ascontiguousarray(kernel(tuple(sorted(dims)), *arrays))
    order, views, cut = _frame(like, arrays)
    dims_here = tuple(sorted(order.index(d) for d in dims))
    parts = _in_slabs(lambda *slabs: kernel(dims_here, *slabs), like, order, views, cut)
    return _joined(parts, cut in dims_here, cut, order)


def whole_groups(kernel, like, dims, *arrays):
    """``sums`` for a kernel that needs every element of a group at once -- a normalization,
    whose groups are the elements that share their index outside ``dims`` (batch norm: a
    channel). Then a slab must hold whole groups: the cut axis must not be one of ``dims``.

    ``kernel(dims_here, *slabs)`` returns a tuple of keepdim arrays, one value per group of its
    slabs (a mean, a variance); each is stacked over the slabs, in the original axis order,
    C-contiguous. Returns the list of them; or None, running nothing, when like's memory order
    puts a summed axis outermost (the (N, C, H, W) storage of batch norm's input cuts each
    channel into a slab per image): then the caller goes pass by pass with ``sums``.
    """
    order, views, cut = _frame(like, arrays)
    dims_here = tuple(sorted(order.index(d) for d in dims))
    if cut in dims_here:
        return None
    parts = _in_slabs(lambda *slabs: kernel(dims_here, *slabs), like, order, views, cut)
    return [_joined(list(values), False, cut, order) for values in zip(*parts)]


def _joined(parts, summed, cut, order):
    """Keepdim arrays of the slabs (in like's memory order) as one, in the original axis order:
    added up when the cut axis is ``summed`` over, else stacked along it."""
    xp = backend.xp_of(parts[0])
    if len(parts) > 1 and not summed:
        total = xp.concatenate(parts, axis=cut)
    else:
        total = parts[0]
        for part in parts[1:]:
            total = total + part
    return xp.ascontiguousarray(total.transpose(inverse(order)))


def _whole(like):
    """Does a kernel over arrays like ``like`` run once on them as they are? On a GPU, and on the
    host for at most a block: there would be one slab, so there is no memory order to work out.
    That bookkeeping costs ~20 us a call, more than the kernel on an array of 6,272 numbers
    (a (1, 128, 7, 7) activation of CycleGAN's residual blocks: ReLU's forward took 23 us, torch's
    2 us); the kernels are elementwise, so the axes' order does not change what they compute."""
    return like.size <= BLOCK or backend.device_of(like) != 'cpu'


def _in_slabs(kernel, like, order, views, cut):
    """Run ``blocks``'s slabs of ``views`` (from ``_frame``); their results in order."""
    def slab(index):
        return kernel(*(v if v is None or index is Ellipsis or v.shape[cut] == 1 else v[index]
                        for v in views))
    return by_rows(slab, like.transpose(order), cut)


def _frame(like, arrays):
    """(order, views, cut): the arrays transposed into like's memory order, and the axis of the
    views to cut -- the outermost one that is no operand's innermost.

    An operand in another layout is read strided. Walking *its* order instead wins sometimes
    (0.85 against 1.05 ms for leaky_relu's backward at (64, 128, 7, 7)) and loses badly other
    times (5 against 0.9 ms for an Adam step on a (128, 64, 4, 4) weight whose gradient has the
    output channel innermost: then three arrays are strided, by a whole 4 KB page), so the
    reference's order it is, always: predictable, and never far off.
    """
    order = storage_order(like)
    shape = tuple(like.shape[d] for d in order)
    views = [None if a is None else _widen(_leading_ones(a, like.ndim).transpose(order), shape)
             for a in arrays]
    innermost = {_last_long(storage_order(v), shape) for v in _stored(views, shape)}
    cut = next((d for d, n in enumerate(shape) if n > 1 and d not in innermost), 0)
    return order, views, cut


def _stored(views, shape):
    """The views of full ``shape`` that hold an element per index (no broadcast, stride-0 axis)."""
    return [v for v in views if v is not None and tuple(v.shape) == shape and v.size > 1
            and all(st or n == 1 for st, n in zip(v.strides, v.shape))]


def _last_long(order, shape):
    """The innermost axis of ``order`` longer than 1 (storage_order puts axes of size 1 last)."""
    return next(d for d in reversed(order) if shape[d] > 1)


def _leading_ones(a, ndim):
    return a.reshape((1,) * (ndim - a.ndim) + a.shape) if a.ndim < ndim else a


def _widen(a, shape):
    """``a`` (broadcasting to the C-contiguous ``shape``) copied out over its inner run when
    that run is short and the copy small (at most half of ``shape``); else ``a`` itself."""
    varies = [i for i, n in enumerate(a.shape) if n > 1]
    if not varies or tuple(a.shape) == tuple(shape):
        return a
    wide = tuple(a.shape[:varies[-1] + 1]) + tuple(shape[varies[-1] + 1:])
    if math.prod(shape[varies[-1] + 1:]) >= SHORT_RUN or 2 * math.prod(wide) > math.prod(shape):
        return a
    xp = backend.xp_of(a)
    return xp.ascontiguousarray(xp.broadcast_to(a, wide))
