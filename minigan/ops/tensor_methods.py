"""Give Tensor its operators and methods (``x + y``, ``x.sum(1)``, ``x.reshape(2, 3)``...).

They are attached here, by the ops package, because the ops (and the autograd engine) sit above
tensor.py: tensor.py cannot import them without a cycle. Each method is the module-level function
of the same name; ``x.backward()`` is ``minigan.autograd.backward(x)``.
"""
from .. import autograd, creation, legacy
from ..errors import ArgumentTypeError, ShapeError
from ..tensor import Tensor, as_tensor_like, tensor
from . import activation, compare, convert, index, inplace, linalg, math, reduce, shape


def _reflected(op):
    """b <op> a for ``a.__rop__(b)``, e.g. 2 - x -> sub(2, x)."""
    def method(self, other):
        return op(as_tensor_like(other, self, op.__name__), self)
    return method


def _matmul(self, other):
    return linalg.matmul(self, as_tensor_like(other, self, 'matmul'))


def _getitem(self, index):
    return shape.getitem(self, index)


def _pow(self, exponent):
    return math.pow(self, exponent)


def _rpow(self, base):
    return math.pow(base, self)


def _view(self, *shape_):
    return shape.reshape(self, *shape_)


def _iter(self):
    if self.ndim == 0:
        raise ArgumentTypeError("iteration over a 0-d tensor")
    return (self[i] for i in range(self.shape[0]))


def _to(self, *args, **kwargs):
    return convert.to(self, *args, **kwargs)


def _type(self, dtype=None, non_blocking=False):
    """x.type() -> its legacy type name; x.type(FloatTensor / 'torch.LongTensor' / a dtype) -> cast."""
    if dtype is None:
        return legacy.type_name(self)
    if isinstance(dtype, (str, legacy.TensorType)):
        legacy.advise('x.type(FloatTensor)', 'x.float(), x.long() or x.to(dtype, device)')
    dtype, device = legacy.resolve(dtype)
    x = self if device is None else convert.to_device(self, device)
    return convert.cast(x, dtype)


def _new(fn):
    """x.new_zeros(size) & co.: a new tensor with x's dtype and device unless given."""
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        return fn(*size, dtype=self.dtype if dtype is None else dtype,
                  device=self.device if device is None else device, requires_grad=requires_grad, **kwargs)
    return method


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return creation.full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                         device=self.device if device is None else device, requires_grad=requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=self.dtype if dtype is None else dtype,
                  device=self.device if device is None else device, requires_grad=requires_grad)


def _t(self):
    """The transpose of a matrix (a 0-d or 1-d tensor is returned as is), as torch's x.t()."""
    if self.ndim > 2:
        raise ShapeError(f"t(): expects a tensor of at most 2 dims, got shape {tuple(self.shape)}; use transpose")
    return self if self.ndim < 2 else shape.transpose(self, 0, 1)


METHODS = {
    'backward': autograd.backward,
    '__add__': math.add, '__radd__': _reflected(math.add),
    '__sub__': math.sub, '__rsub__': _reflected(math.sub),
    '__mul__': math.mul, '__rmul__': _reflected(math.mul),
    '__truediv__': math.div, '__rtruediv__': _reflected(math.div),
    '__mod__': math.remainder, '__rmod__': _reflected(math.remainder),
    '__floordiv__': math.floor_divide, '__rfloordiv__': _reflected(math.floor_divide),
    'remainder': math.remainder, 'floor_divide': math.floor_divide,
    '__pow__': _pow, '__rpow__': _rpow,
    '__matmul__': _matmul, '__rmatmul__': _reflected(linalg.matmul),
    '__neg__': math.neg, '__pos__': lambda self: self, '__abs__': math.abs,
    '__eq__': compare.eq, '__ne__': compare.ne, '__lt__': compare.lt, '__le__': compare.le,
    '__gt__': compare.gt, '__ge__': compare.ge,
    '__getitem__': _getitem, '__iter__': _iter,
    'eq': compare.eq, 'ne': compare.ne, 'lt': compare.lt, 'le': compare.le, 'gt': compare.gt, 'ge': compare.ge,
    'add': math.add, 'sub': math.sub, 'mul': math.mul, 'div': math.div, 'pow': _pow,
    'exp': math.exp, 'log': math.log, 'sqrt': math.sqrt, 'abs': math.abs, 'neg': math.neg,
    'log1p': math.log1p, 'expm1': math.expm1, 'sin': math.sin, 'cos': math.cos,
    'square': math.square, 'masked_fill': math.masked_fill, 'norm': reduce.norm,
    'clamp': math.clamp, 'clip': math.clamp, 'maximum': math.maximum, 'minimum': math.minimum,
    'sign': math.sign,
    'sum': reduce.sum, 'mean': reduce.mean, 'max': reduce.max, 'min': reduce.min,
    'amax': reduce.amax, 'amin': reduce.amin, 'var': reduce.var, 'std': reduce.std,
    'logsumexp': reduce.logsumexp, 'argmax': reduce.argmax, 'argmin': reduce.argmin,
    'all': reduce.all, 'any': reduce.any,
    'matmul': linalg.matmul, 'mm': linalg.mm, 'bmm': linalg.bmm, 'nelement': lambda self: self.numel(),
    'relu': activation.relu, 'sigmoid': activation.sigmoid, 'tanh': activation.tanh,
    'softmax': activation.softmax, 'log_softmax': activation.log_softmax,
    'reshape': _view, 'view': _view, 'flatten': shape.flatten, 'permute': shape.permute,
    'transpose': shape.transpose, 'squeeze': shape.squeeze, 'unsqueeze': shape.unsqueeze,
    'expand': shape.expand, 'repeat': shape.repeat, 'broadcast_to': shape.broadcast_to, 'split': shape.split,
    'chunk': shape.chunk,
    'expand_as': lambda self, other: shape.expand(self, other.shape),
    'view_as': lambda self, other: _view(self, other.shape),
    'reshape_as': lambda self, other: _view(self, other.shape), 't': _t,
    'gather': index.gather, 'scatter': index.scatter, 'scatter_add': index.scatter_add,
    'index_select': index.index_select, 'sort': index.sort, 'argsort': index.argsort, 'topk': index.topk,
    'new_zeros': _new(creation.zeros), 'new_ones': _new(creation.ones), 'new_empty': _new(creation.empty),
    'new_full': _new_full, 'new_tensor': _new_tensor,
    'clone': convert.clone, 'to': _to, 'type': _type,
    'cpu': lambda self: convert.to_device(self, 'cpu'),
    'cuda': lambda self: convert.to_device(self, 'cuda'),
    'float': lambda self: convert.cast(self, 'float32'),
    'double': lambda self: convert.cast(self, 'float64'),
    'long': lambda self: convert.cast(self, 'int64'),
    'int': lambda self: convert.cast(self, 'int32'),
    'bool': lambda self: convert.cast(self, 'bool'),
    'type_as': lambda self, other: convert.cast(self, other.dtype),
    'contiguous': lambda self: self,
    'T': property(lambda self: shape.permute(self, tuple(reversed(range(self.ndim))))),
    'mT': property(lambda self: shape.transpose(self, -1, -2)),
}


def attach():
    for name, method in {**METHODS, **inplace.METHODS}.items():
        setattr(Tensor, name, method)
