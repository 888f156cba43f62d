"""Activation layers: thin Modules around the F functions (ReLU, LeakyReLU, Tanh, Sigmoid, ELU,
Softplus, SiLU, GELU, PReLU, Softmax, LogSoftmax).

``inplace=True`` is accepted for torch compatibility; minigan never works in place, so the
result is the same, in new memory."""
from ... import creation
from ... import functional as F
from ...errors import ArgumentError
from .. import init
from ..module import Module
from ..parameter import Parameter


class ReLU(Module):
    """max(x, 0)."""

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


class ELU(Module):
    """x if x > 0 else α (e^x - 1): smooth below zero, mean activations closer to 0."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f'alpha={self.alpha}' + (', inplace=True' if self.inplace else '')


class Softplus(Module):
    """log(1 + e^(βx)) / β, a smooth ReLU (x itself where βx > threshold)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f'beta={self.beta}, threshold={self.threshold}'


class SiLU(Module):
    """x σ(x) (swish)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input)

    def extra_repr(self):
        return 'inplace=True' if self.inplace else ''


class GELU(Module):
    """x Φ(x), Φ the standard normal CDF (approximate='tanh': torch's tanh formula)."""

    def __init__(self, approximate='none'):
        super().__init__()
        if approximate not in ('none', 'tanh'):
            raise ArgumentError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f'approximate={self.approximate!r}'


class PReLU(Module):
    """x if x > 0 else a·x with a learned slope a: one shared (num_parameters=1) or one per
    channel (num_parameters=C, for (N, C, ...) inputs); a starts at ``init`` (0.25)."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(creation.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f'num_parameters={self.num_parameters}'


class _SoftmaxBase(Module):
    function = None

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return type(self).function(input, self.dim)

    def extra_repr(self):
        return f'dim={self.dim}'


class Softmax(_SoftmaxBase):
    """e^x / Σ e^x along ``dim``: each slice becomes a probability vector. dim=None picks torch's
    old implicit dim (1 for 2-D and 4-D input, 0 for 1-D and 3-D); give it explicitly."""
    function = staticmethod(F.softmax)


class LogSoftmax(_SoftmaxBase):
    """x - log Σ e^x along ``dim``: log-probabilities (feed them to NLLLoss)."""
    function = staticmethod(F.log_softmax)
