"""Argument checks shared by the ops: dims, and broadcasting of shapes."""
from .. import backend
from ..checks import describe
from ..errors import ArgumentTypeError, DimError, ShapeError
from ..tensor import Tensor


def require_tensor(op, value, name='input'):
    """``value`` if it is a Tensor; else an error naming ``op`` and what came instead (a list,
    an array: convert it with minigan.tensor first)."""
    if not isinstance(value, Tensor):
        raise ArgumentTypeError(f"{op}: {name} must be a Tensor, got {describe(value)}; "
                                "make one with minigan.tensor(...)")
    return value


def require_tensors(op, **named):
    """require_tensor for each named argument that is not None (an optional bias, weight...)."""
    for name, value in named.items():
        if value is not None:
            require_tensor(op, value, name)


def normalize_dim(dim, ndim, op):
    """A dim in [-ndim, ndim) as a non-negative int; IndexError naming ``op`` otherwise.

    A 0-d tensor accepts dim 0 and -1, as in torch.
    """
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise ArgumentTypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise DimError(f"{op}: dim {dim} is out of range for a tensor of {ndim} dims "
                       f"(expected {-bound} <= dim < {bound})")
    return dim % bound


def normalize_dims(dim, ndim, op):
    """None (all dims) or an int / tuple of ints -> a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    out = sorted({normalize_dim(d, ndim, op) for d in dims})
    if len(out) != len(dims):
        raise ShapeError(f"{op}: dim {dim} names a dim twice")
    return tuple(d for d in out if d < ndim)  # a 0-d tensor's dim 0 names nothing to reduce


def check_broadcast(op, *shapes):
    """The broadcast shape of ``shapes``, or a ValueError naming ``op`` and the shapes."""
    if all(s == shapes[0] for s in shapes):
        return shapes[0]
    try:
        return backend.broadcast_shapes(*shapes)
    except ValueError:
        raise ShapeError(f"{op}: shapes {' and '.join(str(tuple(s)) for s in shapes)} do not broadcast; "
                         "expected each trailing dim to match or be 1") from None
