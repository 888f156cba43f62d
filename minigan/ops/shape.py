"""Ops that move values around without arithmetic: reshape, permute, broadcast / sum_to,
indexing, concatenation and constant padding.

Each backward is the "inverse move" of its forward: reshape back, permute back, sum what was
broadcast, scatter what was gathered, slice what was concatenated or padded.
"""
import operator

from .. import backend
from ..checks import count
from ..errors import ArgumentError, ArgumentTypeError, DimError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .util import normalize_dim, normalize_dims, require_tensor


# ----------------------------------------------------------------------------- reshape / permute
def _sizes(op, sizes, minimum=0):
    """A shape argument as a tuple of ints >= ``minimum`` (NumPy ints become Python ints)."""
    try:
        sizes = tuple(operator.index(n) for n in sizes)
    except TypeError:
        raise ArgumentTypeError(f"{op}: the sizes must be ints, got {sizes!r}") from None
    if any(n < minimum for n in sizes):
        raise ArgumentError(f"{op}: the sizes must be >= {minimum}, got {sizes}")
    return sizes


class Reshape(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        try:
            return x.reshape(self.shape)
        except TypeError:
            raise ArgumentTypeError(f"reshape: the shape must be ints, got {self.shape}") from None
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                             f"into {self.shape}") from None

    def backward(self, gy):
        return reshape(gy, self.inputs[0].shape)


class Permute(Function):
    def __init__(self, dims):
        self.dims = tuple(dims)

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, gy):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return permute(gy, inverse)


def reshape(x, *shape):
    require_tensor('reshape', x)
    shape = tuple(shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape)
    if shape == x.shape:
        return x
    try:  # (a float size passes this test and is refused by Reshape.forward)
        if shape and (min(shape) < -1 or shape.count(-1) > 1):
            raise ShapeError(f"reshape: invalid shape {shape} for a tensor of shape {tuple(x.shape)}; "
                             "expected sizes >= 0 and at most one -1 (the size worked out)")
    except TypeError:  # a str or None among the sizes
        raise ArgumentTypeError(f"reshape: the shape must be ints, got {shape}") from None
    return Reshape(shape)(x)


def permute(x, *dims):
    require_tensor('permute', x)
    dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    dims = tuple(normalize_dim(d, x.ndim, 'permute') for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise ShapeError(f"permute: dims {dims} are not a permutation of the {x.ndim} dims of shape {x.shape}")
    return Permute(dims)(x)


def transpose(x, dim0, dim1):
    """Swap two dims (torch.transpose); x.T reverses all dims, x.mT swaps the last two."""
    require_tensor('transpose', x)
    dims = list(range(x.ndim))
    d0, d1 = normalize_dim(dim0, x.ndim, 'transpose'), normalize_dim(dim1, x.ndim, 'transpose')
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute(dims)(x)


def flatten(x, start_dim=0, end_dim=-1):
    require_tensor('flatten', x)
    if x.ndim == 0:
        return reshape(x, 1)
    s, e = normalize_dim(start_dim, x.ndim, 'flatten'), normalize_dim(end_dim, x.ndim, 'flatten')
    if s > e:
        raise ArgumentError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                            f"for a tensor of shape {x.shape}")
    return reshape(x, x.shape[:s] + (-1,) + x.shape[e + 1:])


def squeeze(x, dim=None):
    require_tensor('squeeze', x)
    if dim is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    dims = normalize_dims(dim, x.ndim, 'squeeze')
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1)))


def unsqueeze(x, dim):
    require_tensor('unsqueeze', x)
    d = normalize_dim(dim, x.ndim + 1, 'unsqueeze')
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


# ----------------------------------------------------------------------------- broadcast / sum_to
class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        xp = backend.xp_of(x)
        try:
            return xp.broadcast_to(x, self.shape)
        except ValueError:
            raise ShapeError(f"broadcast_to: cannot broadcast shape {x.shape} to {self.shape}; "
                             "each dim must match or be 1") from None

    def backward(self, gy):
        return sum_to(gy, self.inputs[0].shape)


class SumTo(Function):
    """The adjoint of broadcasting: sum over the dims that broadcasting created or stretched."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        lead = x.ndim - len(self.shape)
        stretched = tuple(lead + i for i, n in enumerate(self.shape) if n == 1 and x.shape[lead + i] != 1)
        y = x.sum(axis=tuple(range(lead)) + stretched, keepdims=True)
        return y.reshape(self.shape) if lead else y

    def backward(self, gy):
        return broadcast_to(gy, self.inputs[0].shape)


def broadcast_to(x, shape):
    require_tensor('broadcast_to', x)
    shape = tuple(shape)
    return x if tuple(x.shape) == shape else BroadcastTo(shape)(x)


def sum_to(x, shape):
    shape = tuple(shape)
    return x if tuple(x.shape) == shape else SumTo(shape)(x)


def expand(x, *sizes):
    """torch's expand: -1 keeps a dim; size-1 dims stretch (no copy)."""
    require_tensor('expand', x)
    sizes = _sizes('expand', sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes,
                   minimum=-1)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ShapeError(f"expand: {len(sizes)} sizes given for a tensor of {x.ndim} dims")
    shape = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
    return broadcast_to(x, shape)


