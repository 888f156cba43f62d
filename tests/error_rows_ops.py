"""Error-quality rows for tensors and ops: shapes, dims, dtypes, devices and op arguments.

Each row draws the op from a table and the bad shape or value from hypothesis; the words the
message must contain are computed from what was drawn (see tests/error_cases.py).
"""
import numpy as np
from hypothesis import strategies as st

import minigan as mg
import minigan.functional as F
import minigan.nn as nn
from minigan import errors

from .error_cases import Bad, non_broadcastable, row, shapes, sides


def t(shape, dtype=None, device='cpu'):
    return mg.zeros(*shape, dtype=dtype, device=device)


# ----------------------------------------------------------------------------- shapes
IMAGE_OPS = {  # op -> call on an input x whose rank is wrong for it
    'conv2d': lambda x: F.conv2d(x, t((2, 1, 1, 1))),
    'conv_transpose2d': lambda x: F.conv_transpose2d(x, t((1, 2, 1, 1))),
    'max_pool2d': lambda x: F.max_pool2d(x, 1),
    'avg_pool2d': lambda x: F.avg_pool2d(x, 1),
    'interpolate': lambda x: F.interpolate(x, scale_factor=2),
    'adaptive_avg_pool2d': lambda x: F.adaptive_avg_pool2d(x, 1),
    'BatchNorm2d': lambda x: nn.BatchNorm2d(1)(x),
    'InstanceNorm2d': lambda x: nn.InstanceNorm2d(1)(x),
    'BatchNorm1d': lambda x: nn.BatchNorm1d(1)(x),
}
ALLOWED_RANKS = {'interpolate': (4,), 'adaptive_avg_pool2d': (3, 4), 'BatchNorm1d': (2, 3),
                 'BatchNorm2d': (4,), 'InstanceNorm2d': (3, 4)}


@row('image op or layer given an input of the wrong rank')
@st.composite
def _wrong_rank(draw):
    op = draw(st.sampled_from(sorted(IMAGE_OPS)))
    allowed = ALLOWED_RANKS.get(op, (3, 4))
    ndim = draw(st.sampled_from([n for n in range(7) if n not in allowed]))
    shape = draw(shapes(ndim, ndim, low=1, high=3))
    x = t(shape)
    return Bad(f"{op} on an input of shape {shape}", lambda: IMAGE_OPS[op](x), errors.ShapeError,
               (op, str(shape)))


@row('channels that do not match the weight or the layer')
@st.composite
def _channels(draw):
    n, c, size = draw(sides(1, 2)), draw(sides(1, 4)), draw(sides(3, 5))
    other = draw(sides(1, 5).filter(lambda k: k != c))
    x, shape = t((n, c, size, size)), str((n, c, size, size))
    cases = {  # name -> (call, what the message must mention)
        'conv2d': (lambda: F.conv2d(x, t((2, other, 1, 1))), (shape, str((2, other, 1, 1)))),
        'conv_transpose2d': (lambda: F.conv_transpose2d(x, t((other, 2, 1, 1))), (shape, str((other, 2, 1, 1)))),
        'nn.Conv2d': (lambda: nn.Conv2d(other, 2, 1)(x), ('conv2d', shape)),
        'batch_norm': (lambda: F.batch_norm(x, t((other,)), t((other,))), (shape, str((other,)))),
        'BatchNorm2d': (lambda: nn.BatchNorm2d(other)(x), (shape, f"({other})")),
        'InstanceNorm2d': (lambda: nn.InstanceNorm2d(other, affine=True)(x), (shape, f"({other})")),
        'instance_norm': (lambda: F.instance_norm(x, weight=t((other,))), (shape, str((other,)))),
        'linear': (lambda: F.linear(t((n, c)), t((2, other))), (str((n, c)), str((2, other)))),
        'nn.Linear': (lambda: nn.Linear(other, 2)(t((n, c))), ('linear', str((n, c)))),
        'layer_norm': (lambda: F.layer_norm(x, (size + other,)), (shape, f"({size + other},)")),
    }
    op = draw(st.sampled_from(sorted(cases)))
    call, mentions = cases[op]
    return Bad(f"{op} with {c} input channels against {other}", call, errors.ShapeError,
               (op.replace('nn.', ''),) * (not op.startswith('nn.')) + mentions)


