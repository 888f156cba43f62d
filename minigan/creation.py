"""Tensors made from nothing: zeros, ones, full, arange, linspace, eye, and random ones.

None of them records a graph (a new tensor is a leaf). dtype defaults to float32, device to
'cpu'; random ones draw from the generator that ``minigan.manual_seed`` seeds.
"""
from . import backend
from .errors import ShapeError
from .tensor import Tensor


def _shape(size):
    """zeros(2, 3) and zeros((2, 3)) both mean shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, int) or n < 0:
            raise ShapeError(f"expected a shape of non-negative ints, got {tuple(size)}")
    return tuple(size)


def _leaf(array, requires_grad):
    return Tensor(array, requires_grad=requires_grad)


def _dtype(dtype):
    return backend.DEFAULT_DTYPE if dtype is None else backend.as_dtype(dtype)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    xp = backend.module_for(device)
    return _leaf(xp.zeros(_shape(size), dtype=_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    xp = backend.module_for(device)
    return _leaf(xp.ones(_shape(size), dtype=_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """Like zeros (minigan never hands out uninitialized memory)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = backend.result_dtype_of(fill_value)
    xp = backend.module_for(device)
    return _leaf(xp.full(_shape((size,)), fill_value, dtype=backend.as_dtype(dtype)), requires_grad)


def _like(fn, x, dtype, device, requires_grad, *args):
    return fn(*args, dtype=x.dtype if dtype is None else dtype,
              device=x.device if device is None else device, requires_grad=requires_grad)


def zeros_like(x, dtype=None, device=None, requires_grad=False):
    return _like(zeros, x, dtype, device, requires_grad, x.shape)


def ones_like(x, dtype=None, device=None, requires_grad=False):
    return _like(ones, x, dtype, device, requires_grad, x.shape)


def full_like(x, fill_value, dtype=None, device=None, requires_grad=False):
    return _like(full, x, dtype, device, requires_grad, x.shape, fill_value)


def randn(*size, dtype=None, device=None, requires_grad=False):
    """Standard normal samples N(0, 1)."""
    return _leaf(backend.random_normal(_shape(size), _dtype(dtype), device), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False):
    """Uniform samples on [0, 1)."""
    return _leaf(backend.random_uniform(_shape(size), _dtype(dtype), device), requires_grad)


def randn_like(x, dtype=None, device=None, requires_grad=False):
    return _like(randn, x, dtype, device, requires_grad, x.shape)


def rand_like(x, dtype=None, device=None, requires_grad=False):
    return _like(rand, x, dtype, device, requires_grad, x.shape)


def randint(low, high=None, size=(), dtype=None, device=None):
    """Integers in [low, high) (randint(high, size) starts at 0, as in torch)."""
    if high is None:
        low, high = 0, low
    dtype = backend.int64 if dtype is None else backend.as_dtype(dtype)
    return Tensor(backend.random_integers(low, high, _shape((size,)), dtype, device))


def randperm(n, device=None):
    return Tensor(backend.random_permutation(n, device))


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """[start, end) in steps; ints give int64, floats float32 (as in torch)."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        kinds = {backend.result_dtype_of(v) for v in (start, end, step)}
        dtype = backend.DEFAULT_DTYPE if backend.DEFAULT_DTYPE in kinds else backend.int64
    xp = backend.module_for(device)
    return _leaf(xp.arange(start, end, step, dtype=backend.as_dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    xp = backend.module_for(device)
    return _leaf(xp.linspace(start, end, steps, dtype=_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    xp = backend.module_for(device)
    return _leaf(xp.eye(n, n if m is None else m, dtype=_dtype(dtype)), requires_grad)
