"""Optimizer: the base class of SGD, Adam and RMSprop, as torch.optim.Optimizer.

An optimizer holds
    param_groups   a list of dicts, each {'params': [Tensor, ...], 'lr': ..., ...}: every group
                   has its own hyperparameters (e.g. a smaller lr for some layers)
    state          {param: {'step': int, 'exp_avg': Tensor, ...}}, the running quantities

``step()`` updates every parameter that has a ``.grad``. The update works on the raw arrays
(``p.array``, ``p.grad.array``) in place: it is not part of any graph, records nothing, and keeps
the Parameter objects (and their memory) the same, so a model and its optimizer stay linked.
"""
import math

from .. import backend
from ..autograd import clear_grads
from ..checks import describe, number
from ..errors import ArgumentError, ArgumentTypeError, DTypeError, ShapeError, StateDictError
from ..ops import parallel
from ..tensor import Tensor, enable_grad


class Optimizer:
    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = {}  # keyed by the parameter itself (Tensors hash by identity)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise ArgumentTypeError("params argument given to the optimizer should be an iterable of Tensors "
                                    "or dicts, but got a Tensor (wrap it in a list)")
        params = list(params)
        if not params:
            raise ArgumentError("optimizer got an empty parameter list")
        if not isinstance(params[0], dict):
            params = [{'params': params}]
        for group in params:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add {'params': [...], hyperparameter: value, ...}; missing ones take the defaults."""
        if not isinstance(param_group, dict):
            raise ArgumentTypeError(f"param group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        if 'params' not in group:
            raise ArgumentError(f"param group {sorted(group)} has no 'params' entry: the tensors it updates")
        params = group['params']
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise ArgumentTypeError("optimizer parameters need to be organized in ordered collections, but "
                                    "the ordering of tensors in sets will change between runs; use a list")
        group['params'] = list(params)
        for p in group['params']:
            if not isinstance(p, Tensor):
                raise ArgumentTypeError("optimizer can only optimize Tensors, but one of the params is "
                                        f"{type(p).__name__}")
            if not p.is_leaf:
                raise ArgumentError("can't optimize a non-leaf Tensor (one computed from others)")
            if not backend.is_floating(p.dtype):
                raise DTypeError(f"{type(self).__name__}: can only optimize floating-point tensors, got a "
                                 f"parameter of dtype {p.dtype} and shape {tuple(p.shape)}")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g['params']}
        if len({id(p) for p in group['params']}) != len(group['params']) or seen & {id(p) for p in group['params']}:
            raise ArgumentError("some parameters appear more than once (in one group or in several)")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        clear_grads((p for group in self.param_groups for p in group['params']), set_to_none)

    def step(self, closure=None):
        """One update of every parameter with a gradient; ``closure`` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        todo = [(p, group) for group in self.param_groups for p in group['params'] if p.grad is not None]
        for p, _ in todo:  # check every gradient first: a failed step must change nothing
            grad = p.grad.array
            if tuple(grad.shape) != tuple(p.shape) or backend.device_of(grad) != p.device:
                raise ShapeError(f"{type(self).__name__}.step: a gradient of shape {tuple(grad.shape)} on "
                                 f"{backend.device_of(grad)} for a parameter of shape {tuple(p.shape)} on {p.device}")
        updates = []
        for p, group in todo:
            grad = _laid_out_like(p.grad.array, p.array)
            updates.append(self._update(p, -grad if group.get('maximize') else grad, group,
                                        self.state.setdefault(p, {})))
        # all parameters' updates in one batch of slabs on every core: one by one, none of a
        # DCGAN's parameters is big enough to be worth splitting (ops/parallel.py, ``many``)
        parallel.many(updates)
        return loss

    def _update(self, p, grad, group, state):
        """The update of p.array from its gradient ``grad`` (a raw array), the group's
        hyperparameters and the parameter's ``state`` dict, as (kernel, p.array, *arrays) for
        ``parallel.many``: kernel(*slabs) changes a slab of p in place (arrays laid out as p)."""
        raise NotImplementedError

    @staticmethod
    def _zeros_like(p):
        return Tensor(backend.xp_of(p.array).zeros(p.shape, dtype=p.dtype))

    # ---- state
    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [{'params': [indices], 'lr': ...}]}, torch's
        structure: parameters are named by their position across all groups, in order."""
        index, groups = {}, []
        for group in self.param_groups:
            for p in group['params']:
                index.setdefault(id(p), len(index))
            packed = {k: v for k, v in group.items() if k != 'params'}
            packed['params'] = [index[id(p)] for p in group['params']]
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if s}
        return {'state': state, 'param_groups': groups}

    def load_state_dict(self, state_dict):
        """Restore from state_dict(). Everything is checked first; on an error nothing changes.
        State arrays are copied onto each parameter's device and dtype (the step count stays an int)."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or 'state' not in state_dict or 'param_groups' not in state_dict:
            raise StateDictError(f"{name}.load_state_dict: expected a dict with 'state' and 'param_groups', "
                                 f"got {describe(state_dict)}")
        groups = state_dict['param_groups']
        if not isinstance(groups, (list, tuple)) or not all(isinstance(g, dict) for g in groups):
            raise StateDictError(f"{name}.load_state_dict: param_groups must be a list of dicts, got "
                                 f"{describe(groups)}")
        if not isinstance(state_dict['state'], dict):
            raise StateDictError(f"{name}.load_state_dict: 'state' must be a dict (parameter index -> "
                                 f"state), got {describe(state_dict['state'])}")
        if len(groups) != len(self.param_groups):
            raise StateDictError(f"{name}.load_state_dict: loaded state dict has {len(groups)} parameter groups, "
                                 f"the optimizer has {len(self.param_groups)}")
        by_index = {}
        for i, (mine, theirs) in enumerate(zip(self.param_groups, groups)):
            if len(theirs.get('params', ())) != len(mine['params']):
                raise StateDictError(f"{name}.load_state_dict: parameter group {i} has {len(theirs.get('params', ()))} "
                                     f"parameters in the loaded state dict, {len(mine['params'])} in the optimizer")
            missing = [k for k in mine if k != 'params' and k not in theirs]
            if missing:
                raise StateDictError(f"{name}.load_state_dict: parameter group {i} lacks hyperparameters {missing}")
            broken = {k: v for k, v in theirs.items() if isinstance(v, float) and not math.isfinite(v)}
            if broken:
                raise StateDictError(f"{name}.load_state_dict: parameter group {i} has non-finite "
                                     f"hyperparameters {broken}")
            by_index.update(zip(theirs['params'], mine['params']))
        state = {}
        for index, entries in state_dict['state'].items():
            if index not in by_index:
                raise StateDictError(f"{name}.load_state_dict: state for parameter {index!r}, which no group lists")
            p = by_index[index]
            state[p] = {key: self._restore(key, value, p, f"state[{index!r}][{key!r}]") for key, value in entries.items()}
        # everything checked: now assign
        self.state = state
        for mine, theirs in zip(self.param_groups, groups):
            params = mine['params']
            mine.clear()
            mine.update({k: v for k, v in theirs.items() if k != 'params'}, params=params)

    def _restore(self, key, value, p, where):
        if key == 'step':  # an int here; torch saves it as a 0-d float tensor
            step = value.item() if isinstance(value, Tensor) or backend.is_array(value) else value
            return int(step)
        if isinstance(value, Tensor) or backend.is_array(value):
            array = value.array if isinstance(value, Tensor) else value
            if tuple(array.shape) != tuple(p.shape):
                raise StateDictError(f"{type(self).__name__}.load_state_dict: {where} has shape {tuple(array.shape)}, "
                                     f"its parameter has shape {tuple(p.shape)}")
            return Tensor(backend.to_device(array, p.device).astype(p.dtype))  # astype copies
        return value

    def __repr__(self):
        lines = [f'{type(self).__name__} (']
        for i, group in enumerate(self.param_groups):
            lines.append(f'Parameter Group {i}')
            lines.extend(f'    {k}: {group[k]}' for k in sorted(group) if k != 'params')
        return '\n'.join(lines) + '\n)'


def _laid_out_like(grad, param):
    """``grad``, copied into ``param``'s layout when it is stored otherwise.

    A convolution's weight gradient comes out of a GEMM with the output channel innermost. One
    copy, and every pass of the update then streams its arrays in order: an Adam step on a
    (128, 64, 4, 4) weight took 0.55 ms so, 0.9 ms reading the gradient strided.
    """
    if grad.strides == param.strides:
        return grad
    conformed = backend.xp_of(param).empty_like(param)
    conformed[...] = grad
    return conformed


def check_nonnegative(where, **values):
    """Each hyperparameter a finite number >= 0; the error names ``where``, the name and the value
    (a NaN learning rate would not fail here but turn every weight into NaN a step later)."""
    for name, value in values.items():
        number(where, name, value, low=0.0)