BINARY_OPS = {
    'add': lambda a, b: a + b, 'sub': lambda a, b: a - b, 'mul': lambda a, b: a * b,
    'div': lambda a, b: a / b, 'pow': lambda a, b: a ** b, 'maximum': mg.maximum,
    'minimum': mg.minimum, 'less': lambda a, b: a < b, 'equal': lambda a, b: a == b,
    'where': lambda a, b: mg.where(a > 0, a, b), 'mse_loss': F.mse_loss, 'l1_loss': F.l1_loss,
    'binary_cross_entropy_with_logits': F.binary_cross_entropy_with_logits,
}


@row('shapes that do not broadcast')
@st.composite
def _broadcast(draw):
    op = draw(st.sampled_from(sorted(BINARY_OPS)))
    a, b = draw(non_broadcastable())
    x, y = t(a), t(b)
    return Bad(f"{op} of shapes {a} and {b}", lambda: BINARY_OPS[op](x, y), errors.ShapeError,
               (op, str(a), str(b)))


@row('matmul of matrices whose inner dims differ')
@st.composite
def _matmul(draw):
    n, k, m = draw(sides()), draw(sides()), draw(sides())
    k2 = draw(sides(1, 5).filter(lambda v: v != k))
    batch = draw(shapes(0, 2))
    a, b = batch + (n, k), (k2, m)
    x, y = t(a), t(b)
    return Bad(f"matmul {a} @ {b}", lambda: x @ y, errors.ShapeError, ('matmul', str(a), str(b)))


@row('reshape to a shape of another size, or not a shape')
@st.composite
def _reshape(draw):
    shape = draw(shapes(1, 3))
    x, size = t(shape), int(np.prod(shape))
    kind = draw(st.sampled_from(['size', 'negative', 'two -1', 'float']))
    if kind == 'size':
        target = draw(shapes(1, 3).filter(lambda s: int(np.prod(s)) != size))
        return Bad(f"reshape {shape} to {target}", lambda: x.reshape(target), errors.ShapeError,
                   ('reshape', str(shape), str(target)))
    if kind == 'negative':
        target = (draw(st.integers(-9, -2)), size)
        return Bad(f"reshape {shape} to {target}", lambda: x.reshape(target), errors.ShapeError,
                   ('reshape', str(target)))
    if kind == 'two -1':
        return Bad(f"reshape {shape} to (-1, -1)", lambda: x.reshape(-1, -1), errors.ShapeError,
                   ('reshape', '(-1, -1)'))
    target = (float(size), 1)
    return Bad(f"reshape {shape} to {target}", lambda: x.reshape(target), errors.ArgumentTypeError,
               ('reshape', str(target)))


DIM_OPS = {  # op -> call with a given dim
    'sum': lambda x, d: x.sum(d), 'mean': lambda x, d: x.mean(d), 'amax': lambda x, d: mg.amax(x, d),
    'var': lambda x, d: x.var(d), 'std': lambda x, d: x.std(d), 'argmax': lambda x, d: x.argmax(d),
    'logsumexp': lambda x, d: mg.logsumexp(x, d), 'max': lambda x, d: x.max(d),
    'softmax': lambda x, d: F.softmax(x, d), 'log_softmax': lambda x, d: F.log_softmax(x, d),
    'squeeze': lambda x, d: x.squeeze(d), 'unsqueeze': lambda x, d: x.unsqueeze(d),
    'flatten': lambda x, d: x.flatten(d), 'transpose': lambda x, d: x.transpose(0, d),
    'cat': lambda x, d: mg.cat([x, x], d), 'stack': lambda x, d: mg.stack([x, x], d),
    'split': lambda x, d: mg.split(x, 1, d), 'chunk': lambda x, d: mg.chunk(x, 2, d),
    'permute': lambda x, d: x.permute(*range(x.ndim - 1), d),
}


