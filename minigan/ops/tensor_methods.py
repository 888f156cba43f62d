"""Give Tensor its operators and methods (``x + y``, ``x.sum(1)``, ``x.reshape(2, 3)``...).

They are attached here, by the ops package, because the ops (and the autograd engine) sit above
tensor.py: tensor.py cannot import them without a cycle. Each method is the module-level function
of the same name; ``x.backward()`` is ``minigan.autograd.backward(x)``.
"""
from .. import autograd
from ..errors import ArgumentTypeError
from ..tensor import Tensor, as_tensor_like
from . import activation, convert, linalg, math, reduce, shape


def _reflected(op):
    """b <op> a for ``a.__rop__(b)``, e.g. 2 - x -> sub(2, x)."""
    def method(self, other):
        return op(as_tensor_like(other, self, op.__name__), self)
    return method


def _compare(name):
    def method(self, other):
        return math.compare(name, self, other)
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


METHODS = {
    'backward': autograd.backward,
    '__add__': math.add, '__radd__': _reflected(math.add),
    '__sub__': math.sub, '__rsub__': _reflected(math.sub),
    '__mul__': math.mul, '__rmul__': _reflected(math.mul),
    '__truediv__': math.div, '__rtruediv__': _reflected(math.div),
    '__pow__': _pow, '__rpow__': _rpow,
    '__matmul__': _matmul, '__rmatmul__': _reflected(linalg.matmul),
    '__neg__': math.neg, '__pos__': lambda self: self, '__abs__': math.abs,
    '__eq__': _compare('equal'), '__ne__': _compare('not_equal'),
    '__lt__': _compare('less'), '__le__': _compare('less_equal'),
    '__gt__': _compare('greater'), '__ge__': _compare('greater_equal'),
    '__getitem__': _getitem, '__iter__': _iter,
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
    'matmul': linalg.matmul,
    'relu': activation.relu, 'sigmoid': activation.sigmoid, 'tanh': activation.tanh,
    'softmax': activation.softmax, 'log_softmax': activation.log_softmax,
    'reshape': _view, 'view': _view, 'flatten': shape.flatten, 'permute': shape.permute,
    'transpose': shape.transpose, 'squeeze': shape.squeeze, 'unsqueeze': shape.unsqueeze,
    'expand': shape.expand, 'repeat': shape.repeat, 'broadcast_to': shape.broadcast_to, 'split': shape.split,
    'chunk': shape.chunk,
    'clone': convert.clone, 'to': _to,
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
    for name, method in METHODS.items():
        setattr(Tensor, name, method)
