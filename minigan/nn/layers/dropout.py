"""Dropout: in training, zero each element with probability p and scale the rest by 1/(1-p)
(so the expected value is unchanged); in eval mode, the identity. Dropout2d / Dropout1d zero
whole channels instead (ops/dropout.py says why convolutional layers want that)."""
from ... import functional as F
from ...checks import number
from ..module import Module


class Dropout(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        number('Dropout', 'p', p, low=0.0, high=1.0)
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f'p={self.p}, inplace={self.inplace}'


class Dropout2d(Dropout):
    """Zero whole channels: each (sample, channel) feature map of an (N, C, H, W) input is zeroed
    with probability p in training (kept ones scaled by 1/(1-p)); the identity in eval mode."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training)


class Dropout1d(Dropout):
    """Zero whole channels of an (N, C, L) or (C, L) input."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training)
