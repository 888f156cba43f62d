"""Conv2d and ConvTranspose2d: learnable 2-D (transposed) convolutions, as torch.nn.

    Conv2d            weight (out_channels, in_channels / groups, kH, kW)
                      H_out = floor((H + 2·padding - dilation·(k - 1) - 1) / stride) + 1
    ConvTranspose2d   weight (in_channels, out_channels / groups, kH, kW)  -- note the order
                      H_out = (H - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1

ConvTranspose2d is the gradient of Conv2d with respect to its input: it maps a small feature map
to a larger one, which is how DCGAN's generator upsamples. Both are initialized as torch:
kaiming_uniform_(a=sqrt(5)) for the weight and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias.
"""
from ... import creation
from ... import functional as F
from .. import init
from ...checks import count
from ...errors import ArgumentError, ShapeError
from ...ops.conv import pair, padded_conv2d
from ..module import Module
from ..parameter import Parameter

PADDING_MODES = ('zeros', 'reflect', 'replicate')


class _ConvNd(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device, dtype):
        super().__init__()
        op = type(self).__name__
        for name, value in (('in_channels', in_channels), ('out_channels', out_channels), ('groups', groups)):
            count(op, name, value, minimum=1)
        if in_channels % groups or out_channels % groups:
            raise ShapeError(f"{op}: groups={groups} must divide in_channels={in_channels} "
                             f"and out_channels={out_channels}")
        if padding_mode not in PADDING_MODES:
            raise ArgumentError(f"{op}: padding_mode must be one of {PADDING_MODES}, but got "
                                f"padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, 'kernel_size', op)
        self.stride = pair(stride, 'stride', op)
        self.dilation = pair(dilation, 'dilation', op)
        self.output_padding = pair(output_padding, 'output_padding', op, minimum=0)
        self.groups, self.padding_mode, self.transposed = groups, padding_mode, transposed
        if isinstance(padding, str):
            if padding not in ('same', 'valid'):
                raise ArgumentError(f"invalid padding string {padding!r}, should be one of 'same', 'valid'")
            if padding == 'same' and self.stride != (1, 1):
                raise ArgumentError("padding='same' is not supported for strided convolutions")
            self.padding = padding
            # F.pad's order: last dim first (left, right, top, bottom); 'same' puts the odd pixel right
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)] if padding == 'same' else [0, 0]
            self._reversed_padding_repeated_twice = [p for t in reversed(totals) for p in (t // 2, t - t // 2)]
        else:
            self.padding = pair(padding, 'padding', op, minimum=0)
            self._reversed_padding_repeated_twice = [p for p in reversed(self.padding) for _ in range(2)]
        shape = ((in_channels, out_channels // groups) if transposed else
                 (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(creation.empty(*shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        init.layer_default_(self.weight, self.bias)

    def extra_repr(self):
        s = f'{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}'
        if self.padding != (0, 0):
            s += f', padding={self.padding}'
        if self.dilation != (1, 1):
            s += f', dilation={self.dilation}'
        if self.output_padding != (0, 0):
            s += f', output_padding={self.output_padding}'
        if self.groups != 1:
            s += f', groups={self.groups}'
        if self.bias is None:
            s += ', bias=False'
        if self.padding_mode != 'zeros':
            s += f', padding_mode={self.padding_mode}'
        return s


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W). padding_mode 'reflect' or 'replicate' pads with the
    input's edges (CycleGAN's generator pads by reflection), inside the convolution's own gather
    (ops/conv.py, padded_conv2d): the same numbers as F.pad and then a convolution without padding."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False,
                         0, groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        if self.padding_mode != 'zeros':
            return padded_conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                                 self.groups, self.padding_mode)
        padding = self.padding
        if padding == 'same':  # the odd pixel of an even kernel goes right/bottom: pad explicitly
            left, right, top, bottom = self._reversed_padding_repeated_twice
            if (left, top) != (right, bottom):
                input = F.pad(input, [0, right - left, 0, bottom - top])
            padding = (top, left)
        elif padding == 'valid':
            padding = (0, 0)
        return F.conv2d(input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """2-D transposed convolution over (N, C_in, H, W); forward(input, output_size) picks the
    output_padding that gives ``output_size`` when a stride makes the size ambiguous."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None):
        if padding_mode != 'zeros':
            raise ArgumentError(f'Only "zeros" padding mode is supported for ConvTranspose2d, got {padding_mode!r}')
        if isinstance(padding, str):
            raise ArgumentError(f"ConvTranspose2d: padding must be an int or a pair of ints, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, True,
                         output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        output_size = tuple(output_size)[-2:]
        padding = []
        for d in range(2):
            smallest = ((input.shape[d - 2] - 1) * self.stride[d] - 2 * self.padding[d]
                        + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            if not smallest <= output_size[d] < smallest + self.stride[d]:
                raise ShapeError(f"ConvTranspose2d: requested output size {output_size} is not reachable "
                                 f"from input shape {tuple(input.shape)}; dim {d} must lie in "
                                 f"[{smallest}, {smallest + self.stride[d] - 1}]")
            padding.append(output_size[d] - smallest)
        return tuple(padding)

    def forward(self, input, output_size=None):
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups, self.dilation)
