"""F.pad: constant, reflect and replicate padding, with torch's arguments and rules.

Reflect and replicate padding (the raw kernels and their rule: edges.py) only copy entries, so
they are linear: the backward (the adjoint) adds the gradient of every copy back onto the entry
it was copied from, and the adjoint's backward is the padding again -- exact at every order.
Padding several dims is one 1-D padding per dim. Constant padding is ``shape.constant_pad``.
"""
from .. import backend
from ..checks import describe
from ..errors import ArgumentError, ArgumentTypeError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .edges import EDGE_MODES, edge_fold, edge_pad
from .links import link, link_gradient
from .shape import constant_pad

MODES = ('constant',) + EDGE_MODES


class AxisPad(Function):
    """Reflect or replicate padding of one axis by (lo, hi)."""

    def __init__(self, mode, axis, lo, hi):
        self.mode, self.axis, self.lo, self.hi = mode, axis, lo, hi

    def forward(self, x):
        return edge_pad(x, self.axis, self.lo, self.hi, self.mode)

    def backward(self, gy):
        # linked to x with derivative 0, as torch's reflection/replication_pad backward(grad, self)
        return link(AxisPadAdjoint(self.mode, self.axis, self.lo, self.hi)(gy), self.inputs[0], zeros=True)


class AxisPadAdjoint(Function):
    """The adjoint of AxisPad: the middle of g, plus each padded entry's g added to its source."""

    def __init__(self, mode, axis, lo, hi):
        self.mode, self.axis, self.lo, self.hi = mode, axis, lo, hi

    def forward(self, g):
        return edge_fold(g, self.axis, self.lo, self.hi, self.mode)

    def backward(self, ggx):
        return AxisPad(self.mode, self.axis, self.lo, self.hi)(ggx)


def pad(input, pad, mode='constant', value=None):  # noqa: A002 -- torch's names
    """Pad the last len(pad) // 2 dims, as torch.nn.functional.pad.

    ``pad`` lists (before, after) pairs starting from the LAST dim: (left, right, top, bottom, ...).
    mode 'constant' fills with ``value`` (default 0) and pads any dims; 'reflect' and 'replicate'
    pad the last 1, 2 or 3 dims of a tensor with 1 or 2 more dims (torch's rule), and reflect
    needs each pad smaller than its dim.
    """
    if not isinstance(input, Tensor):
        raise ArgumentTypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    if not isinstance(pad, (tuple, list)) or not all(type(p) is int for p in pad):
        raise ArgumentTypeError(f"pad: pad must be a tuple of ints, got {pad!r}")
    if len(pad) % 2:
        raise ShapeError(f"pad: the padding length must be divisible by 2, got {len(pad)} ({tuple(pad)})")
    if len(pad) > 2 * input.ndim:
        raise ShapeError(f"pad: the padding length must be at most twice the input's dims, got "
                         f"{len(pad)} for an input of shape {tuple(input.shape)}")
    if mode == 'constant':
        if value is not None and not backend.is_real_scalar(value):
            raise ArgumentTypeError(f"pad: value must be a number, got {describe(value)}")
        return constant_pad(input, pad, 0.0 if value is None else value)
    if mode not in MODES:
        raise ArgumentError(f"pad: unsupported padding mode {mode!r}; expected one of {MODES}")
    if value is not None and value != 0:
        raise ArgumentError(f"pad: padding mode {mode!r} does not take a value argument (got {value!r})")
    dims = len(pad) // 2
    if dims not in (1, 2, 3) or input.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"pad: mode {mode!r} with {len(pad)} pad values needs a {dims + 1}-D or "
                         f"{dims + 2}-D input, got shape {tuple(input.shape)} (torch pads the last 1, 2 "
                         "or 3 dims of a tensor that has 1 or 2 more)")
    out = input
    for i in range(dims):
        axis, lo, hi = input.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        n = input.shape[axis]
        if lo < 0 or hi < 0:
            raise ArgumentError(f"pad: negative padding {tuple(pad)} is not supported with mode {mode!r}")
        if mode == 'reflect' and (lo >= n or hi >= n):
            raise ShapeError(f"pad: reflect padding ({lo}, {hi}) of dim {axis} must be less than its "
                             f"size {n} (input shape {tuple(input.shape)})")
        if mode == 'replicate' and n == 0 and (lo or hi):
            raise ShapeError(f"pad: cannot replicate-pad the empty dim {axis} of shape {tuple(input.shape)}")
        if lo or hi:
            out = AxisPad(mode, axis, lo, hi)(out)
    if out is input:  # every pad 0: torch still pads, so its gradient is linked to the input
        out = link_gradient(input, input, zeros=True)
    return out
