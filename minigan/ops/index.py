"""Ops that pick elements by index: gather / scatter, index_select, sort / argsort / topk, one_hot.

gather and scatter move values along one dim ``d`` by an integer ``index`` of the output's shape:

    gather:   out[i][j][k] = input[i][index[i][j][k]][k]          (d = 1)
    scatter:  out = input, then out[i][index[i][j][k]][k] = src[i][j][k]

They are each other's adjoint, which is all their backward needs: gather's gradient is gy
scatter-*added* into zeros of the input's shape (an element picked twice gets both gradients),
and scatter's gradient to ``src`` is gy gathered at the index (to ``input``: gy, zero where
src overwrote). sort and topk return (values, indices); the values are a gather, so they are
differentiable for free. Indices and one_hot are integers: no gradient.
"""
from .. import backend
from ..errors import ArgumentTypeError, DTypeError, DimError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .reduce import ValuesIndices
from .shape import constant_pad, getitem
from .util import normalize_dim


# ----------------------------------------------------------------------------- gather / scatter
def _positions(xp, index, dim):
    """The full index tuple for element-wise picking: ``index`` along ``dim``, and along every
    other dim d the position itself (an arange shaped to broadcast against ``index``)."""
    return tuple(index if d == dim else
                 xp.arange(n).reshape((1,) * d + (n,) + (1,) * (index.ndim - d - 1))
                 for d, n in enumerate(index.shape))


def _check_index(op, input, dim, index, src_shape=None):
    if not isinstance(index, Tensor) or backend.is_floating(index.dtype) or index.dtype == backend.bool_:
        raise DTypeError(f"{op}: index must be an integer (int64) tensor, got "
                         f"{getattr(index, 'dtype', type(index).__name__)}")
    d = normalize_dim(dim, input.ndim, op)
    if index.ndim != max(input.ndim, 1):
        raise ShapeError(f"{op}: index has {index.ndim} dims for input of shape {tuple(input.shape)}; "
                         "expected index to have as many dims as input")
    for k, n in enumerate(index.shape):
        if (k != d and n > input.shape[k]) or (src_shape is not None and n > src_shape[k]):
            raise ShapeError(f"{op}: index of shape {tuple(index.shape)} is larger than input "
                             f"{tuple(input.shape)}" + ('' if src_shape is None else f" or src {tuple(src_shape)}")
                             + f" in dim {k}")
    bad = (index.array < 0) | (index.array >= input.shape[d])
    if bool(bad.any()):
        raise DimError(f"{op}: index {int(index.array[bad].reshape(-1)[0])} is out of bounds for dim {d} "
                       f"of size {input.shape[d]}")
    return d, backend.to_device(index.array, input.device)


class Gather(Function):
    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x):
        xp = backend.xp_of(x)
        return x[_positions(xp, self.index, self.dim)]

    def backward(self, gy):
        return ScatterAdd(self.inputs[0].shape, self.dim, self.index)(gy)


class ScatterAdd(Function):
    """zeros(shape) with g added at the picked positions: gather's adjoint (and gather is its)."""

    def __init__(self, shape, dim, index):
        self.shape, self.dim, self.index = shape, dim, index

    def forward(self, g):
        xp = backend.xp_of(g)
        out = xp.zeros(self.shape, dtype=g.dtype)
        xp.add.at(out, _positions(xp, self.index, self.dim), g)
        return out

    def backward(self, gg):
        return Gather(self.dim, self.index)(gg)


class Scatter(Function):
    """input with src written at the picked positions (the last write wins where they repeat)."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def forward(self, x, src):
        xp = backend.xp_of(x)
        out = x.copy()
        where = _positions(xp, self.index, self.dim)
        out[where] = src[tuple(slice(0, n) for n in self.index.shape)] if src.ndim else src
        self.kept = xp.ones(x.shape, dtype=bool)  # the elements of input that survive
        self.kept[where] = False
        return out

    def backward(self, gy):
        x, src = self.inputs
        need_x, need_src = self.needs_input_grad
        gx = gy * Tensor(self.kept.astype(gy.dtype)) if need_x else None
        gsrc = None
        if need_src:
            picked = Gather(self.dim, self.index)(gy)
            if src.ndim == 0:
                gsrc = picked.sum()
            else:  # src may be larger than index: its other elements were not used
                gsrc = constant_pad(picked, [p for m, n in zip(reversed(src.shape), reversed(picked.shape))
                                             for p in (0, m - n)])
        return gx, gsrc


def gather(input, dim, index, *, sparse_grad=False):  # noqa: A002 -- torch's names
    """out[..., j, ...] = input[..., index[..., j, ...], ...] along ``dim``; out has index's shape."""
    d, where = _check_index('gather', input, dim, index)
    return Gather(d, where)(input)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):  # noqa: A002
    """A copy of input with ``src`` (a tensor, or ``value``, a number) written along ``dim`` at
    ``index``: out[..., index[..., j, ...], ...] = src[..., j, ...]."""
    if reduce is not None:
        raise NotImplementedError("scatter: reduce= is not supported by minigan; use scatter_add or "
                                  "index arithmetic instead")
    if (src is None) == (value is None):
        raise ArgumentTypeError("scatter: give exactly one of src (a tensor) and value (a number)")
    if src is None or not isinstance(src, Tensor):
        src = Tensor(input.xp.asarray(value if src is None else src, dtype=input.dtype))
    d, where = _check_index('scatter', input, dim, index, None if src.ndim == 0 else src.shape)
    return Scatter(d, where)(input, src)


