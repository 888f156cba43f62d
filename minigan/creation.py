"""Tensors made from nothing: zeros, ones, full, arange, linspace, eye, random ones; and
tensors made from data: from_numpy, as_tensor.

None of them records a graph (a new tensor is a leaf). dtype defaults to float32, device to
'cpu'; random ones draw from the stream that ``minigan.manual_seed`` seeds, or from
``generator=`` (a minigan.Generator) when one is given.
"""
import math

from . import backend
from .checks import count, describe, is_real_number
from .errors import ArgumentError, ArgumentTypeError
from .generator import stream
from .tensor import Tensor


def _shape(size, op):
    """zeros(2, 3) and zeros((2, 3)) both mean shape (2, 3); each size an int >= 0, NumPy
    integers included (``nn.Linear(np.prod(shape), 1)`` is common)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(count(op, f"size {tuple(size)}: each size", n)) for n in size)


def _leaf(array, requires_grad):
    return Tensor(array, requires_grad=requires_grad)


def _dtype(dtype, op):
    return backend.DEFAULT_DTYPE if dtype is None else backend.as_dtype(dtype, op)


def get_default_dtype():
    """The dtype of new floating-point tensors: float32, as in torch."""
    return backend.DEFAULT_DTYPE


def set_default_dtype(d):
    """minigan's default stays float32 (every kernel is written and tested for it); asking for
    it is fine, anything else raises and names the per-tensor way."""
    if backend.as_dtype(d, 'set_default_dtype') != backend.DEFAULT_DTYPE:
        raise NotImplementedError(f"set_default_dtype({d}): minigan's default dtype is fixed at float32; "
                                  "make float64 tensors with dtype=torch.float64 and models with model.double()")


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


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples N(0, 1)."""
    return _leaf(backend.random_normal(_shape(size, 'randn'), _dtype(dtype, 'randn'), device, stream(generator)),
                 requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples on [0, 1)."""
    return _leaf(backend.random_uniform(_shape(size, 'rand'), _dtype(dtype, 'rand'), device, rng=stream(generator)),
                 requires_grad)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples of N(mean, std²): numbers and ``size``, or tensors (broadcast together) for the
    mean and/or std of each element, as torch.normal."""
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if tensors:
        if size is not None:
            raise ArgumentError("normal: give size only when mean and std are numbers")
        shape = backend.broadcast_shapes(*(t.shape for t in tensors))
        dtype, device = tensors[0].dtype, tensors[0].device
    else:
        if size is None:
            raise ArgumentError("normal: size is needed when mean and std are numbers")
        shape = _shape(size if isinstance(size, (tuple, list)) else (size,), 'normal')
        dtype = _dtype(dtype, 'normal')
    noise = backend.random_normal(shape, backend.float64, device, stream(generator))
    values = noise * _raw(std) + _raw(mean)
    return _leaf(values.astype(dtype, copy=False), requires_grad)


def _raw(value):
    return value.array if isinstance(value, Tensor) else value


def randn_like(x, dtype=None, device=None, requires_grad=False):
    return _like(randn, x, dtype, device, requires_grad, x.shape)


def rand_like(x, dtype=None, device=None, requires_grad=False):
    return _like(rand, x, dtype, device, requires_grad, x.shape)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers in [low, high): randint(high, size) starts at 0, as torch.randint(10, (3,))."""
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise ArgumentTypeError("randint: missing the size argument, e.g. randint(0, 10, (3,))")
    count('randint', 'low', low, minimum=-2 ** 63)
    count('randint', 'high', high, minimum=-2 ** 63)
    if low >= high:
        raise ArgumentError(f"randint: low={low} must be less than high={high}; the range [low, high) is empty")
    dtype = backend.int64 if dtype is None else backend.as_dtype(dtype, 'randint')
    size = _shape(size if isinstance(size, (tuple, list)) else (size,), 'randint')
    return _leaf(backend.random_integers(low, high, size, dtype, device, stream(generator)), requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0 .. n-1 (int64 by default)."""
    order = backend.random_permutation(count('randperm', 'n', n), device, stream(generator))
    dtype = backend.int64 if dtype is None else backend.as_dtype(dtype, 'randperm')
    return _leaf(order.astype(dtype, copy=False), requires_grad)


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


# ----------------------------------------------------------------------------- from data
def from_numpy(ndarray):
    """A tensor on the NumPy array's own memory, dtype kept: changes to one show in the other."""
    if not backend.is_array(ndarray) or backend.device_of(ndarray) != 'cpu':
        raise ArgumentTypeError(f"from_numpy: expected a NumPy ndarray, got {type(ndarray).__name__}")
    return Tensor(ndarray)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory when it can: a Tensor or array of the asked dtype and
    device comes back as is (wrapped); anything else is converted (lists as minigan.tensor does)."""
    if isinstance(data, Tensor):
        array = data.array
    elif backend.is_array(data):
        array = data
    else:
        array = backend.numeric_array(data, dtype=None if dtype is None else backend.as_dtype(dtype, 'as_tensor'),
                                      device=device, op='as_tensor')
    if dtype is not None:
        array = array.astype(backend.as_dtype(dtype, 'as_tensor'), copy=False)
    if device is not None:
        array = backend.to_device(array, device)
    if isinstance(data, Tensor) and array is data.array:
        return data
    return Tensor(array)