@row('a dim out of range')
@st.composite
def _dim_range(draw):
    op = draw(st.sampled_from(sorted(DIM_OPS)))
    shape = draw(shapes(1, 3))
    limit = len(shape) + (op in ('unsqueeze', 'stack'))
    dim = draw(st.integers(limit, limit + 3) | st.integers(-limit - 3, -limit - 1))
    x = t(shape)
    return Bad(f"{op} of shape {shape} along dim {dim}", lambda: DIM_OPS[op](x, dim), errors.DimError,
               (op, f"dim {dim}"))


@row('a dim that is not an int')
@st.composite
def _dim_type(draw):
    op = draw(st.sampled_from(sorted(set(DIM_OPS) - {'permute', 'chunk', 'split'})))
    dim = draw(st.sampled_from([0.0, 1.5, '0', None if op in ('unsqueeze', 'transpose') else 'x']))
    x = t((2, 3))
    return Bad(f"{op} along dim {dim!r}", lambda: DIM_OPS[op](x, dim), errors.ArgumentTypeError,
               (op, type(dim).__name__))


@row('an index out of range, or a zero step')
@st.composite
def _index(draw):
    shape = draw(shapes(1, 3))
    x = t(shape)
    kind = draw(st.sampled_from(['int', 'tensor', 'step']))
    if kind == 'step':
        return Bad(f"x[::0] of shape {shape}", lambda: x[::0], errors.ArgumentError, ('getitem', 'step'))
    i = draw(st.integers(shape[0], shape[0] + 5) | st.integers(-shape[0] - 5, -shape[0] - 1))
    index = i if kind == 'int' else mg.tensor([0, i])
    return Bad(f"x[{i}] of shape {shape} ({kind})", lambda: x[index], errors.DimError,
               ('getitem', str(i), str(shape)))


@row('cat or stack of tensors whose shapes do not fit')
@st.composite
def _cat(draw):
    a = draw(shapes(1, 3))
    b = draw(shapes(1, 3).filter(lambda s: len(s) != len(a) or s[1:] != a[1:]))
    x, y = t(a), t(b)
    if draw(st.booleans()):
        return Bad(f"cat of {a} and {b}", lambda: mg.cat([x, y]), errors.ShapeError, ('cat', str(b)))
    return Bad(f"stack of {a} and {b}", lambda: mg.stack([x, y]), errors.ShapeError, ('stack', str(a), str(b)))


NEEDS_TENSOR = {  # op -> a call that hands ``v`` where a Tensor belongs
    'sum': lambda v: mg.sum(v), 'mean': lambda v: mg.mean(v), 'logsumexp': lambda v: mg.logsumexp(v, 0),
    'argmax': lambda v: mg.argmax(v), 'reshape': lambda v: mg.reshape(v, (2,)),
    'permute': lambda v: mg.permute(v, 0), 'transpose': lambda v: mg.transpose(v, 0, 0),
    'flatten': lambda v: mg.flatten(v), 'squeeze': lambda v: mg.squeeze(v), 'split': lambda v: mg.split(v, 1),
    'cat': lambda v: mg.cat([t((2,)), v]), 'stack': lambda v: mg.stack([t((2,)), v]),
    'matmul': lambda v: mg.matmul(v, t((2, 2))), 'exp': lambda v: mg.exp(v),
    'softmax': lambda v: F.softmax(v, 0), 'linear': lambda v: F.linear(v, t((2, 2))),
    'conv2d': lambda v: F.conv2d(v, t((1, 1, 1, 1))), 'max_pool2d': lambda v: F.max_pool2d(v, 1),
    'pad': lambda v: F.pad(v, (1, 1)), 'batch_norm': lambda v: F.batch_norm(t((2, 2)), v, v),
    'cross_entropy': lambda v: F.cross_entropy(t((2, 2)), v), 'mse_loss': lambda v: F.mse_loss(v, t((2,))),
    'Embedding': lambda v: nn.Embedding(3, 2)(v), 'Linear': lambda v: nn.Linear(2, 2)(v),
}


