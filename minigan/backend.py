"""The one place that imports NumPy and CuPy.

Everything else asks this module for the *array module* of its inputs (``xp_of(array)``) and
writes ``xp.exp(x)``, ``xp.matmul(a, b)``... so that the same line runs on NumPy arrays (device
``'cpu'``) and on CuPy arrays (device ``'cuda'``). CuPy is optional: it is imported the first time
``'cuda'`` is asked for, and a clear error says what is missing when it cannot be.

Random numbers are drawn on the host by one NumPy generator and copied to the device. That costs
a transfer, but it means ``manual_seed(n)`` gives the same numbers on CPU and GPU, so a run can be
compared across devices number for number.

On import, NumPy's OpenBLAS is told to let its idle worker threads sleep at once
(``_let_blas_threads_sleep``): their default busy-wait takes a core from minigan's own kernels.
"""
import ctypes
import os

import numpy

from .errors import (ArgumentError, ArgumentTypeError, CheckpointError, DeviceError, DTypeError, MiniganError,
                     ShapeError)

DEFAULT_DTYPE = numpy.dtype(numpy.float32)

# dtypes under torch's names; NumPy dtype objects work for CuPy arrays too.
float16 = numpy.dtype(numpy.float16)
float32 = numpy.dtype(numpy.float32)
float64 = numpy.dtype(numpy.float64)
int32 = numpy.dtype(numpy.int32)
int64 = numpy.dtype(numpy.int64)
uint8 = numpy.dtype(numpy.uint8)
bool_ = numpy.dtype(numpy.bool_)

DEVICES = ('cpu', 'cuda')

_gpu_module = None  # cupy, once loaded (tests may put a stand-in with cupy's interface here)


def _gpu():
    """The CuPy module, importing it on first use; a clear error when CuPy or a GPU is missing."""
    global _gpu_module
    if _gpu_module is None:
        try:
            import cupy
        except ImportError as err:
            raise DeviceError(
                "device 'cuda' needs CuPy, which is not installed: "
                "pip install 'minigan[gpu]' (or the cupy wheel for your CUDA version)") from err
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as err:  # CUDA driver missing or broken
            raise DeviceError(f"device 'cuda': CuPy is installed but no GPU is usable ({err})") from err
        if count == 0:
            raise DeviceError("device 'cuda': CuPy is installed but this machine has no GPU")
        _gpu_module = cupy
    return _gpu_module


def cuda_is_available():
    """True when CuPy imports and sees at least one GPU (like torch.cuda.is_available)."""
    try:
        _gpu()
    except RuntimeError:
        return False
    return True


def normalize_device(device):
    """'cpu', 'cuda', 'cuda:0' or None -> 'cpu' | 'cuda' (None means 'cpu')."""
    if device is None:
        return 'cpu'
    name = str(device).split(':')[0]
    if name not in DEVICES:
        raise DeviceError(f"unknown device {device!r}: expected 'cpu' or 'cuda'")
    return name


def module_for(device):
    """The array module that holds arrays of ``device``."""
    return numpy if normalize_device(device) == 'cpu' else _gpu()


def xp_of(array):
    """The array module (numpy or cupy) of ``array``: write ``xp = xp_of(x)`` then ``xp.exp(x)``."""
    if _gpu_module is not None and isinstance(array, _gpu_module.ndarray):
        return _gpu_module
    return numpy


def device_of(array):
    return 'cpu' if xp_of(array) is numpy else 'cuda'


def is_array(obj):
    """True for a NumPy or CuPy ndarray."""
    return isinstance(obj, numpy.ndarray) or (
        _gpu_module is not None and isinstance(obj, _gpu_module.ndarray))


def synchronize():
    """Wait until the GPU has finished the work queued so far (nothing to wait for without CuPy).

    GPU calls return before the GPU is done: a timer read without waiting measures the launch.
    """
    cuda = getattr(_gpu_module, 'cuda', None)  # absent on the tests' CuPy stand-in
    if cuda is not None:
        cuda.get_current_stream().synchronize()


def to_device(array, device):
    """Copy ``array`` to ``device`` (no copy when it is there already)."""
    device = normalize_device(device)
    if device_of(array) == device:
        return array
    if device == 'cpu':
        return _gpu_module.asnumpy(array)
    return _gpu().asarray(array)


def to_numpy(array):
    """A host NumPy array with the values of ``array``."""
    return array if isinstance(array, numpy.ndarray) else _gpu_module.asnumpy(array)


NUMERIC_KINDS = 'biuf'  # bool, int, uint, float: what a tensor may hold (no complex, str, object)
DTYPE_NAMES = 'float16, float32, float64, int32, int64, uint8 or bool'


