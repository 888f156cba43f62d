"""nn.init: fill a weight in place with a chosen distribution, exactly as torch.nn.init.

Why the scale matters: a layer y = W x with fan_in inputs has Var(y) = fan_in · Var(W) · Var(x),
so Var(W) = 1/fan_in keeps activations from growing or vanishing through depth. The schemes:

    xavier (Glorot):   std = gain · sqrt(2 / (fan_in + fan_out))
    kaiming (He):      std = gain / sqrt(fan)          fan = fan_in (default) or fan_out
    uniform version:   U(-b, b) with b = sqrt(3) · std  (U(-b, b) has variance b²/3)

For a weight of shape (out, in, k, k), fan_in = in·k·k and fan_out = out·k·k; torch applies the
same formula to every weight, so a ConvTranspose2d weight (in, out, k, k) gets fan_in = out·k·k.
All functions change ``tensor.array`` under no_grad (they are not part of any graph), draw from
minigan's generator (``minigan.manual_seed``) and return the tensor.
"""
import math

from .. import backend
from ..checks import number
from ..errors import ArgumentError, ShapeError
from ..tensor import no_grad


def calculate_gain(nonlinearity, param=None):
    """The gain that keeps the variance of activations: 1 (linear, conv, sigmoid), 5/3 (tanh),
    sqrt(2) (relu), sqrt(2 / (1 + slope²)) (leaky_relu, slope = param or 0.01), 3/4 (selu)."""
    linear = ('linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
              'conv_transpose3d', 'sigmoid')
    if nonlinearity in linear:
        return 1
    if nonlinearity == 'tanh':
        return 5.0 / 3
    if nonlinearity == 'relu':
        return math.sqrt(2.0)
    if nonlinearity == 'leaky_relu':
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ArgumentError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == 'selu':
        return 3.0 / 4
    raise ArgumentError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    """(size(1) · receptive field, size(0) · receptive field), receptive field = prod(shape[2:])."""
    if tensor.ndim < 2:
        raise ShapeError(f"fan in and fan out can not be computed for a tensor of shape {tuple(tensor.shape)}; "
                         "expected at least 2 dimensions")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    if mode not in ('fan_in', 'fan_out'):
        raise ArgumentError(f"mode {mode!r} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == 'fan_in' else fan_out


@no_grad()
def uniform_(tensor, a=0.0, b=1.0):
    """Fill with samples of U(a, b)."""
    number('uniform_', 'a', a)
    number('uniform_', 'b', b, low=a)
    tensor.array[...] = backend.random_uniform(tensor.shape, tensor.dtype, tensor.device, a, b)
    return tensor


@no_grad()
def normal_(tensor, mean=0.0, std=1.0):
    """Fill with samples of N(mean, std²)."""
    number('normal_', 'mean', mean)
    number('normal_', 'std', std, low=0.0)
    noise = backend.random_normal(tensor.shape, backend.float64, tensor.device)
    tensor.array[...] = (noise * std + mean).astype(tensor.dtype)
    return tensor


@no_grad()
def constant_(tensor, val):
    number('constant_', 'val', val)
    tensor.array[...] = val
    return tensor


def zeros_(tensor):
    return constant_(tensor, 0.0)


def ones_(tensor):
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor, gain=1.0):
    """U(-b, b), b = gain · sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """N(0, std²), std = gain · sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))


def kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'):
    """U(-b, b), b = sqrt(3) · gain / sqrt(fan); a is leaky_relu's negative slope.

    Linear and Conv layers use a = sqrt(5): gain = sqrt(1/3), so b = 1 / sqrt(fan_in).
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    return uniform_(tensor, -math.sqrt(3.0) * std, math.sqrt(3.0) * std)


def kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'):
    """N(0, std²), std = gain / sqrt(fan)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


@no_grad()
def orthogonal_(tensor, gain=1.0):
    """A (semi-)orthogonal matrix: Q of the QR decomposition of a Gaussian matrix, flattened to
    (size(0), numel / size(0)). Multiplying Q's columns by sign(diag R) makes Q uniformly
    distributed over orthogonal matrices (Mezzadri 2007), as torch does."""
    if tensor.ndim < 2:
        raise ShapeError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {tuple(tensor.shape)}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = backend.random_normal((rows, cols), backend.float64, tensor.device)
    if rows < cols:
        flat = flat.T  # QR of the tall transpose, transposed back: orthonormal rows
    xp = backend.xp_of(flat)
    q, r = xp.linalg.qr(flat)
    q = q * xp.sign(xp.diagonal(r))
    if rows < cols:
        q = q.T
    tensor.array[...] = (q * gain).reshape(tensor.shape).astype(tensor.dtype)
    return tensor


def layer_default_(weight, bias=None):
    """torch's default for Linear and Conv layers: weight by kaiming_uniform_ with a = sqrt(5),
    which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias from the same bound."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
