"""Error-quality rows for training: labels, empty batches, hyper-parameters, layers, state
dicts, checkpoint files, tensor creation and autograd misuse (see tests/error_cases.py)."""
import io
import os
import pickle
import tempfile
import zipfile

import numpy as np
from hypothesis import strategies as st

import minigan as mg
import minigan.functional as F
import minigan.nn as nn
from minigan import errors, optim

from .error_cases import Bad, bad_numbers, row, shapes, sides


def t(shape, dtype=None):
    return mg.zeros(*shape, dtype=dtype)


# ----------------------------------------------------------------------------- data
@row('class labels out of range')
@st.composite
def _labels(draw):
    n, classes = draw(sides(1, 4)), draw(sides(2, 5))
    label = draw(st.integers(classes, classes + 5) | st.integers(-6, -1).filter(lambda v: v != -100))
    labels = [0] * (n - 1) + [label]
    target = mg.tensor(labels)
    cases = {
        'cross_entropy': lambda: F.cross_entropy(t((n, classes)), target),
        'nll_loss': lambda: F.nll_loss(t((n, classes)), target),
        'acgan_class_loss': lambda: mg.losses.acgan_class_loss(t((n, classes)), target),
        'Embedding': lambda: nn.Embedding(classes, 2)(target),
    }
    op = draw(st.sampled_from(sorted(cases)))
    return Bad(f"{op} with label {label} of {classes} classes", cases[op], errors.DimError, (op, str(label)))


@row('an empty batch')
@st.composite
def _empty(draw):
    c, size = draw(sides(1, 3)), draw(sides(2, 4))
    x, flat = t((0, c, size, size)), t((0, c))
    cases = {  # op -> (call, the empty shape it must name)
        'batch_norm': (lambda: F.batch_norm(x, t((c,)), t((c,)), training=True), (0, c, size, size)),
        'conv2d': (lambda: F.conv2d(x, t((1, c, 1, 1))), (0, c, size, size)),
        'conv_transpose2d': (lambda: F.conv_transpose2d(x, t((c, 1, 1, 1))), (0, c, size, size)),
        'cross_entropy': (lambda: F.cross_entropy(flat, mg.tensor([], dtype=mg.int64)), (0, c)),
        'mse_loss': (lambda: F.mse_loss(flat, flat), (0, c)),
        'l1_loss': (lambda: F.l1_loss(flat, flat), (0, c)),
        'binary_cross_entropy_with_logits': (lambda: F.binary_cross_entropy_with_logits(flat, flat), (0, c)),
        'bce_discriminator_loss': (lambda: mg.losses.bce_discriminator_loss(flat, flat), (0, c)),
        'max': (lambda: flat.max(), (0, c)),
    }
    op = draw(st.sampled_from(sorted(cases)))
    call, shape = cases[op]
    return Bad(f"{op} of an empty batch {shape}", call, errors.ShapeError, (op, str(shape)))


@row('data sets and loaders with impossible sizes')
@st.composite
def _data(draw):
    n, m = draw(sides(1, 4)), draw(sides(1, 4))
    kind = draw(st.sampled_from(['mismatch', 'batch_size', 'none']))
    if kind == 'mismatch' and n != m:
        return Bad(f"TensorDataset of {n} and {m} rows", lambda: mg.utils.data.TensorDataset(t((n,)), t((m,))),
                   errors.ShapeError, ('TensorDataset', f"[{n}, {m}]"))
    if kind == 'none':
        return Bad("TensorDataset()", lambda: mg.utils.data.TensorDataset(), errors.ArgumentError, ('TensorDataset',))
    size = draw(st.sampled_from([0, -1, -5, 1.5, '8']))
    data = mg.utils.data.TensorDataset(t((n,)))
    return Bad(f"DataLoader(batch_size={size!r})", lambda: mg.utils.data.DataLoader(data, batch_size=size),
               errors.ArgumentError, ('DataLoader', 'batch_size', repr(size)))


# ----------------------------------------------------------------------------- hyper-parameters
def params():
    return [nn.Parameter(mg.zeros(2))]


