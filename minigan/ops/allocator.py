"""Keep freed array memory in the process, so that the next training step reuses it.

Every kernel hands out new arrays, and a DCGAN step at batch 64 allocates and frees about 50 MB
of them. glibc's malloc gives an array of more than 128 KB its own fresh pages from the
operating system (mmap) and returns them on free; it raises that threshold as it sees big blocks
freed, but it also returns the free top of its heap to the system once more than twice the
threshold is free there. Either way the next step's arrays land on new pages, and the first write
to each 4 KiB page traps into the kernel, which zeroes it: ~13,000 such page faults per DCGAN
step, 36 ms of system time per step on the 2-core development machine (loaded). With both
thresholds set, freed blocks stay in the heap and are handed out again: 11 faults per step, 3 ms,
and the same peak memory (414 MB), since a step needs the same arrays as the one before.

The two settings:

    M_MMAP_THRESHOLD  32 MiB   blocks up to this come from the heap (glibc's own dynamic limit on
                               64-bit; a DCGAN's largest array, a 12.8 MB column matrix, fits)
    M_TRIM_THRESHOLD  256 MiB  free memory kept at the top of the heap before any goes back

Setting only the trim threshold turns the dynamic mmap threshold off at 128 KB and makes it worse
(38,000 faults per step); only both together help. PyTorch's GPU allocator keeps freed memory for
the same reason. The cost: the process's resident memory does not shrink between steps.

``keep_freed_memory`` runs once, when minigan is imported, on Linux with glibc only. It does
nothing when the user chose for themselves (glibc's MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_
environment variables or a malloc tunable in GLIBC_TUNABLES: glibc honoured those already).
"""
import ctypes
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3   # mallopt's parameter numbers (malloc.h)
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20
USER_SETTINGS = ('MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_')


def keep_freed_memory():
    """Set glibc's mmap and trim thresholds (above); returns whether it did."""
    if not sys.platform.startswith('linux') or any(v in os.environ for v in USER_SETTINGS):
        return False
    if 'glibc.malloc' in os.environ.get('GLIBC_TUNABLES', ''):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library already loaded into this process
    except (OSError, AttributeError):        # not glibc (musl has no mallopt to speak of)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


freed_memory_kept = keep_freed_memory()
