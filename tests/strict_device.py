"""A stand-in for CuPy that makes host/device mixing fail on a machine without a GPU.

CuPy arrays live in GPU memory: CuPy refuses to turn one into a NumPy array implicitly, and its
functions refuse NumPy arrays as arguments. Code that forgets ``xp = backend.xp_of(x)`` and calls
NumPy directly, or mixes a host array into a device computation, therefore works on the CPU and
breaks only on a GPU -- which CI does not have. This module imitates exactly those refusals:

  * ``DeviceArray`` wraps a NumPy array and is *not* one: ``numpy.asarray(d)`` raises, NumPy
    functions called on it raise, and arithmetic with a plain NumPy array raises;
  * ``module`` has CuPy's interface (``ndarray``, ``asarray``, ``asnumpy``, ``exp``, ``add.at``...)
    and computes with NumPy on the unwrapped arrays, returning DeviceArrays (0-d arrays where
    NumPy would give a scalar, as CuPy does).

tests/conftest.py installs it as minigan's 'cuda' module when no real GPU is present, so every
test parametrized over devices also runs "on the GPU" in CI.
"""
import types

import numpy
from numpy.lib.mixins import NDArrayOperatorsMixin


class HostDeviceMixError(TypeError):
    pass


def _refuse(what):
    raise HostDeviceMixError(f"host/device mixing: {what}. Device code must get its array module "
                             "from minigan.backend.xp_of(array) and keep every operand on one device")


def unwrap(value, where):
    """Device arrays -> their NumPy array; a host NumPy array here is the error we look for."""
    if isinstance(value, DeviceArray):
        return value.host
    if isinstance(value, numpy.ndarray):
        _refuse(f"a host NumPy array of shape {value.shape} was passed to {where}")
    if isinstance(value, tuple):
        return tuple(unwrap(v, where) for v in value)
    if isinstance(value, list):
        return [unwrap(v, where) for v in value]
    return value


def wrap(value):
    """NumPy results -> device arrays (NumPy scalars become 0-d arrays, as CuPy returns them)."""
    if isinstance(value, numpy.ndarray):
        return DeviceArray(value)
    if isinstance(value, numpy.generic):
        return DeviceArray(numpy.asarray(value))
    if isinstance(value, tuple):
        return tuple(wrap(v) for v in value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


class DeviceArray(NDArrayOperatorsMixin):
    """An array "in device memory": usable only through the device module and its own methods."""

    __slots__ = ('host',)

    def __init__(self, host):
        self.host = host

    # Implicit conversion to a host array is what CuPy forbids.
    def __array__(self, dtype=None, copy=None):
        _refuse("implicit conversion of a device array to a host NumPy array (numpy.asarray / "
                "numpy.array on it); copy explicitly with asnumpy")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        where = f"numpy.{ufunc.__name__}"
        inputs = unwrap(inputs, where)
        if 'out' in kwargs:
            kwargs['out'] = unwrap(kwargs['out'], where)
        return wrap(getattr(ufunc, method)(*inputs, **kwargs))

    def __array_function__(self, func, types, args, kwargs):
        _refuse(f"the NumPy function numpy.{func.__name__} was called on a device array "
                "(call it through xp = backend.xp_of(array) instead)")

    # ---- the ndarray interface, forwarded
    @property
    def shape(self):
        return self.host.shape

    @property
    def ndim(self):
        return self.host.ndim

    @property
    def dtype(self):
        return self.host.dtype

    @property
    def size(self):
        return self.host.size

    @property
    def strides(self):
        return self.host.strides

    @property
    def itemsize(self):
        return self.host.itemsize

    @property
    def nbytes(self):
        return self.host.nbytes

    @property
    def T(self):
        return DeviceArray(self.host.T)

    def __getattr__(self, name):
        if name.startswith('__'):  # __array_interface__ & co. would hand NumPy the host memory
            raise AttributeError(name)
        attr = getattr(self.host, name)
        if not callable(attr):
            return wrap(attr)

        def method(*args, **kwargs):
            where = f"ndarray.{name}"
            return wrap(attr(*unwrap(args, where), **{k: unwrap(v, where) for k, v in kwargs.items()}))
        return method

    def __getitem__(self, index):
        return wrap(self.host[unwrap(index, 'indexing')])

    def __setitem__(self, index, value):
        self.host[unwrap(index, 'indexing')] = unwrap(value, 'item assignment')

    def __len__(self):
        return len(self.host)

    def __iter__(self):
        return (wrap(row) for row in self.host)

    def __bool__(self):
        return bool(self.host)

    def __float__(self):
        return float(self.host)

    def __int__(self):
        return int(self.host)

    def __index__(self):
        return self.host.__index__()

    def __repr__(self):
        return f"device_{self.host!r}"


class _Ufunc:
    """A NumPy ufunc that takes and returns device arrays (``add(a, b)``, ``add.at(...)``)."""

    def __init__(self, ufunc):
        self.ufunc = ufunc

    def __call__(self, *args, **kwargs):
        return _call(self.ufunc, args, kwargs, self.ufunc.__name__)

    def __getattr__(self, name):
        attr = getattr(self.ufunc, name)
        if not callable(attr):
            return attr
        return lambda *args, **kwargs: _call(attr, args, kwargs, f"{self.ufunc.__name__}.{name}")


def _call(func, args, kwargs, name):
    where = f"device function {name}"
    return wrap(func(*unwrap(args, where), **{k: unwrap(v, where) for k, v in kwargs.items()}))


class _Module(types.ModuleType):
    """NumPy's namespace, speaking device arrays."""

    def __init__(self, numpy_module):
        super().__init__(f"strict_{numpy_module.__name__}")
        self._numpy = numpy_module

    def __getattr__(self, name):
        attr = getattr(self._numpy, name)
        if isinstance(attr, types.ModuleType):
            return _Module(attr)
        if isinstance(attr, numpy.ufunc):
            return _Ufunc(attr)
        if isinstance(attr, type) or not callable(attr):
            return attr  # dtypes, constants (pi, inf, newaxis)
        return lambda *args, **kwargs: _call(attr, args, kwargs, name)


class _DeviceModule(_Module):
    ndarray = DeviceArray

    def __init__(self):
        super().__init__(numpy)

    @staticmethod
    def asarray(value, dtype=None):
        """The explicit host -> device copy (allowed, as cupy.asarray is)."""
        if isinstance(value, DeviceArray):
            return value if dtype is None else DeviceArray(value.host.astype(dtype, copy=False))
        return DeviceArray(numpy.array(value, dtype=dtype, copy=True))

    array = asarray

    @staticmethod
    def asnumpy(value):
        """The explicit device -> host copy."""
        return value.host.copy() if isinstance(value, DeviceArray) else numpy.asarray(value)


module = _DeviceModule()