HYPER = {  # (where, name) -> a call that builds it with ``v``
    ('SGD', 'lr'): lambda v: optim.SGD(params(), lr=v),
    ('SGD', 'momentum'): lambda v: optim.SGD(params(), lr=0.1, momentum=v),
    ('SGD', 'dampening'): lambda v: optim.SGD(params(), lr=0.1, momentum=0.9, dampening=v),
    ('SGD', 'weight_decay'): lambda v: optim.SGD(params(), lr=0.1, weight_decay=v),
    ('Adam', 'lr'): lambda v: optim.Adam(params(), lr=v),
    ('Adam', 'beta'): lambda v: optim.Adam(params(), betas=(v, 0.999)),
    ('Adam', 'beta '): lambda v: optim.Adam(params(), betas=(0.5, v)),
    ('Adam', 'eps'): lambda v: optim.Adam(params(), eps=v),
    ('Adam', 'weight_decay'): lambda v: optim.Adam(params(), weight_decay=v),
    ('RMSprop', 'lr'): lambda v: optim.RMSprop(params(), lr=v),
    ('RMSprop', 'alpha'): lambda v: optim.RMSprop(params(), alpha=v),
    ('RMSprop', 'momentum'): lambda v: optim.RMSprop(params(), momentum=v),
    ('RMSprop', 'eps'): lambda v: optim.RMSprop(params(), eps=v),
    ('StepLR', 'gamma'): lambda v: optim.lr_scheduler.StepLR(optim.SGD(params(), lr=0.1), 1, gamma=v),
    ('ExponentialMovingAverage', 'decay'): lambda v: optim.EMA(nn.Linear(1, 1), decay=v),
    ('clip_weights', 'c'): lambda v: optim.clip_weights(params(), v),
    ('dropout', 'p'): lambda v: F.dropout(mg.ones(2), p=v),
    ('Dropout', 'p'): lambda v: nn.Dropout(v),
    ('batch_norm', 'eps'): lambda v: F.batch_norm(mg.ones(2, 1), t((1,)), mg.ones(1), eps=v),
    ('batch_norm', 'momentum'): lambda v: F.batch_norm(mg.randn(2, 1), t((1,)), mg.ones(1), training=True,
                                                       momentum=v),
    ('BatchNorm2d', 'eps'): lambda v: nn.BatchNorm2d(1, eps=v),
    ('BatchNorm2d', 'momentum'): lambda v: nn.BatchNorm2d(1, momentum=v),
    ('leaky_relu', 'negative_slope'): lambda v: F.leaky_relu(mg.ones(2), v),
    ('elu', 'alpha'): lambda v: F.elu(mg.ones(2), v),
    ('cross_entropy', 'label_smoothing'): lambda v: F.cross_entropy(t((1, 2)), mg.tensor([0]), label_smoothing=v),
    ('interpolate', 'scale_factor'): lambda v: F.interpolate(t((1, 1, 2, 2)), scale_factor=v),
    ('uniform_', 'b'): lambda v: nn.init.uniform_(mg.zeros(2), 0.0, v),
    ('normal_', 'std'): lambda v: nn.init.normal_(mg.zeros(2), 0.0, v),
    ('gradient_penalty', 'weight'): lambda v: mg.losses.gradient_penalty(lambda x: x.sum(1), t((2, 2)), t((2, 2)),
                                                                        weight=v),
}
NEGATIVE_IS_FINE = {('leaky_relu', 'negative_slope'), ('elu', 'alpha')}  # any finite slope is a slope
NOT_WRONG_TYPES = {  # values of another type that mean something there
    ('BatchNorm2d', 'momentum'): [None],              # a cumulative average, as in torch
    ('interpolate', 'scale_factor'): [None, [0.1]],   # "not given"; a list of one scale per dim
}


@row('NaN, infinite or negative hyper-parameters')
@st.composite
def _hyper(draw):
    where, name = draw(st.sampled_from(sorted(HYPER)))
    value = draw(bad_numbers(allow_negative=(where, name) not in NEGATIVE_IS_FINE))
    text = {True: 'nan'}.get(value != value, str(value))
    return Bad(f"{where}({name.strip()}={value})", lambda: HYPER[where, name](value), errors.ArgumentError,
               (name.strip(), text))


@row('hyper-parameters of the wrong type')
@st.composite
def _hyper_types(draw):
    where, name = draw(st.sampled_from(sorted(HYPER)))
    value = draw(st.sampled_from([v for v in ['0.1', [0.1], 1j, None] if v not in NOT_WRONG_TYPES.get((where, name), [])]))
    return Bad(f"{where}({name.strip()}={value!r})", lambda: HYPER[where, name](value), errors.ArgumentTypeError,
               (name.strip(), type(value).__name__))