def repeat(x, *sizes):
    """torch's repeat: tile x ``sizes[i]`` times along dim i (leading sizes add new dims).

    As views: each dim of size n becomes (1, n), is broadcast to (r, n), and flattened to r*n.
    """
    require_tensor('repeat', x)
    sizes = _sizes('repeat', sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes)
    if len(sizes) < x.ndim:
        raise ShapeError(f"repeat: {len(sizes)} sizes given for a tensor of {x.ndim} dims; "
                         "expected at least one per dim")
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    split = reshape(x, tuple(d for n in shape for d in (1, n)))
    tiled = broadcast_to(split, tuple(d for r, n in zip(sizes, shape) for d in (r, n)))
    return reshape(tiled, tuple(r * n for r, n in zip(sizes, shape)))


# ----------------------------------------------------------------------------- indexing
def raw_index(index, device):
    """The index with every Tensor or array in it as an array on ``device`` (as torch allows a
    CPU index for a CUDA tensor; the array module of the data needs its index beside it).

    As in torch, a NumPy array or list of floats indexes by its values as integers (old code
    indexes with ``np.zeros(n)`` filled with class numbers); a float Tensor is refused."""
    if isinstance(index, tuple):
        return tuple(raw_index(i, device) for i in index)
    if isinstance(index, Tensor):
        if backend.is_floating(index.dtype):
            raise DimError(f"tensors used as indices must be integer (int64) or bool tensors, got "
                           f"{index.dtype}; convert with .long()")
        index = index.array
    if isinstance(index, list) and all(isinstance(i, (Tensor, list, int, float)) or backend.is_array(i)
                                       for i in index):
        index = backend.asarray([i.array if isinstance(i, Tensor) else i for i in index])
    if backend.is_array(index):
        if backend.is_floating(index.dtype):
            index = index.astype(backend.int64)
        return backend.to_device(index, device)
    return index