@row('lists, arrays or None where a Tensor is needed')
@st.composite
def _not_tensors(draw):
    op = draw(st.sampled_from(sorted(NEEDS_TENSOR)))
    value = draw(st.sampled_from([[1.0, 2.0], np.ones(2), 'ab', 3.0] + [None] * (op != 'batch_norm')))
    name = {'Linear': 'linear'}.get(op, op)
    return Bad(f"{op} given {type(value).__name__}", lambda: NEEDS_TENSOR[op](value), errors.ArgumentTypeError,
               (name, type(value).__name__))


# ----------------------------------------------------------------------------- dtypes and devices
FLOAT_ONLY = {  # op -> call on an input x that is not floating-point
    'conv2d': lambda x: F.conv2d(x, t((1, 1, 1, 1))),
    'conv2d weight': lambda x: F.conv2d(t((1, 1, 2, 2)), x),
    'conv_transpose2d': lambda x: F.conv_transpose2d(x, t((1, 1, 1, 1))),
    'max_pool2d': lambda x: F.max_pool2d(x, 1), 'avg_pool2d': lambda x: F.avg_pool2d(x, 1),
    'batch_norm': lambda x: F.batch_norm(x, t((1,)), t((1,))),
    'group_norm': lambda x: F.group_norm(x, 1), 'layer_norm': lambda x: F.layer_norm(x, (2,)),
    'instance_norm': lambda x: F.instance_norm(x),
    'softmax': lambda x: F.softmax(x, 1), 'log_softmax': lambda x: F.log_softmax(x, 1),
    'cross_entropy': lambda x: F.cross_entropy(x.reshape(1, 4), mg.tensor([0])),
    'nll_loss': lambda x: F.nll_loss(x.reshape(1, 4), mg.tensor([0])),
    'requires_grad': lambda x: x.requires_grad_(),
    'SGD': lambda x: mg.optim.SGD([x], lr=0.1),
}


@row('integer or bool tensors where floats are needed')
@st.composite
def _int_where_float(draw):
    op = draw(st.sampled_from(sorted(FLOAT_ONLY)))
    dtype = draw(st.sampled_from([mg.int64, mg.int32, mg.uint8, mg.bool]))
    x = mg.zeros(1, 1, 2, 2, dtype=dtype)
    name = op.split()[0].replace('requires_grad', 'gradients')
    return Bad(f"{op} of a {dtype} tensor", lambda: FLOAT_ONLY[op](x), errors.DTypeError, (name, str(dtype)))


@st.composite
def _foreign_value(draw):
    """(description, value, its type or dtype name): complex numbers, strings, objects."""
    return draw(st.sampled_from([
        ('a complex number', 1 + 2j, 'complex'), ('a string', 'a', 'str'), ('None', None, 'NoneType'),
        ('an object', object(), 'object'), ('a complex array', np.ones(2, dtype=complex), 'complex128'),
        ('a string array', np.array(['a', 'b']), '<U1'), ('a dict', {'a': 1}, 'dict')]))


VALUE_USES = {  # op -> a call that hands ``v`` to the op where a number or tensor belongs
    'add': lambda v: mg.ones(2) + v, 'mul': lambda v: mg.ones(2) * v, 'pow': lambda v: mg.ones(2) ** v,
    'sub': lambda v: v - mg.ones(2), 'clamp': lambda v: mg.clamp(mg.ones(2), v),
    'leaky_relu': lambda v: F.leaky_relu(mg.ones(2), v), 'elu': lambda v: F.elu(mg.ones(2), v),
    'maximum': lambda v: mg.maximum(mg.ones(2), v),
}


