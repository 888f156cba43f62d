"""Copies that change where or how values are stored: clone, dtype casts, device moves.

All three are differentiable (the gradient is copied back the other way), as in torch.
"""
from .. import backend
from ..function import Function
from ..tensor import Tensor


class Clone(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


class Cast(Function):
    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, gy):
        return cast(gy, self.inputs[0].dtype)


class ToDevice(Function):
    def __init__(self, device):
        self.device = device

    def forward(self, x):
        return backend.to_device(x, self.device)

    def backward(self, gy):
        return to_device(gy, self.inputs[0].device)


def clone(x):
    return Clone()(x)


def cast(x, dtype):
    dtype = backend.as_dtype(dtype)
    return x if x.dtype == dtype else Cast(dtype)(x)


def to_device(x, device):
    device = backend.normalize_device(device)
    return x if x.device == device else ToDevice(device)(x)


def to(x, *args, dtype=None, device=None):
    """x.to('cuda'), x.to(minigan.float64), x.to(other_tensor), or x.to(device, dtype)."""
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, str):
            device = a
        else:
            dtype = a
    if device is not None:
        x = to_device(x, device)
    if dtype is not None:
        x = cast(x, dtype)
    return x
