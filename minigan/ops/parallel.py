"""Run a big elementwise kernel on every CPU core, block by block.

A NumPy ufunc runs on one core, and one core cannot draw all the memory bandwidth a memory-bound
op (relu, leaky_relu) needs: two cores move ~1.8x the bytes per second. NumPy releases the GIL
inside its loops, so a kernel cut into blocks of rows and handed to a small thread pool runs on
all cores at once -- as PyTorch's CPU kernels do. Blocks of ~a megabyte also keep each block's
temporaries in cache, so a chain of ops on one block streams memory once.

CuPy arrays run the kernel once on the whole arrays: the GPU is parallel already. So do small
arrays, where starting the threads would cost more than it saves.
"""
import os
from concurrent.futures import ThreadPoolExecutor

from .. import backend

BLOCK = 1 << 18    # elements per block (1 MB of float32): several blocks per core, each in cache
_pool = None


def cores():
    """The CPU cores this process may run on."""
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _threads():
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=cores(), thread_name_prefix='minigan-block')
    return _pool


def _forget_pool():
    global _pool
    _pool = None


# A forked child (a multiprocessing worker) inherits the pool object but not its threads: it
# would queue blocks that nobody runs. It starts a pool of its own instead.
os.register_at_fork(after_in_child=_forget_pool)


def _serial(array, size_needed):
    return backend.device_of(array) != 'cpu' or array.size < size_needed or cores() < 2


def by_rows(kernel, array):
    """[kernel(rows) for slices ``rows`` of dim 0 of ``array`` that together cover it].

    The kernel reads and writes only ``a[rows]`` of the arrays it works on, so blocks never
    overlap; what it returns (a partial sum, say) comes back in block order. On the host and for
    arrays of at least 2 blocks the slices run in parallel; otherwise ``kernel(...)`` runs once,
    in this thread (``a[...]`` is all of a, 0-d arrays included).
    """
    rows = array.shape[0] if array.ndim else 1
    if _serial(array, 2 * BLOCK) or rows < 2:
        return [kernel(...)]
    step = max(1, BLOCK * rows // array.size)
    return list(_threads().map(kernel, [slice(i, i + step) for i in range(0, rows, step)]))


def per_core(work, length, array):
    """Run work(lo, hi) over one block [lo, hi) of [0, length) per core, in parallel.

    For copies whose blocks are best big (im2col moves whole channels): ``array`` is the one the
    work writes, and decides, as in by_rows, whether threads are worth starting.
    """
    blocks = min(cores(), length)
    if _serial(array, BLOCK) or blocks < 2:
        work(0, length)
        return
    bounds = [length * k // blocks for k in range(blocks + 1)]
    for future in [_threads().submit(work, lo, hi) for lo, hi in zip(bounds, bounds[1:])]:
        future.result()  # re-raises a worker's exception here
