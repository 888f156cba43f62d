"""Module: the base class of every layer and model, as torch.nn.Module.

A Module keeps three ordered registries, filled by plain attribute assignment:

    self.weight = Parameter(...)          -> _parameters  (learnable; in parameters(), state_dict)
    self.register_buffer('mean', tensor)  -> _buffers     (state that is not learned: BN statistics)
    self.block = Linear(...)              -> _modules     (children; their entries get 'block.' keys)

Everything else -- parameters(), state_dict(), train(), to() -- walks these registries. Subclasses
write ``__init__`` (calling ``super().__init__()`` first) and ``forward``; calling the module runs
``forward`` between any registered hooks.
"""
import itertools

from .. import backend
from ..autograd import clear_grads
from ..errors import ArgumentError, ArgumentTypeError, DTypeError
from ..tensor import Tensor
from . import state_dict as _state
from .parameter import Parameter

_hook_ids = itertools.count()


class RemovableHandle:
    """Returned by register_forward_(pre_)hook: ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks):
        self.hooks, self.id = hooks, next(_hook_ids)

    def remove(self):
        self.hooks.pop(self.id, None)


def _add_indent(text, spaces):
    first, *rest = text.split('\n')
    return '\n'.join([first] + [' ' * spaces + line for line in rest])


class Module:
    def __init__(self):
        # object.__setattr__ because our own __setattr__ consults these dicts
        object.__setattr__(self, 'training', True)
        object.__setattr__(self, '_parameters', {})
        object.__setattr__(self, '_buffers', {})
        object.__setattr__(self, '_non_persistent_buffers_set', set())
        object.__setattr__(self, '_modules', {})
        object.__setattr__(self, '_forward_pre_hooks', {})
        object.__setattr__(self, '_forward_hooks', {})

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks):  # the usual case: no hooks
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_pre_hook(self, hook):
        """hook(module, args) runs before forward; it may return replacement args."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook):
        """hook(module, args, output) runs after forward; it may return a replacement output."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # ---- registration
    def _check_new_name(self, name, kind):
        """A new entry's name must be a plain identifier-like string not used by anything else."""
        if not isinstance(name, str):
            raise ArgumentTypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if '.' in name or name == '':
            raise KeyError(f"{kind} name {name!r} must be non-empty and contain no '.'")
        if hasattr(self, name):  # callers re-registering an entry of their own kind skip this check
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        if '_parameters' not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        if not isinstance(name, str) or name not in self._parameters:
            self._check_new_name(name, 'parameter')
        if param is not None and not isinstance(param, Parameter):
            raise ArgumentTypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                                    "(minigan.nn.Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """A named Tensor that is module state but not learned (saved in state_dict if persistent)."""
        if '_buffers' not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str) or name not in self._buffers:
            self._check_new_name(name, 'buffer')
        if tensor is not None and not isinstance(tensor, Tensor):
            raise ArgumentTypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                                    "(Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise ArgumentTypeError(f"{type(module).__name__} is not a Module subclass")
        if not isinstance(name, str) or name not in self._modules:
            self._check_new_name(name, 'module')
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name, value):
        d = self.__dict__
        params, buffers, modules = d.get('_parameters'), d.get('_buffers'), d.get('_modules')
        if isinstance(value, Parameter):
            self._forget(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise ArgumentTypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                        "(minigan.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name)
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise ArgumentTypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                        "(Module or None expected)")
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise ArgumentTypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                        "(Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name):
        """Drop ``name`` from every registry (it is about to be registered as something else)."""
        self.__dict__.pop(name, None)
        for registry in ('_parameters', '_buffers', '_modules'):
            self.__dict__.get(registry, {}).pop(name, None)
        self.__dict__.get('_non_persistent_buffers_set', set()).discard(name)

    def __getattr__(self, name):  # only called when normal lookup fails
        d = self.__dict__
        for registry in ('_parameters', '_buffers', '_modules'):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        if any(name in self.__dict__.get(r, {}) for r in ('_parameters', '_buffers', '_modules')):
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    # ---- traversal
    def named_modules(self, memo=None, prefix='', remove_duplicate=True):
        """(name, module) for this module and every descendant, depth first; shared ones once."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ('.' if prefix else '') + name, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))  # a weight shared by two layers is one parameter
                yield module_prefix + ('.' if module_prefix else '') + name, value

    def named_parameters(self, prefix='', recurse=True, remove_duplicate=True):
        yield from self._named_members('_parameters', prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix='', recurse=True, remove_duplicate=True):
        yield from self._named_members('_buffers', prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call fn(m) on every child (recursively) and then on self, e.g. a custom init."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ArgumentError(f"train: mode must be a bool, got {mode!r}")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of all parameters (None by default, or zeros in place)."""
        clear_grads(self.parameters(), set_to_none)

    # ---- device and dtype
    def to(self, *args, device=None, dtype=None):
        """Move parameters, their grads and buffers in place: to('cuda'), to(float64), to(tensor).

        The Parameter objects stay the same (only their .array is replaced), so an optimizer built
        before the move still holds them. dtype changes floating-point entries only, as in torch.
        """
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, str):
                device = a
            elif a is not None:
                dtype = a
        if device is not None:
            device = backend.normalize_device(device)
            backend.module_for(device)  # fail now (no CuPy / no GPU), before anything has moved
        if dtype is not None:
            dtype = backend.as_dtype(dtype)
            if not backend.is_floating(dtype):
                raise DTypeError(f"Module.to: only floating-point dtypes are accepted, got {dtype}")

        def convert(array):
            if device is not None:
                array = backend.to_device(array, device)
            if dtype is not None and backend.is_floating(array.dtype):
                array = array.astype(dtype, copy=False)
            return array
        return self._apply(convert)

    def _apply(self, fn):
        for module in self.modules():
            for p in module._parameters.values():
                if p is not None:
                    p.array = fn(p.array)
                    if p.grad is not None:
                        p.grad.array = fn(p.grad.array)
            for b in module._buffers.values():
                if b is not None:
                    b.array = fn(b.array)
        return self

    def cpu(self):
        return self.to('cpu')

    def cuda(self):
        return self.to('cuda')

    def float(self):
        return self.to(backend.float32)

    def double(self):
        return self.to(backend.float64)

    # ---- state
    def state_dict(self, *, destination=None, prefix='', keep_vars=False):
        """{'layer.weight': Tensor, ...}: parameters and persistent buffers, under torch's keys.

        The values share memory with the module (as torch's do); save or clone them to keep a copy.
        """
        return _state.state_dict(self, destination, prefix, keep_vars)

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` (Tensors or arrays) into the parameters and buffers.

        Everything is checked before anything is copied, so on an error the module is unchanged.
        Raises RuntimeError listing missing, unexpected (when strict) and mis-shaped keys; returns
        (missing_keys, unexpected_keys).
        """
        return _state.load_state_dict(self, state_dict, strict)

    # ---- printing
    def extra_repr(self):
        """The text inside the parentheses of this module's repr, e.g. 'in_features=3, ...'."""
        return ''

    def __repr__(self):
        extra = self.extra_repr().split('\n') if self.extra_repr() else []
        children = [f'({name}): ' + _add_indent(repr(m), 2) for name, m in self._modules.items()]
        lines = extra + children
        if not lines:
            body = ''
        elif len(extra) == 1 and not children:
            body = extra[0]
        else:
            body = '\n  ' + '\n  '.join(lines) + '\n'
        return f'{type(self).__name__}({body})'
