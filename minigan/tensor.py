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

Arithmetic, reductions and shape methods (``x + y``, ``x.sum()``, ``x.reshape``...) and
``backward()`` are attached to the class by ``minigan.ops`` when it is imported, so this file
imports neither the ops nor the autograd engine (``minigan.autograd``), which sit above it.
"""
import contextlib

from . import backend
from .checks import describe
from .errors import ArgumentTypeError, DTypeError, GraphError, ShapeError


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


# ----------------------------------------------------------------------------- Tensor
class Tensor:
    """A multi-dimensional array that remembers how it was computed."""

    __slots__ = ('array', 'requires_grad', 'grad', 'grad_fn', 'retains_grad', '__weakref__')
    __array_ufunc__ = None  # numpy_array + tensor defers to Tensor.__radd__ instead of looping

    def __init__(self, data, requires_grad=False):
        if not backend.is_array(data):
            data = backend.asarray(data)
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
        return backend.device_of(self.array)

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

    # ---- in-place changes of the data (for initializers and optimizers; they record nothing)
    def _check_inplace(self, what):
        if self.requires_grad and self.is_leaf and is_grad_enabled():
            raise GraphError(f"{what}: a leaf tensor that requires grad cannot be changed in place "
                             "while grad mode is on; wrap the change in minigan.no_grad()")

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


def as_tensor_like(value, reference, op='tensor'):
    """``value`` as a Tensor beside ``reference`` (same device; Python numbers take its float dtype).

    This is how ``x * 2`` works: 2 becomes a constant float32 tensor on x's device. Anything that
    is not a number, a list of numbers or a numeric array is an error naming ``op``.
    """
    if isinstance(value, Tensor):
        return value
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
