"""Parameter: a Tensor that a Module treats as one of its learnable weights.

Assigning a Parameter to a Module attribute (``self.weight = Parameter(...)``) registers it, so
it shows up in ``parameters()`` and ``state_dict()`` -- that is the whole difference from a plain
Tensor. It requires grad by default, and it is a leaf: optimizers change its ``.array`` in place.
"""
from .. import backend
from ..errors import ArgumentError
from ..tensor import Tensor


class Parameter(Tensor):
    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = backend.asarray([], dtype=backend.DEFAULT_DTYPE)
        if isinstance(data, Tensor):
            if not data.is_leaf:
                raise ArgumentError("Parameter: expected a leaf tensor (one with no grad_fn); "
                                    "pass t.detach() to make a parameter from a computed tensor")
            data = data.array  # share the values, as torch.nn.Parameter(t) does
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()