LAYERS = {  # layer -> (a call with a bad size argument ``v``, the argument's name)
    'Linear': (lambda v: nn.Linear(v, 3), 'in_features'),
    'Linear ': (lambda v: nn.Linear(3, v), 'out_features'),
    'Conv2d': (lambda v: nn.Conv2d(v, 2, 3), 'in_channels'),
    'Conv2d ': (lambda v: nn.Conv2d(2, v, 3), 'out_channels'),
    'ConvTranspose2d': (lambda v: nn.ConvTranspose2d(v, 2, 3), 'in_channels'),
    'BatchNorm2d': (lambda v: nn.BatchNorm2d(v), 'num_features'),
    'InstanceNorm2d': (lambda v: nn.InstanceNorm2d(v, affine=True), 'num_features'),
    'Embedding': (lambda v: nn.Embedding(v, 2), 'num_embeddings'),
    'Embedding ': (lambda v: nn.Embedding(2, v), 'embedding_dim'),
    'GroupNorm': (lambda v: nn.GroupNorm(v, 4), 'num_groups'),
}


@row('layers built with impossible sizes')
@st.composite
def _layer_sizes(draw):
    layer = draw(st.sampled_from(sorted(LAYERS)))
    call, name = LAYERS[layer]
    value = draw(st.sampled_from([0, -1, -7, 2.5, '3']))
    if value == 0 and layer in ('Linear', 'Linear ', 'Embedding '):
        value = -2  # torch allows 0 features
    error = errors.ArgumentTypeError if isinstance(value, (float, str)) else errors.ArgumentError
    return Bad(f"nn.{layer.strip()}({name}={value!r})", lambda: call(value), error,
               (layer.strip(), name, repr(value)))


# ----------------------------------------------------------------------------- state dicts
def small_model(kind):
    if kind == 'linear':
        return nn.Linear(3, 2)
    if kind == 'conv':
        return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))


@row('state dicts with missing, extra or mis-shaped entries')
@st.composite
def _state_dicts(draw):
    kind = draw(st.sampled_from(['linear', 'conv', 'mlp']))
    model = small_model(kind)
    state = dict(model.state_dict())
    key = draw(st.sampled_from(sorted(state)))
    change = draw(st.sampled_from(['missing', 'extra', 'shape', 'type', 'complex']))
    if change == 'missing':
        del state[key]
        mention = ('Missing key', key)
    elif change == 'extra':
        extra = draw(st.sampled_from(['head.weight', key + '_old', 'module.' + key]))
        state[extra] = mg.zeros(2)
        mention = ('Unexpected key', extra)
    elif change == 'shape':
        shape = draw(shapes(0, 3).filter(lambda s: s != tuple(state[key].shape)))
        state[key] = mg.zeros(*shape)
        mention = (key, str(shape))
    elif change == 'type':
        state[key] = draw(st.sampled_from(['weights', [1.0, 2.0], None, 3.0]))
        mention = (key, type(state[key]).__name__)
    else:
        state[key] = np.zeros(tuple(state[key].shape), dtype=complex)
        mention = (key, 'complex128')
    return Bad(f"{kind}.load_state_dict with {change} {key!r}", lambda: model.load_state_dict(state),
               errors.StateDictError, (type(model).__name__,) + mention)


@row('optimizer state dicts that do not fit the optimizer')
@st.composite
def _optimizer_states(draw):
    p = nn.Parameter(mg.zeros(draw(sides(1, 4))))
    opt = optim.Adam([p])
    p.grad = mg.ones(*p.shape)
    opt.step()
    state = opt.state_dict()
    change = draw(st.sampled_from(['shape', 'groups', 'params', 'hyper', 'not a dict', 'groups type', 'state type']))
    if change == 'shape':
        n = p.shape[0] + draw(sides(1, 3))
        state['state'][0]['exp_avg'] = mg.zeros(n)
        mention = ('exp_avg', f"({n},)")
    elif change == 'groups':
        state['param_groups'] = state['param_groups'] * 2
        mention = ('2 parameter groups',)
    elif change == 'params':
        state['param_groups'][0]['params'] = [0, 1]
        mention = ('group 0 has 2',)
    elif change == 'hyper':
        del state['param_groups'][0]['betas']
        mention = ('betas',)
    elif change == 'not a dict':
        state = draw(st.sampled_from([[1, 2], 'state', None]))
        mention = (type(state).__name__,)
    elif change == 'groups type':
        state['param_groups'] = draw(st.sampled_from([5, 'groups', {'lr': 0.1}]))
        mention = ('param_groups', type(state['param_groups']).__name__)
    else:
        state['state'] = draw(st.sampled_from([5, [1], 'state']))
        mention = ("'state'", type(state['state']).__name__)
    return Bad(f"Adam.load_state_dict with its {change} changed", lambda: opt.load_state_dict(state),
               errors.StateDictError, ('Adam.load_state_dict',) + mention)


