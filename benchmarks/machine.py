"""The machine and its ceilings: what the hardware can do, measured before anything else.

    sgemm      2·n³ / t: an n×n float32 matrix product, n = 2048, through the device's array
               module (``minigan.backend.module_for``: NumPy's BLAS, or cuBLAS through CuPy) --
               the most arithmetic per second any kernel here can hope for
    copy       2·bytes / t: a 256 MB float32 array copied into another (bytes read + written),
               once on one thread and once cut into blocks over every core (minigan's block
               pool, ops/parallel.py, as its elementwise kernels run); the better of the two is
               the memory bandwidth that bounds the elementwise and normalization kernels

The best of a few repeats, since a ceiling is what the machine *can* do. Besides: thread counts
(BLAS, PyTorch, minigan's pool), library versions, the CPU model, the date and the load average --
on a machine shared with other work, the figures mean what they mean at that load.
"""
import ctypes
import datetime
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np  # the benchmark, not minigan, times the raw array module

import minigan as mg
from minigan import backend
from minigan.ops import parallel

from .sides import synchronizer, torch, torch_on


def _best_seconds(fn, sync, repeats):
    fn()  # warm-up: first-call allocation, thread start
    sync()
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - start)
    return best


def sgemm_gflops(device, n=2048, repeats=5):
    """Best GFLOP/s of an n×n float32 matmul through minigan's array module for ``device``."""
    xp = backend.module_for(device)
    a = xp.asarray(np.random.default_rng(0).standard_normal((n, n)).astype(np.float32))
    out = xp.empty_like(a)
    t = _best_seconds(lambda: xp.matmul(a, a, out=out), synchronizer('minigan', device), repeats)
    return 2 * n ** 3 / t / 1e9


def torch_sgemm_gflops(device, n=2048, repeats=5):
    """The same product through PyTorch on ``device`` (its BLAS may not be NumPy's); None without."""
    if not torch_on(device):
        return None
    a = torch.randn(n, n, device=device)
    out = torch.empty_like(a)
    t = _best_seconds(lambda: torch.matmul(a, a, out=out), synchronizer('torch', device), repeats)
    return 2 * n ** 3 / t / 1e9


def copy_gbps(device, megabytes=256, repeats=5):
    """{'one_thread': GB/s, 'all_cores': GB/s, 'best': the larger} of copying a float32 array
    (bytes read + written)."""
    xp = backend.module_for(device)
    src = xp.ones(megabytes * 2 ** 20 // 4, dtype=np.float32)
    dst = xp.empty_like(src)
    sync = synchronizer('minigan', device)
    moved = 2 * src.nbytes / 1e9
    one = _best_seconds(lambda: xp.copyto(dst, src), sync, repeats)

    def blocked():
        parallel.by_rows(lambda rows: xp.copyto(dst[rows], src[rows]), src)
    rates = dict(one_thread=moved / one, all_cores=moved / _best_seconds(blocked, sync, repeats))
    return dict(rates, best=max(rates.values()))


def ceilings(device, quick=False):
    """The device's ceilings; tiny sizes when ``quick`` (a smoke run: the figures mean little)."""
    n, mb, repeats = (256, 8, 2) if quick else (2048, 256, 5)
    return dict(sgemm_n=n, sgemm_gflops=sgemm_gflops(device, n, repeats),
                torch_sgemm_gflops=torch_sgemm_gflops(device, n, repeats),
                copy_mb=mb, copy_gbps=copy_gbps(device, mb, repeats))


# ----------------------------------------------------------------------------- what the machine is
def load_average():
    """(1, 5, 15)-minute load averages: runnable threads of every process; None where unknown."""
    return list(os.getloadavg()) if hasattr(os, 'getloadavg') else None


def cpu_model():
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def openblas():
    """[{'config': ..., 'threads': n}] for each OpenBLAS NumPy loaded, asked through its own
    functions (plain names, or the scipy_openblas...64_ names of NumPy's own wheels)."""
    found = []
    for path in backend._openblas_paths():  # the libraries backend finds for its thread tuning
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (('', ''), ('scipy_', '64_')):
            config = getattr(lib, f'{prefix}openblas_get_config{suffix}', None)
            count = getattr(lib, f'{prefix}openblas_get_num_threads{suffix}', None)
            if config is not None and count is not None:
                config.restype = ctypes.c_char_p
                found.append(dict(config=config().decode(), threads=count()))
                break
    return found


def threads():
    """Threads each library computes on (minigan's block pool has one per usable core)."""
    return dict(cpu_count=os.cpu_count(), usable_cores=parallel.cores(),
                openblas=openblas(), openblas_threads_sleep=backend.blas_threads_sleep,
                torch=None if torch is None else torch.get_num_threads(),
                torch_interop=None if torch is None else torch.get_num_interop_threads(),
                env={k: os.environ[k] for k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')
                     if k in os.environ})


def versions(device):
    found = dict(python=platform.python_version(), minigan=mg.__version__, numpy=np.__version__,
                 torch=None if torch is None else torch.__version__)
    if device == 'cuda':
        found['cupy'] = getattr(backend.module_for('cuda'), '__version__', 'stand-in')
        if torch_on('cuda'):
            found['torch_cuda'] = torch.version.cuda
    return found


def commit():
    """The checkout's git commit (short; "-dirty" with uncommitted changes), or None outside git."""
    try:
        return subprocess.run(['git', 'describe', '--always', '--dirty'], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=5).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def describe(device):
    """Everything about the machine that a figure depends on."""
    return dict(date=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
                platform=platform.platform(), cpu=cpu_model(), device=device,
                gpu=gpu_name(device), versions=versions(device), threads=threads(), commit=commit())


def gpu_name(device):
    if device != 'cuda':
        return None
    if torch_on('cuda'):
        return torch.cuda.get_device_name()
    cuda = getattr(backend.module_for('cuda'), 'cuda', None)
    try:
        return cuda.runtime.getDeviceProperties(0)['name'].decode()
    except (AttributeError, KeyError, TypeError):
        return 'stand-in (no GPU)'
