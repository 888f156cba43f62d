"""Tensor: an array (NumPy or CuPy) plus the graph node that made it, and the grad-mode switch.

A Tensor holds
    array          the raw ndarray (NumPy on 'cpu', CuPy on 'cuda'): what the ops compute on, and
                   what optimizers and initializers update in place, outside the graph
    data           as in torch: a Tensor sharing ``array``'s memory that does not require grad,
                   so ``p.data.clamp_(-c, c)`` or ``nn.init.normal_(m.weight.data)`` change p
    requires_grad  whether gradients should flow to it
    grad_fn        the Function that produced it (None for a leaf: an input or a parameter)
    grad           after backward(): dL/d(self) as a Tensor of the same shape (leaves only, unless
                   retain_grad() was called)

``Tensor(array)`` wraps a NumPy/CuPy array as it is, dtype and all: that is how the library
makes every tensor. The other forms are torch.Tensor's: ``Tensor(2, 3)`` (a float32 tensor of
that shape), ``Tensor([[1, 2]])`` (values as float32), ``Tensor()`` (empty).

Arithmetic, reductions and shape methods (``x + y``, ``x.sum()``, ``x.reshape``...) and
``backward()`` are attached to the class by ``minigan.ops`` when it is imported, so this file
imports neither the ops nor the autograd engine (``minigan.autograd``), which sit above it.
"""
import contextlib

from . import backend
from .checks import describe
from .errors import ArgumentTypeError, DTypeError, DeviceError, GraphError, ShapeError


# ----------------------------------------------------------------------------- grad mode
class _GradMode:
    enabled = True


def is_grad_enabled():
    return _GradMode.enabled


