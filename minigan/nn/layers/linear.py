"""Linear (y = x Wᵀ + b) and Identity (y = x)."""
from ... import creation
from ... import functional as F
from ...checks import count
from .. import init
from ..module import Module
from ..parameter import Parameter


class Identity(Module):
    """Returns its input; takes and ignores any arguments (a placeholder, as in torch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features) and b of shape (out_features,).

    Initialized as torch: W ~ U(-1/sqrt(in_features), 1/sqrt(in_features)) (kaiming_uniform_ with
    a = sqrt(5)), and b from the same bound.
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        count('Linear', 'in_features', in_features)
        count('Linear', 'out_features', out_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(creation.empty(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        init.layer_default_(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f'in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}'
