"""Activation layers: thin Modules around the F functions (ReLU, LeakyReLU, Tanh, Sigmoid)."""
from ... import functional as F
from ..module import Module


class ReLU(Module):
    """max(x, 0). ``inplace`` is accepted for torch compatibility; minigan never works in place."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self):
        return 'inplace=True' if self.inplace else ''


class LeakyReLU(Module):
    """x if x > 0 else negative_slope · x (DCGAN's discriminator uses 0.2)."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f'negative_slope={self.negative_slope}' + (', inplace=True' if self.inplace else '')


class Tanh(Module):
    """tanh(x), in (-1, 1): the usual last layer of a generator of images scaled to [-1, 1]."""

    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    """1 / (1 + e^-x), in (0, 1)."""

    def forward(self, input):
        return F.sigmoid(input)