def scatter_add(input, dim, index, src):  # noqa: A002
    """A copy of input with src added along ``dim`` at ``index`` (repeats add up)."""
    d, where = _check_index('scatter_add', input, dim, index, src.shape)
    picked = getitem(src, tuple(slice(0, n) for n in index.shape))
    return input + ScatterAdd(input.shape, d, where)(picked)


def index_select(input, dim, index):  # noqa: A002
    """The slices of input at positions ``index`` (1-D integers) along ``dim``."""
    if not isinstance(index, Tensor) or index.ndim > 1 or backend.is_floating(index.dtype):
        raise ArgumentTypeError(f"index_select: index must be a 1-D integer tensor, got "
                                f"{getattr(index, 'shape', type(index).__name__)}")
    d = normalize_dim(dim, input.ndim, 'index_select')
    return getitem(input, (slice(None),) * d + (index.reshape(-1),))


# ----------------------------------------------------------------------------- sorting
def argsort(input, dim=-1, descending=False, stable=False):  # noqa: A002
    """The indices that sort input along ``dim`` (equal elements keep their order)."""
    d = normalize_dim(dim, input.ndim, 'argsort')
    if input.ndim == 0:
        return Tensor(input.xp.zeros((), dtype=backend.int64))
    keys = input.array
    if descending:  # reverse, sort stably, map back: the first of equal elements stays first
        n = keys.shape[d]
        flipped = input.xp.flip(keys, axis=d)
        order = input.xp.argsort(flipped, axis=d, kind='stable')
        return Tensor((n - 1 - input.xp.flip(order, axis=d)).astype(backend.int64))
    return Tensor(input.xp.argsort(keys, axis=d, kind='stable').astype(backend.int64))


def sort(input, dim=-1, descending=False, stable=False):  # noqa: A002
    """(values, indices): input sorted along ``dim``; values are differentiable."""
    indices = argsort(input, dim, descending)
    if input.ndim == 0:
        return ValuesIndices(input, indices)
    return ValuesIndices(gather(input, dim, indices), indices)


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    """(values, indices) of the k largest (or smallest) elements along ``dim``, largest first."""
    d = normalize_dim(dim, input.ndim, 'topk')
    n = input.shape[d] if input.ndim else 1
    if not isinstance(k, int) or not 0 <= k <= n:
        raise ShapeError(f"topk: k={k!r} is out of range for dim {d} of size {n}")
    if input.ndim == 0:
        return ValuesIndices(input, Tensor(input.xp.zeros((), dtype=backend.int64)))
    order = argsort(input, d, descending=largest).array
    indices = Tensor(order[(slice(None),) * d + (slice(0, k),)])
    return ValuesIndices(gather(input, d, indices), indices)


# ----------------------------------------------------------------------------- one_hot
def one_hot(tensor, num_classes=-1):
    """int64 one-hot codes: (*) class indices -> (*, num_classes), 1 at each index, 0 elsewhere.
    num_classes=-1 takes max(tensor) + 1."""
    if not isinstance(tensor, Tensor) or backend.is_floating(tensor.dtype) or tensor.dtype == backend.bool_:
        raise DTypeError(f"one_hot: expected an integer (int64) tensor of class indices, got "
                         f"{getattr(tensor, 'dtype', type(tensor).__name__)}")
    xp, labels = tensor.xp, tensor.array
    if num_classes == -1:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (bool((labels < 0).any()) or bool((labels >= num_classes).any())):
        raise DimError(f"one_hot: class values must be in [0, {num_classes}), got values from "
                         f"{int(labels.min())} to {int(labels.max())}")
    return Tensor((labels[..., None] == xp.arange(num_classes)).astype(backend.int64))
