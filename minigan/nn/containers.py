"""Containers: Sequential (a chain), ModuleList and ModuleDict (registered collections of
layers), ParameterList and ParameterDict (of parameters).

A plain Python list of layers is invisible to parameters() and state_dict(); these containers
register each entry as a child (or a parameter) named by its index ('0', '1', ...) or key,
which is also how torch names them, so their state_dict keys match torch's ('0.weight',
'blocks.2.bias', 'scales.1').
"""
from ..errors import ArgumentTypeError, DimError
from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _index(i, n, what):
    if not isinstance(i, int) or isinstance(i, bool):
        raise ArgumentTypeError(f"{what} indices must be integers or slices, not {type(i).__name__}")
    if not -n <= i < n:
        raise DimError(f"{what} index {i} is out of range for {n} modules")
    return i % n


class _Sequence(Module):
    """Children kept in order: len(), iteration, append() (named by the next index)."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self


class Sequential(_Sequence):
    """Sequential(m0, m1, ...) or Sequential({'name': m, ...}): forward(x) = ...m1(m0(x))."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], dict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, i):
        modules = list(self._modules.items())
        if isinstance(i, slice):
            return Sequential(dict(modules[i]))
        return modules[_index(i, len(modules), 'Sequential')][1]


class ModuleList(_Sequence):
    """A list of modules, registered as children '0', '1', ...; it has no forward of its own."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, i):
        modules = list(self._modules.values())
        if isinstance(i, slice):
            return ModuleList(modules[i])
        return modules[_index(i, len(modules), 'ModuleList')]

    def __setitem__(self, i, module):
        self.add_module(str(_index(i, len(self), 'ModuleList')), module)

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self


class _Mapping(Module):
    """A dict view of one registry (``_modules`` or ``_parameters``): the body of ModuleDict and
    ParameterDict. Subclasses say which registry, and how to store an entry (``__setitem__``)."""
    registry = '_modules'

    def __init__(self, entries=None):
        super().__init__()
        if entries is not None:
            self.update(entries)

    def _entries(self):
        return getattr(self, self.registry)

    def __getitem__(self, key):
        return self._entries()[key]

    def __delitem__(self, key):
        del self._entries()[key]

    def __len__(self):
        return len(self._entries())

    def __iter__(self):
        return iter(self._entries())

    def __contains__(self, key):
        return key in self._entries()

    def keys(self):
        return self._entries().keys()

    def values(self):
        return self._entries().values()

    def items(self):
        return self._entries().items()

    def update(self, entries):
        items = entries.items() if hasattr(entries, 'items') else entries
        for key, value in items:
            self[key] = value


class ModuleDict(_Mapping):
    """A dict of modules, registered as children under their keys; it has no forward of its own."""

    def __setitem__(self, key, module):
        self.add_module(key, module)


# ----------------------------------------------------------------------------- parameters
def _as_parameter(value):
    """ParameterList / ParameterDict hold Parameters: a plain Tensor is wrapped (sharing memory)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise ArgumentTypeError(f"expected a Parameter or Tensor, got {type(value).__name__}")


def _describe(parameters):
    """torch's repr lines: '  (0): Parameter containing: [minigan.float32 of size 3x1]'."""
    lines = []
    for key, p in parameters.items():
        where = '' if p.device == 'cpu' else ' (GPU 0)'
        size = 'x'.join(str(n) for n in p.shape) or '()'
        lines.append(f'  ({key}): Parameter containing: [minigan.{p.dtype} of size {size}{where}]')
    return '\n'.join(lines)


class ParameterList(Module):
    """A list of Parameters, registered as '0', '1', ... (so parameters() and state_dict() see
    them, which a plain Python list would hide)."""

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __getitem__(self, i):
        values = list(self._parameters.values())
        if isinstance(i, slice):
            return ParameterList(values[i])
        return values[_index(i, len(values), 'ParameterList')]

    def __setitem__(self, i, value):
        self.register_parameter(str(_index(i, len(self), 'ParameterList')), _as_parameter(value))

    def append(self, value):
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values):
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        return _describe(self._parameters)


class ParameterDict(_Mapping):
    """A dict of Parameters, registered under their keys."""
    registry = '_parameters'

    def __setitem__(self, key, value):
        self.register_parameter(key, _as_parameter(value))

    def extra_repr(self):
        return _describe(self._parameters)
