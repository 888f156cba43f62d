"""Tensors made from nothing: zeros, ones, full, arange, linspace, eye, and random ones.

None of them records a graph (a new tensor is a leaf). dtype defaults to float32, device to
'cpu'; random ones draw from the generator that ``minigan.manual_seed`` seeds.
"""
import math

from . import backend
from .checks import count, describe, is_real_number
from .errors import ArgumentError, ArgumentTypeError
from .tensor import Tensor


def _shape(size, op):
    """zeros(2, 3) and zeros((2, 3)) both mean shape (2, 3); each size an int >= 0."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        count(op, f"size {tuple(size)}: each size", n)
    return tuple(int(n) for n in size)


def _leaf(array, requires_grad):
    return Tensor(array, requires_grad=requires_grad)


def _dtype(dtype, op):
    return backend.DEFAULT_DTYPE if dtype is None else backend.as_dtype(dtype, op)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    xp = backend.module_for(device)
    return _leaf(xp.zeros(_shape(size, 'zeros'), dtype=_dtype(dtype, 'zeros')), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    xp = backend.module_for(device)
    return _leaf(xp.ones(_shape(size, 'ones'), dtype=_dtype(dtype, 'ones')), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """Like zeros (minigan never hands out uninitialized memory)."""
    return zeros(*_shape(size, 'empty'), dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if not backend.is_real_scalar(fill_value):
        raise ArgumentTypeError(f"full: fill_value must be a number, got {describe(fill_value)}")
    if dtype is None:
        dtype = backend.result_dtype_of(fill_value)
    xp = backend.module_for(device)
    return _leaf(xp.full(_shape((size,), 'full'), fill_value, dtype=backend.as_dtype(dtype, 'full')),
                 requires_grad)


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
    return _leaf(backend.random_normal(_shape(size, 'randn'), _dtype(dtype, 'randn'), device), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False):
    """Uniform samples on [0, 1)."""
    return _leaf(backend.random_uniform(_shape(size, 'rand'), _dtype(dtype, 'rand'), device), requires_grad)


def randn_like(x, dtype=None, device=None, requires_grad=False):
    return _like(randn, x, dtype, device, requires_grad, x.shape)


def rand_like(x, dtype=None, device=None, requires_grad=False):
    return _like(rand, x, dtype, device, requires_grad, x.shape)


def randint(low, high=None, size=(), dtype=None, device=None):
    """Integers in [low, high) (randint(high, size) starts at 0, as in torch)."""
    if high is None:
        low, high = 0, low
    count('randint', 'low', low, minimum=-2 ** 63)
    count('randint', 'high', high, minimum=-2 ** 63)
    if low >= high:
        raise ArgumentError(f"randint: low={low} must be less than high={high}; the range [low, high) is empty")
    dtype = backend.int64 if dtype is None else backend.as_dtype(dtype, 'randint')
    return Tensor(backend.random_integers(low, high, _shape((size,), 'randint'), dtype, device))


def randperm(n, device=None):
    return Tensor(backend.random_permutation(count('randperm', 'n', n), device))


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """[start, end) in steps; ints give int64, floats float32 (as in torch)."""
    if end is None:
        start, end = 0, start
    for name, value in (('start', start), ('end', end), ('step', step)):
        if not is_real_number(value) or not math.isfinite(value):
            raise (ArgumentError if is_real_number(value) else ArgumentTypeError)(
                f"arange: {name} must be a finite number, got {describe(value)}")
    if step == 0:
        raise ArgumentError(f"arange: step must not be 0, got {step}")
    if dtype is None:
        kinds = {backend.result_dtype_of(v) for v in (start, end, step)}
        dtype = backend.DEFAULT_DTYPE if backend.DEFAULT_DTYPE in kinds else backend.int64
    xp = backend.module_for(device)
    return _leaf(xp.arange(start, end, step, dtype=backend.as_dtype(dtype, 'arange')), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    xp = backend.module_for(device)
    steps = count('linspace', 'steps', steps)
    return _leaf(xp.linspace(start, end, steps, dtype=_dtype(dtype, 'linspace')), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    xp = backend.module_for(device)
    n, m = count('eye', 'n', n), count('eye', 'm', n if m is None else m)
    return _leaf(xp.eye(n, m, dtype=_dtype(dtype, 'eye')), requires_grad)