def as_dtype(dtype, op='dtype'):
    """A NumPy dtype object from a dtype, a type or a name ('float32'); a clear error, naming
    ``op``, for anything a tensor cannot hold."""
    try:
        result = numpy.dtype(dtype)
    except TypeError:
        raise DTypeError(f"{op}: {dtype!r} is not a dtype; expected {DTYPE_NAMES}") from None
    if result.kind not in NUMERIC_KINDS:
        raise DTypeError(f"{op}: dtype {result} is not supported; expected {DTYPE_NAMES}")
    return result


def is_real_scalar(value):
    """A Python or NumPy bool, int or float (what ``x * value`` takes as a constant)."""
    if isinstance(value, (bool, int, float)):
        return True
    return isinstance(value, numpy.generic) and value.dtype.kind in NUMERIC_KINDS


def is_floating(dtype):
    return numpy.dtype(dtype).kind == 'f'  # (numpy.issubdtype says the same, ~10x slower; every op asks)


def result_dtype_of(value):
    """The dtype a Python value becomes: floats the default float dtype (as in torch), ints int64."""
    kind = numpy.asarray(value).dtype
    if kind.kind == 'f':
        return DEFAULT_DTYPE
    if kind.kind in 'iu':
        return int64
    return kind


def asarray(data, dtype=None, device=None):
    """An array on ``device`` from a list, scalar or array; Python floats become float32."""
    if is_array(data):
        array = data if dtype is None else data.astype(dtype, copy=False)
        return to_device(array, device if device is not None else device_of(data))
    if dtype is None and not isinstance(data, numpy.generic):  # NumPy scalars keep their dtype
        dtype = result_dtype_of(data)
    host = numpy.asarray(data, dtype=dtype)
    return to_device(host, device)


def numeric_array(data, dtype=None, device=None, op='tensor'):
    """``asarray`` for values that become a tensor: numbers in rectangular nesting only, with a
    clear error naming ``op`` for ragged lists, strings, complex numbers or other objects."""
    try:
        array = asarray(data, dtype=dtype, device=device)
    except MiniganError:  # an unknown device, say: already a clear error
        raise
    except OverflowError:
        raise ArgumentError(f"{op}: {data!r:.60} does not fit in dtype {dtype}") from None
    except (ValueError, TypeError) as err:
        if 'inhomogeneous' in str(err):
            raise ShapeError(f"{op}: the nested lists are ragged: {_ragged_rows(data)}; expected rows "
                             "of one length at every level") from None
        array = None
    if array is None or array.dtype.kind not in NUMERIC_KINDS:
        raise DTypeError(f"{op}: cannot hold {_first_non_number(data, array)}; a tensor holds bool, "
                         "integer or floating-point numbers") from None
    return array


def _ragged_rows(data):
    """Where nested lists first disagree: 'rows of lengths [1, 2] at depth 1'."""
    level, depth = [data], 0
    while level:
        lengths = [len(item) if isinstance(item, (list, tuple)) else None for item in level]
        if len(set(lengths)) > 1:
            shown = ['a number' if n is None else n for n in lengths[:8]]
            return f"rows of lengths {shown} at depth {depth}"
        level = [x for item in level if isinstance(item, (list, tuple)) for x in item]
        depth += 1
    return "rows of different lengths"


def _first_non_number(data, array):
    if is_array(data):
        return f"an array of dtype {data.dtype}"
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif not is_real_scalar(item):
            return f"a {type(item).__name__} value ({item!r:.40})" + (
                f" (dtype {array.dtype})" if array is not None else '')
    return f"values of dtype {array.dtype}"


def broadcast_shapes(*shapes):
    """The broadcast shape of ``shapes``; raises ValueError when they do not broadcast."""
    return numpy.broadcast_shapes(*shapes)


# ----------------------------------------------------------------------------- random numbers
_rng = numpy.random.default_rng()


def manual_seed(seed):
    """Seed minigan's random numbers (all devices draw from one host generator). Like torch, any
    int in [-2**63, 2**64) is a seed; a negative one is taken modulo 2**64."""
    global _rng
    if not isinstance(seed, (int, numpy.integer)) or isinstance(seed, bool):
        raise ArgumentTypeError(f"manual_seed: expected an int seed, got {type(seed).__name__}")
    if not -2 ** 63 <= seed < 2 ** 64:
        raise ArgumentError(f"manual_seed: seed {seed} is out of range; expected -2**63 <= seed < 2**64")
    _rng = numpy.random.default_rng(int(seed) % 2 ** 64)


def generator(seed):
    """A separate host generator, for code that must not move the global stream."""
    return numpy.random.default_rng(seed)


def get_rng_state():
    """The generator's state as a dict of plain values (savable without pickle)."""
    return _rng.bit_generator.state