# ----------------------------------------------------------------------------- checkpoint files
CHECKPOINT = {'model': {'weight': mg.arange(6.0).reshape(2, 3), 'bias': mg.ones(2)}, 'step': 7}


def good_checkpoint_bytes():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'good.ckpt')
        mg.save(CHECKPOINT, path)
        with open(path, 'rb') as f:
            return f.read()


GOOD = good_checkpoint_bytes()


def load_bytes(data):
    """mg.load of a file holding ``data`` (written to a fresh temporary directory)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'checkpoint.ckpt')
        with open(path, 'wb') as f:
            f.write(data)
        return mg.load(path)


def same_as_saved(obj):
    """The checkpoint loaded whole and equal: the bytes changed were ones nothing reads."""
    model = obj.get('model') if isinstance(obj, dict) else None
    return (isinstance(model, dict) and obj.get('step') == 7 and set(model) == {'weight', 'bias'}
            and np.array_equal(model['weight'].numpy(), CHECKPOINT['model']['weight'].numpy())
            and np.array_equal(model['bias'].numpy(), CHECKPOINT['model']['bias'].numpy()))


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@row('truncated or corrupted checkpoint files')
@st.composite
def _corrupt(draw):
    kind = draw(st.sampled_from(['truncated', 'bytes changed', 'junk in front']))
    if kind == 'truncated':
        cut = draw(st.integers(0, len(GOOD) - 1))
        data, what = GOOD[:cut], f"cut to {cut} of {len(GOOD)} bytes"
    elif kind == 'bytes changed':
        start = draw(st.integers(0, len(GOOD) - 1))
        junk = draw(st.binary(min_size=1, max_size=16))
        data = GOOD[:start] + junk + GOOD[start + len(junk):]
        data, what = data[:len(GOOD)], f"{len(junk)} bytes at {start} overwritten"
    else:
        data, what = draw(st.binary(min_size=1, max_size=8)) + GOOD, 'junk before the archive'
    # bytes that nothing reads (a zip's timestamps; a prefix, which zip readers skip) change nothing
    return Bad(f"a checkpoint {what}", lambda: load_bytes(data), errors.CheckpointError, ('load', 'checkpoint.ckpt'),
               harmless=same_as_saved if kind != 'truncated' else None)


@st.composite
def _foreign_file(draw):
    """(what, bytes) of files that are not minigan checkpoints, or are tampered ones."""
    kind = draw(st.sampled_from(['pickle', 'npz', 'object npz', 'npy', 'text', 'manifest', 'zip']))
    if kind == 'pickle':
        obj = draw(st.sampled_from([{'weight': np.zeros(2)}, [1, 2], CHECKPOINT['step'], 'state']))
        return 'a pickle', pickle.dumps(obj, protocol=draw(st.integers(2, pickle.HIGHEST_PROTOCOL)))
    if kind == 'npz':
        return 'an .npz without a manifest', npz_bytes(weight=np.zeros(draw(sides())))
    if kind == 'object npz':
        return 'an .npz of pickled objects', npz_bytes(manifest=np.array('{}'), a0=np.array([{'a': 1}], dtype=object))
    if kind == 'npy':
        buffer = io.BytesIO()
        np.save(buffer, np.zeros(3))
        return 'a single .npy array', buffer.getvalue()
    if kind == 'text':
        return 'a text file', draw(st.text(min_size=0, max_size=40)).encode()
    if kind == 'zip':
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, 'w') as z:
            z.writestr('data.pkl', pickle.dumps({'weight': [1.0]}))
        return 'a zip holding a pickle (as torch.save writes)', buffer.getvalue()
    manifest = draw(st.sampled_from(['{', '[]', '{"format": "other", "root": 1}',
                                     '{"format": "minigan-checkpoint", "version": 99, "root": 1}',
                                     '{"format": "minigan-checkpoint", "version": 1, "root": {"$": "tensor", "array": "a0"}}',
                                     '{"format": "minigan-checkpoint", "version": 1, "root": {"$": "nonsense"}}']))
    return f"a manifest {manifest[:40]!r}", npz_bytes(manifest=np.array(manifest))


@row('files that are not minigan checkpoints')
@st.composite
def _foreign(draw):
    what, data = draw(_foreign_file())
    return Bad(f"loading {what}", lambda: load_bytes(data), errors.CheckpointError, ('load', 'checkpoint.ckpt'))


# ----------------------------------------------------------------------------- creation
CREATORS = {  # op -> call with a bad size ``v``
    'zeros': lambda v: mg.zeros(v, 2), 'ones': lambda v: mg.ones(2, v), 'randn': lambda v: mg.randn(v),
    'rand': lambda v: mg.rand((v, 1)), 'full': lambda v: mg.full((v,), 1.0), 'empty': lambda v: mg.empty(v),
    'eye': lambda v: mg.eye(v), 'randperm': lambda v: mg.randperm(v), 'linspace': lambda v: mg.linspace(0, 1, v),
    'randint': lambda v: mg.randint(0, 5, (v,)),
}


@row('tensors created with impossible sizes or ranges')
@st.composite
def _creation(draw):
    kind = draw(st.sampled_from(['size', 'arange', 'randint']))
    if kind == 'arange':
        start, step = draw(st.integers(-3, 3)), draw(st.sampled_from([0, 0.0, float('nan'), float('inf')]))
        return Bad(f"arange({start}, 10, {step})", lambda: mg.arange(start, 10, step), errors.ArgumentError,
                   ('arange', 'step', str(step)))
    if kind == 'randint':
        low = draw(st.integers(-3, 5))
        high = draw(st.integers(low - 4, low))
        return Bad(f"randint({low}, {high})", lambda: mg.randint(low, high, (2,)), errors.ArgumentError,
                   ('randint', str(low), str(high)))
    op = draw(st.sampled_from(sorted(CREATORS)))
    value = draw(st.sampled_from([-1, -3, 2.5, '2']))
    error = errors.ArgumentTypeError if isinstance(value, (float, str)) else errors.ArgumentError
    return Bad(f"{op} with size {value!r}", lambda: CREATORS[op](value), error, (op, repr(value)))


# ----------------------------------------------------------------------------- autograd
@row('backward and grad used where they cannot run')
@st.composite
def _autograd(draw):
    shape = draw(shapes(1, 3))
    kind = draw(st.sampled_from(['twice', 'no grad', 'not scalar', 'gradient shape', 'unused', 'input not grad']))
    x = mg.ones(*shape, requires_grad=True)
    if kind == 'twice':
        y = (x * x).sum()
        y.backward()
        return Bad("backward twice", y.backward, errors.GraphError, ('second time', 'retain_graph=True'))
    if kind == 'no grad':
        y = mg.ones(*shape).sum()
        return Bad("backward of a constant", y.backward, errors.GraphError, ('backward', 'does not require grad'))
    if kind == 'not scalar':
        shape = draw(shapes(1, 3, low=2))
        y = mg.ones(*shape, requires_grad=True) * 2
        return Bad(f"backward of shape {shape}", y.backward, errors.GraphError, ('backward', str(shape)))
    if kind == 'gradient shape':
        other = draw(shapes(1, 3).filter(lambda s: s != shape))
        y = x * 2
        return Bad(f"backward of {shape} given {other}", lambda: y.backward(mg.ones(*other)), errors.ShapeError,
                   ('backward', str(shape), str(other)))
    if kind == 'unused':
        z = mg.ones(*shape, requires_grad=True)
        y = (x * 2).sum()
        return Bad("grad of an unused input", lambda: mg.grad(y, z), errors.GraphError, ('grad', 'inputs[0]'))
    y = (x * 2).sum()
    return Bad("grad w.r.t. a constant", lambda: mg.grad(y, mg.ones(*shape)), errors.GraphError,
               ('grad', 'does not require grad'))
