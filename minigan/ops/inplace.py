"""In-place tensor methods, as torch's: ``x.add_(y)``, ``p.data.clamp_(-c, c)``, ``w.normal_(0, 0.02)``,
``onehot.scatter_(1, labels, 1)``, ``x[i] = v``.

Each computes the new values with the ordinary (out-of-place) op and writes them into the
tensor's own memory, ``x.array[...] = values``: every tensor on that memory (``p`` and
``p.data``, a state_dict entry) sees the change, and the method returns x itself.

Nothing is recorded in a graph, so, as in torch, a tensor that requires grad may change in
place only under ``no_grad`` or through ``.data`` (``Tensor._check_inplace`` says so). Unlike
torch, minigan keeps no version counter: changing a tensor in place after a graph has used it,
and then differentiating that graph, gives gradients computed from the new values.

The result keeps x's dtype; as in torch, a float result does not go into an integer tensor
(item assignment, ``x[i] = v``, converts like NumPy assignment).
"""
from .. import backend
from ..errors import ArgumentTypeError, DTypeError, GraphError, ShapeError
from ..generator import stream
from ..tensor import Tensor, is_grad_enabled, no_grad
from . import activation, index, math
from .shape import raw_index


def _operand(x, other):
    """``other`` as an operand for x: a float tensor of another float dtype is converted to x's
    (torch computes ``float32.add_(float64)`` in float32)."""
    if (isinstance(other, Tensor) and backend.is_floating(other.dtype) and backend.is_floating(x.dtype)
            and other.dtype != x.dtype):
        return Tensor(other.array.astype(x.dtype))
    return other


def write(x, values, what):
    """Put ``values`` (a Tensor or array broadcastable to x) into x's memory; returns x."""
    x._check_inplace(what)
    array = values.array if isinstance(values, Tensor) else values
    shape = tuple(backend.broadcast_shapes(tuple(array.shape), tuple(x.shape)))
    if shape != tuple(x.shape):
        raise ShapeError(f"{what}: output with shape {tuple(x.shape)} doesn't match the broadcast "
                         f"shape {shape}")
    if backend.is_floating(array.dtype) and not backend.is_floating(x.dtype):
        raise DTypeError(f"{what}: result type {array.dtype} can't be cast to the desired output type "
                         f"{x.dtype}; convert first (x = x.float())")
    x.array[...] = backend.to_device(array, x.device)
    return x


def _inplace(op, name):
    """The in-place twin of ``op(x, *args)``."""
    def method(self, *args, **kwargs):
        with no_grad():
            values = op(self, *(_operand(self, a) for a in args), **kwargs)
        return write(self, values, name)
    method.__name__ = name
    method.__doc__ = f"In-place {name[:-1]}: x.{name}(...) writes x.{name[:-1]}(...) into x and returns x."
    return method


def _add(x, other, *, alpha=1):
    """x + alpha · other (torch's add, sub and their in-place forms take ``alpha``)."""
    return math.add(x, other if alpha == 1 else math.mul(other, alpha))


def _sub(x, other, *, alpha=1):
    return math.sub(x, other if alpha == 1 else math.mul(other, alpha))


def _lerp(x, end, weight):
    """x + weight · (end - x): how an exponential moving average of weights moves."""
    return math.add(x, math.mul(math.sub(end, x), weight))


def _scatter(x, dim, index_, src=None, *, value=None, reduce=None):
    return index.scatter(x, dim, index_, src, value=value, reduce=reduce)


# ----------------------------------------------------------------------------- random fills
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std²) (what ``nn.init.normal_`` does)."""
    noise = backend.random_normal(self.shape, backend.float64, self.device, stream(generator))
    return write(self, (noise * std + mean).astype(self.dtype), 'normal_')


def uniform_(self, a=0.0, b=1.0, *, generator=None, **bounds):
    """Fill with samples of U(a, b); torch spells the bounds ``from`` and ``to``, accepted too."""
    unknown = set(bounds) - {'from', 'to'}
    if unknown:
        raise ArgumentTypeError(f"uniform_: unexpected keyword arguments {sorted(unknown)}; expected from= and to=")
    low, high = bounds.get('from', a), bounds.get('to', b)
    values = backend.random_uniform(self.shape, self.dtype, self.device, low, high, stream(generator))
    return write(self, values, 'uniform_')


def setitem(self, key, value):
    """``x[key] = value``: value (a number, list, array or Tensor) is broadcast into the selection."""
    self._check_inplace('item assignment (x[...] = value)')
    if isinstance(value, Tensor):
        if value.requires_grad and is_grad_enabled():
            raise GraphError("item assignment (x[...] = value): the value requires grad, and minigan "
                             "records no in-place op; build the tensor with torch.cat / torch.stack "
                             "or torch.where instead")
        value = value.array
    self.array[raw_index(key, self.device)] = backend.asarray(value, dtype=self.dtype, device=self.device)


METHODS = {
    'add_': _inplace(_add, 'add_'), 'sub_': _inplace(_sub, 'sub_'),
    'mul_': _inplace(math.mul, 'mul_'), 'div_': _inplace(math.div, 'div_'),
    'pow_': _inplace(math.pow, 'pow_'), 'lerp_': _inplace(_lerp, 'lerp_'),
    'clamp_': _inplace(math.clamp, 'clamp_'), 'clip_': _inplace(math.clamp, 'clip_'),
    'masked_fill_': _inplace(math.masked_fill, 'masked_fill_'),
    'scatter_': _inplace(_scatter, 'scatter_'),
    'neg_': _inplace(math.neg, 'neg_'), 'abs_': _inplace(math.abs, 'abs_'),
    'exp_': _inplace(math.exp, 'exp_'), 'log_': _inplace(math.log, 'log_'),
    'sqrt_': _inplace(math.sqrt, 'sqrt_'), 'sigmoid_': _inplace(activation.sigmoid, 'sigmoid_'),
    'tanh_': _inplace(activation.tanh, 'tanh_'), 'relu_': _inplace(activation.relu, 'relu_'),
    'normal_': normal_, 'uniform_': uniform_, '__setitem__': setitem,
}