@row('complex numbers, strings or objects where numbers are needed')
@st.composite
def _foreign_values(draw):
    what, value, type_name = draw(_foreign_value())
    kind = draw(st.sampled_from(['tensor', 'zeros dtype', 'full', 'op']))
    if kind == 'tensor':
        data = [value, value] if not isinstance(value, np.ndarray) else value
        return Bad(f"tensor of {what}", lambda: mg.tensor(data), errors.DTypeError, ('tensor', type_name))
    if kind == 'zeros dtype':
        dtype = draw(st.sampled_from(['complex64', 'U', 'object', 'floaty', 'datetime64']))
        return Bad(f"zeros with dtype {dtype!r}", lambda: mg.zeros(2, dtype=dtype), errors.DTypeError,
                   ('zeros', dtype))
    if kind == 'full':
        return Bad(f"full of {what}", lambda: mg.full((2,), value), errors.ArgumentTypeError, ('full', type_name))
    op = draw(st.sampled_from(sorted(VALUE_USES)))
    if value is None and op == 'clamp':  # clamp(x, None) is "no lower bound"
        op = 'maximum'
    return Bad(f"{op} with {what}", lambda: VALUE_USES[op](value), errors.MiniganError, (op, type_name))


@row('a ragged nested list')
@st.composite
def _ragged(draw):
    rows = draw(st.lists(st.lists(st.floats(-1, 1), min_size=1, max_size=3), min_size=2, max_size=4)
                .filter(lambda r: len({len(x) for x in r}) > 1))
    return Bad(f"tensor({rows})", lambda: mg.tensor(rows), errors.ShapeError, ('tensor', 'ragged'))


MIXABLE = {  # op -> call on two tensors that must share a dtype and a device
    'add': lambda a, b: a + b, 'mul': lambda a, b: a * b, 'matmul': lambda a, b: a @ b,
    'conv2d': lambda a, b: F.conv2d(a.reshape(1, 1, 2, 2), b.reshape(1, 1, 2, 2)),
    'linear': lambda a, b: F.linear(a, b), 'cat': lambda a, b: mg.cat([a, b]),
    'mse_loss': F.mse_loss, 'where': lambda a, b: mg.where(a > 0, a, b),
    'binary_cross_entropy_with_logits': F.binary_cross_entropy_with_logits,
}


@row('two floating dtypes mixed in one op')
@st.composite
def _mixed_dtypes(draw):
    op = draw(st.sampled_from(sorted(MIXABLE)))
    d1, d2 = draw(st.permutations([mg.float32, mg.float64]))
    a, b = mg.ones(2, 2, dtype=d1), mg.ones(2, 2, dtype=d2)
    return Bad(f"{op} of {d1} and {d2}", lambda: MIXABLE[op](a, b), errors.DTypeError, (op, 'float32', 'float64'))


@row('tensors on two devices mixed in one op')
@st.composite
def _mixed_devices(draw):
    op = draw(st.sampled_from(sorted(MIXABLE)))
    first, second = draw(st.permutations(['cpu', 'cuda']))
    a, b = mg.ones(2, 2, device=first), mg.ones(2, 2, device=second)
    return Bad(f"{op} of a {first} and a {second} tensor", lambda: MIXABLE[op](a, b), errors.DeviceError,
               (op, 'cpu', 'cuda'))


# ----------------------------------------------------------------------------- op arguments
WINDOW_OPS = {  # op -> call with keyword arguments on a (1, 1, 6, 6) input
    'conv2d': lambda **kw: F.conv2d(t((1, 1, 6, 6)), t((1, 1, 2, 2)), **kw),
    'conv_transpose2d': lambda **kw: F.conv_transpose2d(t((1, 1, 6, 6)), t((1, 1, 2, 2)), **kw),
    'max_pool2d': lambda **kw: F.max_pool2d(t((1, 1, 6, 6)), 2, **kw),
    'avg_pool2d': lambda **kw: F.avg_pool2d(t((1, 1, 6, 6)), 2, **kw),
}


STRIDED = {  # op -> (the arguments that must be >= 1, call with keyword arguments)
    'conv2d': (('stride', 'dilation'), WINDOW_OPS['conv2d']),
    'conv_transpose2d': (('stride', 'dilation'), WINDOW_OPS['conv_transpose2d']),
    'max_pool2d': (('stride', 'dilation', 'kernel_size'),
                   lambda kernel_size=2, **kw: F.max_pool2d(t((1, 1, 6, 6)), kernel_size, **kw)),
    'avg_pool2d': (('stride', 'kernel_size'),
                   lambda kernel_size=2, **kw: F.avg_pool2d(t((1, 1, 6, 6)), kernel_size, **kw)),
    'Conv2d': (('stride', 'dilation', 'kernel_size'),
               lambda kernel_size=2, **kw: nn.Conv2d(1, 1, kernel_size, **kw)),
    'ConvTranspose2d': (('stride', 'dilation', 'kernel_size'),
                        lambda kernel_size=2, **kw: nn.ConvTranspose2d(1, 1, kernel_size, **kw)),
}


