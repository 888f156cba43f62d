"""Padding layers: ReflectionPad2d, ReplicationPad2d, ConstantPad2d, ZeroPad2d around F.pad.

``padding`` is an int (all four sides) or (left, right, top, bottom), F.pad's order. Reflection
mirrors the image without repeating the edge pixel, which avoids the dark border that zero
padding leaves: CycleGAN's generator pads every convolution this way.
"""
from ... import functional as F
from ...errors import ArgumentError
from ..module import Module


class _Pad2d(Module):
    mode = 'constant'

    def __init__(self, padding):
        super().__init__()
        padding = (padding,) * 4 if isinstance(padding, int) else tuple(padding)
        if len(padding) != 4 or not all(isinstance(p, int) for p in padding):
            raise ArgumentError(f"{type(self).__name__}: padding must be an int or 4 ints "
                                f"(left, right, top, bottom), got {padding!r}")
        self.padding = padding

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f'{self.padding}'


class ReflectionPad2d(_Pad2d):
    mode = 'reflect'


class ReplicationPad2d(_Pad2d):
    mode = 'replicate'


class ConstantPad2d(_Pad2d):
    """Pads with ``value``."""

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f'padding={self.padding}, value={self.value}'


class ZeroPad2d(ConstantPad2d):
    """Pads with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f'{self.padding}'
