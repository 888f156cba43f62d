"""Containers: Sequential (a chain), ModuleList and ModuleDict (registered collections).

A plain Python list of layers is invisible to parameters() and state_dict(); these containers
register each entry as a child named by its index ('0', '1', ...) or key, which is also how
torch names them, so their state_dict keys match torch's ('0.weight', 'blocks.2.bias').
"""
from ..errors import ArgumentTypeError, DimError
from .module import Module


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


class ModuleDict(Module):
    """A dict of modules, registered as children under their keys; it has no forward of its own."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def update(self, modules):
        items = modules.items() if hasattr(modules, 'items') else modules
        for key, module in items:
            self[key] = module