class set_grad_enabled:
    """Turns graph recording on or off: as a call, or as a context manager that restores it."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.previous = _GradMode.enabled
        _GradMode.enabled = self.mode  # also works as a plain call: set_grad_enabled(False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.previous
        return False


class no_grad(contextlib.ContextDecorator):
    """Within it, ops record nothing: results have requires_grad=False and cost no graph."""

    def __enter__(self):
        self.previous = _GradMode.enabled
        _GradMode.enabled = False
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.previous
        return False


class enable_grad(contextlib.ContextDecorator):
    """Turns recording back on inside a no_grad block."""

    def __enter__(self):
        self.previous = _GradMode.enabled
        _GradMode.enabled = True
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.previous
        return False


# ----------------------------------------------------------------------------- devices
class device(str):  # noqa: N801 -- torch.device
    """A device, as torch.device: ``device('cuda')``, ``device('cuda:0')``, ``device('cpu')``.

    It has torch's ``.type`` and ``.index``, and it is also the string itself ('cpu', 'cuda:0'),
    so it goes wherever minigan takes a device name. ``Tensor.device`` returns one. minigan drives
    one GPU: every 'cuda' index means that GPU, and ``device('cuda') == device('cuda:0')``.
    """

    def __new__(cls, type, index=None):  # noqa: A002 -- torch's argument name
        if isinstance(type, device) and index is None:
            return type
        name, colon, number = str(type).partition(':')
        if colon:
            if index is not None:
                raise DeviceError(f"device: {type!r} already names an index; do not also pass index={index}")
            if not number.isdigit():
                raise DeviceError(f"device: invalid device string {type!r}; expected 'cpu', 'cuda' or 'cuda:N'")
            index = int(number)
        if name not in backend.DEVICES:
            raise DeviceError(f"device: unknown device type {name!r}; minigan has 'cpu' and 'cuda'")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
            raise DeviceError(f"device: index must be a non-negative int, got {index!r}")
        self = super().__new__(cls, name if index is None else f'{name}:{index}')
        self.type, self.index = name, index
        return self

    def __eq__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        try:
            other = device(other)
        except ValueError:
            return False
        return self.type == other.type and (self.type == 'cpu' or (self.index or 0) == (other.index or 0))

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self):
        return hash(self.type)

    def __repr__(self):
        return f"device(type='{self.type}'" + ('' if self.index is None else f", index={self.index}") + ')'


_DEVICES = {name: device(name) for name in backend.DEVICES}


def _is_size(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _construct(data, sizes):
    """torch.Tensor's constructor forms: Tensor() is empty, Tensor(2, 3) is a (2, 3) float32
    tensor (of zeros: minigan hands out no uninitialized memory), Tensor([[1, 2]]) holds the
    values as float32, and Tensor(t) shares t's memory. A NumPy scalar keeps its dtype (ops
    hand those out for 0-d results)."""
    if data is None and not sizes:
        return backend.asarray([], dtype=backend.DEFAULT_DTYPE)
    if all(_is_size(n) for n in (data,) + sizes):
        shape = (data,) + sizes
        if any(n < 0 for n in shape):
            raise ShapeError(f"Tensor: negative size in {shape}")
        return backend.module_for('cpu').zeros(shape, dtype=backend.DEFAULT_DTYPE)
    if sizes:
        raise ArgumentTypeError(f"Tensor: expected sizes (ints) or one sequence of values, got "
                                f"{', '.join(type(v).__name__ for v in (data,) + sizes)}")
    if isinstance(data, Tensor):
        return data.array
    return backend.asarray(data, dtype=backend.DEFAULT_DTYPE if isinstance(data, (list, tuple)) else None)


# ----------------------------------------------------------------------------- Tensor
class Tensor:
    """A multi-dimensional array that remembers how it was computed."""

    __slots__ = ('array', 'requires_grad', 'grad', 'grad_fn', 'retains_grad', '__weakref__')
    __array_ufunc__ = None  # numpy_array + tensor defers to Tensor.__radd__ instead of looping

    def __init__(self, data=None, *sizes, requires_grad=False):
        if sizes or not backend.is_array(data):  # the library always passes an array
            data = _construct(data, sizes)
        self.array = data
        self.grad = None
        self.grad_fn = None
        self.retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ---- description
    @property
    def shape(self):
        return self.array.shape

    @property
    def ndim(self):
        return self.array.ndim

    @property
    def dtype(self):
        return self.array.dtype

    @property
    def device(self):
        return _DEVICES[backend.device_of(self.array)]

    @property
    def is_cuda(self):
        return backend.device_of(self.array) == 'cuda'

    @property
    def is_cpu(self):
        return backend.device_of(self.array) == 'cpu'

    is_xpu = is_mps = False  # torch's other accelerators, which minigan does not drive

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def xp(self):
        """The array module of this tensor's data (numpy or cupy)."""
        return backend.xp_of(self.array)

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[dim]

    def dim(self):
        return self.ndim

    def numel(self):
        return int(self.array.size)

    def __len__(self):
        if self.ndim == 0:
            raise ArgumentTypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __repr__(self):
        body = repr(backend.to_numpy(self.array)).replace('array(', 'tensor(', 1)
        extra = ''
        if self.device != 'cpu':
            extra += f", device='{self.device}'"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{type(self.grad_fn).__name__}Backward>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return body[:-1] + extra + ')' if extra else body

    __hash__ = object.__hash__  # == is elementwise (attached by ops), so hash by identity

    # ---- values out
    def item(self):
        if self.numel() != 1:
            raise ShapeError(f"item(): only a one-element tensor converts to a Python number, got shape {self.shape}")
        return self.array.item()

    def tolist(self):
        return backend.to_numpy(self.array).tolist()

    def numpy(self):
        """The values as a host NumPy array (a view on 'cpu', a copy from 'cuda')."""
        return backend.to_numpy(self.array)

    def __array__(self, dtype=None, copy=None):
        """numpy.asarray(t) (and so matplotlib) sees the values of a CPU tensor; a CUDA tensor
        must be copied explicitly with .numpy() or .cpu(), as in torch."""
        if self.device != 'cpu':
            raise ArgumentTypeError("can't convert a 'cuda' tensor to a NumPy array implicitly; "
                                    "use .numpy() or .cpu() to copy it to the host first")
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise ShapeError(f"the truth value of a tensor with {self.numel()} elements is ambiguous; "
                             "use .any() or .all()")
        return bool(self.item())

    def __index__(self):
        if self.numel() != 1 or backend.is_floating(self.dtype):
            raise DTypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    @property
    def data(self):
        """A Tensor on the same memory, cut from the graph (torch's ``.data``): in-place changes
        through it change this tensor. Unlike ``detach()`` it is what old code and initializers
        reach for; both share memory."""
        return Tensor(self.array)

    @data.setter
    def data(self, value):
        """``t.data = other`` makes t hold other's values (its array, shared), as torch allows."""
        self.array = value.array if isinstance(value, Tensor) else backend.numeric_array(value, op='data')

    # ---- graph
    def requires_grad_(self, requires_grad=True):
        if not self.is_leaf and not requires_grad:
            raise GraphError("requires_grad_(False) on a non-leaf tensor: use .detach() instead")
        if requires_grad and not backend.is_floating(self.dtype):
            raise DTypeError(f"only floating-point tensors can require gradients, got dtype {self.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self):
        """The same data, cut from the graph (shares memory, like torch)."""
        return Tensor(self.array)

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self):
        """Keep .grad on this non-leaf tensor after backward (leaves keep it anyway)."""
        if not self.requires_grad:
            raise GraphError("retain_grad() on a tensor that does not require grad")
        self.retains_grad = True

    # ---- in-place changes of the data (they record nothing; more in ops/inplace.py)
    def _check_inplace(self, what):
        """In-place changes are never recorded in a graph, so a tensor that requires grad may
        change only under no_grad (or through ``.data``)."""
        if self.requires_grad and is_grad_enabled():
            if self.is_leaf:
                raise GraphError(f"{what}: a leaf tensor that requires grad cannot be changed in place "
                                 "while grad mode is on; wrap the change in minigan.no_grad() or "
                                 "change its .data")
            raise GraphError(f"{what}: this tensor was computed in a graph, and minigan records no "
                             "in-place op; use the out-of-place form (x = x.add(y) for x.add_(y), "
                             "torch.where or torch.cat for item assignment)")

    def zero_(self):
        self._check_inplace('zero_')
        self.array[...] = 0
        return self

    def fill_(self, value):
        self._check_inplace('fill_')
        if isinstance(value, Tensor) and value.numel() == 1:
            value = value.item()
        if not backend.is_real_scalar(value):
            raise ArgumentTypeError(f"fill_: value must be a number, got {describe(value)}")
        self.array[...] = value
        return self

    def copy_(self, source):
        """Copy the values of ``source`` (a Tensor or array of the same shape) into this tensor."""
        self._check_inplace('copy_')
        src = source.array if isinstance(source, Tensor) else backend.numeric_array(source, op='copy_')
        if tuple(src.shape) != tuple(self.shape):
            raise ShapeError(f"copy_: source shape {tuple(src.shape)} does not match tensor shape {self.shape}")
        self.array[...] = backend.to_device(src, self.device).astype(self.dtype, copy=False)
        return self


