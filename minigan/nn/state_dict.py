"""Module.state_dict and Module.load_state_dict: a model's state as a flat dict, torch's keys.

The key of an entry is the path of attribute names from the root module, joined by dots:
``'features.0.weight'``, ``'bn.running_mean'``, ``'bn.num_batches_tracked'``. Parameters come
before persistent buffers within a module, then the children in registration order -- exactly
torch's order, so ``{k: v.numpy() for k, v in torch_model.state_dict().items()}`` loads here and
the reverse loads there.
"""
from collections import namedtuple

from .. import backend
from ..errors import ArgumentTypeError, StateDictError
from ..tensor import Tensor, no_grad

IncompatibleKeys = namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])


def _entries(module, prefix=''):
    """(key, tensor) for every parameter and persistent buffer, recursively (shared ones repeat, as in torch)."""
    for name, p in module._parameters.items():
        if p is not None:
            yield prefix + name, p
    for name, b in module._buffers.items():
        if b is not None and name not in module._non_persistent_buffers_set:
            yield prefix + name, b
    for name, child in module._modules.items():
        if child is not None:
            yield from _entries(child, prefix + name + '.')


def state_dict(module, destination, prefix, keep_vars):
    out = {} if destination is None else destination
    for key, t in _entries(module, prefix):
        out[key] = t if keep_vars else Tensor(t.array)  # a detached view, as torch's .detach()
    return out


def _as_array(value):
    """The array inside a minigan Tensor, a NumPy/CuPy array, or any tensor with a .numpy()
    method (a CPU torch.Tensor: torch's state_dict loads here directly); None otherwise."""
    if isinstance(value, Tensor):
        return value.array
    if backend.is_array(value):
        return value
    try:
        array = value.numpy()
    except Exception:  # noqa: BLE001 -- no usable .numpy(): reported as a bad value below
        return None
    return array if backend.is_array(array) else None


def load_state_dict(module, state_dict, strict):
    if not hasattr(state_dict, 'keys') or not hasattr(state_dict, '__getitem__'):
        raise ArgumentTypeError(f"load_state_dict: expected a dict, got {type(state_dict).__name__}")
    targets = dict(_entries(module))
    missing = [k for k in targets if k not in state_dict]
    unexpected = [k for k in state_dict if k not in targets]
    problems, copies = [], []
    for key, target in targets.items():
        if key not in state_dict:
            continue
        source = _as_array(state_dict[key])
        if source is None:
            problems.append(f'while copying "{key}": expected a Tensor or array from the checkpoint, '
                            f'got {type(state_dict[key]).__name__}')
        elif source.dtype.kind not in backend.NUMERIC_KINDS:
            problems.append(f'while copying "{key}": the checkpoint holds dtype {source.dtype}, which a '
                            f'tensor of dtype {target.dtype} cannot take')
        elif tuple(source.shape) != tuple(target.shape):
            problems.append(f'size mismatch for {key}: copying a param with shape {tuple(source.shape)} '
                            f'from checkpoint, the shape in current model is {tuple(target.shape)}.')
        else:
            copies.append((target, source))
    if strict:
        if unexpected:
            problems.insert(0, 'Unexpected key(s) in state_dict: ' + ', '.join(f'"{k}"' for k in unexpected) + '. ')
        if missing:
            problems.insert(0, 'Missing key(s) in state_dict: ' + ', '.join(f'"{k}"' for k in missing) + '. ')
    if problems:  # raise before copying anything: a failed load leaves the model as it was
        raise StateDictError(f'Error(s) in loading state_dict for {type(module).__name__}:\n\t' + '\n\t'.join(problems))
    with no_grad():  # parameters are leaves that require grad; an in-place copy is no graph op
        for target, source in copies:
            target.copy_(source)  # keeps the target's dtype and device, as torch does
    return IncompatibleKeys(missing, unexpected)