@row('zero or negative strides, dilations and kernel sizes')
@st.composite
def _strides(draw):
    op = draw(st.sampled_from(sorted(STRIDED)))
    names, call = STRIDED[op]
    name = draw(st.sampled_from(names))
    bad = draw(st.integers(-3, 0))
    value = draw(st.sampled_from([bad, (bad, 1), (1, bad)]))
    return Bad(f"{op}({name}={value})", lambda: call(**{name: value}), errors.ArgumentError, (op, name, str(bad)))


@row('strides and paddings that are not ints')
@st.composite
def _stride_types(draw):
    op = draw(st.sampled_from(sorted(WINDOW_OPS)))
    name = draw(st.sampled_from(['stride', 'padding']))
    value = draw(st.sampled_from([1.5, (1, 2, 3), True, [1.0, 1], 2.0] + (['2'] if name == 'stride' else [])))
    return Bad(f"{op}({name}={value!r})", lambda: WINDOW_OPS[op](**{name: value}), errors.ArgumentTypeError,
               (op, name, repr(value)))


@row('padding too large or negative')
@st.composite
def _padding(draw):
    kind = draw(st.sampled_from(['pool', 'reflect', 'conv negative', 'transposed']))
    if kind == 'pool':
        op, k = draw(st.sampled_from(['max_pool2d', 'avg_pool2d'])), draw(st.integers(1, 4))
        p = draw(st.integers(k // 2 + 1, k + 3))
        call = {'max_pool2d': F.max_pool2d, 'avg_pool2d': F.avg_pool2d}[op]
        return Bad(f"{op}(k={k}, padding={p})", lambda: call(t((1, 1, 8, 8)), k, padding=p), errors.ArgumentError,
                   (op, f"({p}, {p})"))
    if kind == 'reflect':
        n = draw(st.integers(1, 4))
        p = draw(st.integers(n, n + 3))
        x = t((1, 1, n, n))
        return Bad(f"reflect pad {p} of size {n}", lambda: F.pad(x, (p, p, 0, 0), mode='reflect'), errors.ShapeError,
                   ('pad', 'reflect', str(p)))
    if kind == 'conv negative':
        p = draw(st.integers(-4, -1))
        return Bad(f"conv2d(padding={p})", lambda: WINDOW_OPS['conv2d'](padding=p), errors.ArgumentError,
                   ('conv2d', 'padding', str(p)))
    p = draw(st.integers(4, 9))  # (6 - 1) * 1 - 2p + 2 <= 0
    return Bad(f"conv_transpose2d(padding={p})", lambda: WINDOW_OPS['conv_transpose2d'](padding=p),
               errors.ShapeError, ('conv_transpose2d', str(p)))


@row('a kernel larger than the input')
@st.composite
def _kernel_too_big(draw):
    size = draw(st.integers(1, 4))
    k = draw(st.integers(size + 1, size + 4))
    x = t((1, 2, size, size))
    cases = {
        'conv2d': lambda: F.conv2d(x, t((1, 2, k, k))),
        'max_pool2d': lambda: F.max_pool2d(x, k),
        'avg_pool2d': lambda: F.avg_pool2d(x, k),
        'Conv2d': lambda: nn.Conv2d(2, 1, k)(x),
    }
    op = draw(st.sampled_from(sorted(cases)))
    name = 'conv2d' if op == 'Conv2d' else op
    return Bad(f"{op} kernel {k} on {size}x{size}", cases[op], errors.ShapeError,
               (name, f"({k}, {k})", str((1, 2, size, size))))