def is_tensor(obj):
    """True for a minigan Tensor (torch.is_tensor)."""
    return isinstance(obj, Tensor)


def tensor(data, requires_grad=False, dtype=None, device=None):
    """A new leaf tensor from a list, scalar, NumPy/CuPy array or Tensor (its data is copied)."""
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        dtype = backend.as_dtype(dtype, 'tensor')
    array = backend.numeric_array(data, dtype=dtype, device=device, op='tensor')
    if array is data:
        array = array.copy()
    return Tensor(array, requires_grad=requires_grad)


def is_number_beside_float(value, reference):
    """Is ``value`` a Python int or float (bool is not one here) beside a floating Tensor? Then
    as_tensor_like makes it a constant of the reference's dtype and device, which needs no
    further check."""
    return (type(value) is float or type(value) is int) and backend.is_floating(reference.dtype)


def as_tensor_like(value, reference, op='tensor'):
    """``value`` as a Tensor beside ``reference`` (same device; Python numbers take its float dtype).

    This is how ``x * 2`` works: 2 becomes a constant float32 tensor on x's device. Anything that
    is not a number, a list of numbers or a numeric array is an error naming ``op``.
    """
    if isinstance(value, Tensor):
        return value
    if is_number_beside_float(value, reference):
        try:  # the common case (x * 2, 1 - x) in ~1 us, without the general path's checks (~6 us)
            return Tensor(reference.xp.asarray(value, dtype=reference.dtype))
        except OverflowError:  # 10 ** 400: the general path below names the op
            pass
    if backend.is_array(value):  # a raw array is a constant: it joins the reference's float dtype
        if value.dtype.kind not in backend.NUMERIC_KINDS:
            raise DTypeError(f"{op}: cannot use an array of dtype {value.dtype}; expected numbers")
        if backend.is_floating(value.dtype) and backend.is_floating(reference.dtype):
            value = value.astype(reference.dtype, copy=False)
        return Tensor(backend.to_device(value, reference.device))
    if isinstance(value, bool):
        dtype = backend.bool_
    elif isinstance(value, (int, float)):
        if backend.is_floating(reference.dtype) or isinstance(value, int):
            dtype = reference.dtype if reference.dtype != backend.bool_ else backend.int64
        else:
            dtype = backend.DEFAULT_DTYPE  # int tensor * 0.5 -> float, as in torch
    elif backend.is_real_scalar(value) or isinstance(value, (list, tuple)):
        dtype = None  # a NumPy scalar or a list: its own dtype
    else:
        raise ArgumentTypeError(f"{op}: expected a Tensor or a number, got {describe(value)}")
    return Tensor(backend.numeric_array(value, dtype=dtype, device=reference.device, op=op))
