"""The engine's Functions, one file per family, and the Tensor methods built on them."""
from . import convert, linalg, math, reduce, shape
from .tensor_methods import attach as _attach_tensor_methods

_attach_tensor_methods()