def _is_basic(index):
    """Ints, slices, None and Ellipsis only: each element is picked at most once."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in parts)


class GetItem(Function):
    def __init__(self, index):
        self.index = index

    def forward(self, x):
        try:
            return x[self.index]
        except IndexError as err:
            raise DimError(f"getitem: {err} (tensor shape {x.shape})") from None
        except ValueError as err:  # a slice step of 0
            raise ArgumentError(f"getitem: {err} (index {self.index!r}, tensor shape {x.shape})") from None

    def backward(self, gy):
        return IndexAdd(self.inputs[0].shape, self.index)(gy)


class IndexAdd(Function):
    """zeros(shape) with gy added at ``index`` -- the adjoint of x[index].

    Repeated integer indices pick one element several times, so their gradients must add up:
    that is ``xp.add.at``. Basic indices never repeat and can simply be assigned.
    """

    def __init__(self, shape, index):
        self.shape, self.index = shape, index

    def forward(self, gy):
        xp = backend.xp_of(gy)
        out = xp.zeros(self.shape, dtype=gy.dtype)
        if _is_basic(self.index):
            out[self.index] = gy
        else:
            xp.add.at(out, self.index, gy)
        return out

    def backward(self, ggx):
        return getitem(ggx, self.index)


def getitem(x, index):
    if x.ndim == 0 and index not in ((), Ellipsis, None):
        raise DimError("invalid index of a 0-d tensor: use tensor.item() to get its number "
                       "(old torch code wrote loss.data[0])")
    return GetItem(raw_index(index, x.device))(x)


# ----------------------------------------------------------------------------- cat / stack / split
class Cat(Function):
    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        first = xs[0].shape
        for i, x in enumerate(xs):
            if x.ndim != len(first) or any(a != b for d, (a, b) in enumerate(zip(x.shape, first)) if d != self.dim):
                raise ShapeError(f"cat: tensor {i} has shape {x.shape}, expected {len(first)} dims matching "
                                 f"tensor 0's shape {first} in every dim but {self.dim}")
        return backend.xp_of(xs[0]).concatenate(xs, axis=self.dim)

    def backward(self, gy):
        grads, start = [], 0
        lead = (slice(None),) * self.dim
        for x in self.inputs:
            stop = start + x.shape[self.dim]
            grads.append(getitem(gy, lead + (slice(start, stop),)))
            start = stop
        return tuple(grads)


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise ShapeError("cat: expected a non-empty list of tensors")
    for i, t in enumerate(tensors):
        require_tensor('cat', t, f'tensors[{i}]')
    ref = tensors[0]
    return Cat(normalize_dim(dim, ref.ndim, 'cat'))(*tensors)


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise ShapeError("stack: expected a non-empty list of tensors")
    for i, t in enumerate(tensors):
        require_tensor('stack', t, f'tensors[{i}]')
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack: expected tensors of one shape, got {sorted(shapes)}")
    d = normalize_dim(dim, tensors[0].ndim + 1, 'stack')
    return cat([unsqueeze(t, d) for t in tensors], dim=d)


def split(x, split_size_or_sections, dim=0):
    """torch.split: an int gives chunks of that size (the last may be smaller); a list gives sizes."""
    require_tensor('split', x)
    d = normalize_dim(dim, x.ndim, 'split')
    n = x.shape[d]
    if not isinstance(split_size_or_sections, (tuple, list)):
        size = count('split', 'split_size', split_size_or_sections, minimum=1)
        sizes = [min(size, n - s) for s in range(0, n, size)]
    else:
        sizes = [count('split', 'each size', s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise ShapeError(f"split: sizes {sizes} sum to {sum(sizes)}, expected dim {d}'s size {n}")
    parts, start = [], 0
    for size in sizes:
        parts.append(getitem(x, (slice(None),) * d + (slice(start, start + size),)))
        start += size
    return tuple(parts)


def chunk(x, chunks, dim=0):
    require_tensor('chunk', x)
    count('chunk', 'chunks', chunks, minimum=1)
    n = x.shape[normalize_dim(dim, x.ndim, 'chunk')]
    return split(x, max(1, -(-n // chunks)), dim)


# ----------------------------------------------------------------------------- constant padding
def pad_widths(pad, ndim, op='pad'):
    """torch's pad tuple (last dim first: left, right, top, bottom, ...) -> NumPy's per-dim pairs."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > ndim:
        raise ShapeError(f"{op}: pad {pad} must have an even length of at most 2*ndim = {2 * ndim}")
    if any(p < 0 for p in pad):
        raise ArgumentError(f"{op}: negative padding {pad} is not supported")
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return widths


class ConstantPad(Function):
    def __init__(self, widths, value):
        self.widths, self.value = widths, value

    def forward(self, x):
        return backend.xp_of(x).pad(x, self.widths, mode='constant', constant_values=self.value)

    def backward(self, gy):
        return getitem(gy, tuple(slice(lo, n - hi) for (lo, hi), n in zip(self.widths, gy.shape)))


def constant_pad(x, pad, value=0.0):
    return ConstantPad(pad_widths(pad, x.ndim), value)(x)


# ----------------------------------------------------------------------------- pixel shuffle
def pixel_shuffle(input, upscale_factor):  # noqa: A002 -- torch's names
    """(*, C·r², H, W) -> (*, C, H·r, W·r): each group of r² channels becomes an r x r block of
    pixels (the sub-pixel convolution of ESRGAN-style upsamplers). A reshape and a permute."""
    r = upscale_factor
    *lead, c, h, w = _image_shape(input, 'pixel_shuffle')
    if not isinstance(r, int) or r < 1 or c % (r * r):
        raise ShapeError(f"pixel_shuffle: channels {c} of input {tuple(input.shape)} must be divisible "
                         f"by upscale_factor² = {r}² (upscale_factor a positive int)")
    n = len(lead)
    x = reshape(input, (*lead, c // (r * r), r, r, h, w))
    x = permute(x, (*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return reshape(x, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):  # noqa: A002
    """(*, C, H·r, W·r) -> (*, C·r², H, W): pixel_shuffle's inverse."""
    r = downscale_factor
    *lead, c, h, w = _image_shape(input, 'pixel_unshuffle')
    if not isinstance(r, int) or r < 1 or h % r or w % r:
        raise ShapeError(f"pixel_unshuffle: height and width of input {tuple(input.shape)} must be "
                         f"divisible by downscale_factor={r!r} (a positive int)")
    n = len(lead)
    x = reshape(input, (*lead, c, h // r, r, w // r, r))
    x = permute(x, (*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return reshape(x, (*lead, c * r * r, h // r, w // r))


def _image_shape(x, op):
    if x.ndim < 3:
        raise ShapeError(f"{op}: expected an input of at least 3 dims (*, C, H, W), got shape {tuple(x.shape)}")
    return tuple(x.shape)
