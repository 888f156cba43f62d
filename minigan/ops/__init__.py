"""The engine's Functions, one file per family, and the Tensor methods built on them."""
from . import allocator, convert, linalg, math, reduce, shape  # noqa: F401 -- allocator: see its docstring
from .tensor_methods import attach as _attach_tensor_methods

_attach_tensor_methods()