def set_rng_state(state):
    _rng.bit_generator.state = state


def random_normal(shape, dtype, device, rng=None):
    """Samples of N(0, 1) from ``rng`` (a generator made by ``generator()``; None: the global one)."""
    return to_device((rng or _rng).standard_normal(shape).astype(dtype, copy=False), device)


def random_uniform(shape, dtype, device, low=0.0, high=1.0, rng=None):
    return to_device((rng or _rng).uniform(low, high, shape).astype(dtype, copy=False), device)


def random_integers(low, high, shape, dtype, device, rng=None):
    return to_device((rng or _rng).integers(low, high, shape).astype(dtype, copy=False), device)


def random_permutation(n, device, rng=None):
    return to_device((rng or _rng).permutation(n), device)


# ----------------------------------------------------------------------------- array files (.npz)
def save_npz(file, arrays):
    """Write ``arrays`` (a dict name -> array, on any device) to the open binary ``file`` as .npz."""
    numpy.savez(file, **{name: to_numpy(a) for name, a in arrays.items()})


def save_npy(path, array):
    """Write ``array`` (any device) to ``path`` as a .npy file."""
    numpy.save(path, to_numpy(array))


def load_npy(path):
    """The host array in the .npy file at ``path``, read with allow_pickle=False (never runs code)."""
    return numpy.load(path, allow_pickle=False)


def load_npz(path):
    """The arrays of the .npz file at ``path``, as a dict name -> host array.

    Read with allow_pickle=False, so loading never runs code: an object array (which only pickle
    can restore) raises ValueError instead. Every member is read here, so a truncated or corrupt
    member fails now, not later.
    """
    archive = numpy.load(path, allow_pickle=False)
    if not isinstance(archive, numpy.lib.npyio.NpzFile):
        raise CheckpointError("expected an .npz archive, found a single .npy array")
    with archive:
        return {name: archive[name] for name in archive.files}


# ----------------------------------------------------------------------------- BLAS worker threads
def _openblas_paths():
    """The files of the OpenBLAS libraries loaded into this process (NumPy's; SciPy may bring one
    more), in load order."""
    try:
        with open('/proc/self/maps') as maps:  # Linux: every mapped file, with its path last
            paths = [line.split(None, 5)[-1].strip() for line in maps if line.count(' ') >= 5]
    except OSError:
        return []
    return list(dict.fromkeys(p for p in paths if 'openblas' in os.path.basename(p).lower()))


def _let_blas_threads_sleep(exponent='4'):
    """Make OpenBLAS put its worker threads to sleep right after each multithreaded call.

    By default a worker busy-waits (sched_yield in a loop) for 2^28 cycles, ~0.1 s, after each
    BLAS call it helped with. A training step runs a GEMM every few milliseconds and minigan's
    elementwise kernels on their own threads in between (ops/parallel.py); on a 2-core machine
    the spinning worker takes one of the two cores those kernels were split for. (Measured: 20
    GEMMs of 512x512, each followed by a 50 ms pause, burnt 1.16 s of CPU; 0.17 s after this.)

    OpenBLAS reads OPENBLAS_THREAD_TIMEOUT when it is loaded, which is before minigan is imported
    whenever a script imports numpy or torch first, so setting the variable here is too late on
    its own. Two functions the library exports apply it at any time: openblas_read_env() reads the
    environment again, and blas_thread_shutdown_() stops the workers; the next multithreaded call
    starts them anew with timeout 2^4 cycles (sleep at once). Waking a sleeping worker costs some
    microseconds per GEMM, against GEMMs of a millisecond or more.

    Does nothing when the user set OPENBLAS_THREAD_TIMEOUT (OpenBLAS honoured it already), off
    Linux, or when NumPy's BLAS is not OpenBLAS. Runs once, when minigan is imported: stopping
    the workers is safe only while no thread is inside a BLAS call. Returns whether it acted.
    """
    if 'OPENBLAS_THREAD_TIMEOUT' in os.environ:
        return False
    libs = []
    for path in _openblas_paths():
        try:
            lib = ctypes.CDLL(path)  # the loaded library itself: dlopen hands back the same copy
        except OSError:
            continue
        if hasattr(lib, 'openblas_read_env') and hasattr(lib, 'blas_thread_shutdown_'):
            libs.append(lib)
    if not libs:
        return False
    os.environ['OPENBLAS_THREAD_TIMEOUT'] = exponent
    try:
        for lib in libs:
            lib.openblas_read_env()
    finally:
        del os.environ['OPENBLAS_THREAD_TIMEOUT']  # read; the user's environment stays as it was
    for lib in libs:
        lib.blas_thread_shutdown_()
    return True


blas_threads_sleep = _let_blas_threads_sleep()
