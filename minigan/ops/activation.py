"""Activations, dropout and linear: relu, leaky_relu, elu, sigmoid, tanh, softplus, logsigmoid,
softmax, log_softmax, dropout, linear.

Two kinds of backward live here:

  * piecewise-linear ops (relu, leaky_relu, dropout) are y = x * s with s a piecewise-constant
    array (1 or slope; 0 or 1/(1-p)). s is constant in x wherever the derivative exists, so saving
    it (or the mask it comes from) as a raw array and returning gy * s is exact for derivatives
    of every order;
  * smooth ops (sigmoid, tanh, softmax...) write their derivative with the output Tensor y (or
    the input x), e.g. tanh' = 1 - y²: y is in the graph, so the backward differentiates again.

Numerical stability: sigmoid and softplus use logaddexp(0, z) = log(1 + e^z) (never overflows),
softmax and log_softmax subtract the row max first.
"""
import math

from .. import backend
from ..checks import number
from ..errors import DTypeError, ShapeError
from ..function import Function, check_compatible
from ..tensor import Tensor
from . import parallel
from .linalg import matmul
from .links import link, pass_zeros
from .math import clamp, exp, where
from .reduce import sum as _sum
from .shape import reshape, transpose
from .util import normalize_dim, require_tensor, require_tensors


# ----------------------------------------------------------------------------- piecewise linear
class LeakyReLU(Function):
    """x where x > 0, slope · x elsewhere (relu: slope 0).

    The forward keeps only the mask [x > 0], one byte per element; the backward is gy · s with
    s = 1 on the mask and slope off it. Both run block by block on all cores, in the memory
    order of x (ops/parallel.py): these ops are memory-bound, and one core cannot move the bytes
    fast enough. y, the mask and the gradient all take x's layout.
    """

    def __init__(self, slope):
        self.slope = slope

    def forward(self, x):
        xp, slope = backend.xp_of(x), self.slope
        y, self.mask = xp.empty_like(x), xp.empty_like(x, dtype=bool)  # x's strides (order 'K')

        def kernel(x, y, mask):
            xp.greater(x, 0, out=mask)
            if slope == 0:
                xp.maximum(x, 0, out=y)
            elif 0 < slope <= 1:           # max(x, slope x) picks x for x > 0, slope x below
                xp.multiply(x, slope, out=y)
                xp.maximum(y, x, out=y)
            else:
                xp.multiply(x, _mask_scale(xp, mask, slope, x.dtype), out=y)
        parallel.blocks(kernel, x, x, y, self.mask)
        return y

    def backward(self, gy):
        zeros = pass_zeros(self, gy)
        if zeros:
            return zeros
        # linked to x with derivative 0, as torch's leaky_relu_backward(grad, self): the second
        # derivative is 0, not an error
        return link(MaskScale(self.mask, self.slope)(gy), self.inputs[0], zeros=True)


class ReLU(LeakyReLU):
    """max(x, 0): leaky_relu with slope 0 (its own name in grad_fn and error messages)."""

    def __init__(self):
        super().__init__(0.0)


class MaskScale(Function):
    """g ↦ g · s with s = 1 where ``mask``, ``slope`` elsewhere: linear, so its backward is
    itself (the second derivative of leaky_relu is 0 wherever it exists).

    The result takes the mask's layout -- that of the forward input x, which is what x's
    gradient is best laid out as -- whatever layout g arrives in.
    """

    def __init__(self, mask, slope):
        self.mask, self.slope = mask, slope

    def forward(self, g):
        xp = backend.xp_of(g)
        out = xp.empty_like(self.mask, dtype=g.dtype)

        def kernel(g, mask, out):
            if self.slope == 0:  # relu: g · [mask], the bool cast done in NumPy's buffers -- one
                xp.multiply(g, mask, out=out)  # pass, no temporary: 0.33 against 0.73 ms at 800k
            else:
                xp.multiply(g, _mask_scale(xp, mask, self.slope, g.dtype), out=out)
        parallel.blocks(kernel, self.mask, g, self.mask, out)
        return out

    def backward(self, gg):
        return MaskScale(self.mask, self.slope)(gg)


def _mask_scale(xp, mask, slope, dtype):
    """1 where mask, slope elsewhere, as an array of ``dtype`` -- without xp.where, whose branchy
    loop is ~10x slower than arithmetic on a random sign pattern."""
    if 0 <= slope <= 1:  # max([mask], slope): one pass
        return xp.maximum(mask, slope, dtype=dtype)
    s = mask.astype(dtype)
    s *= 1 - slope
    s += slope
    return s


def relu(input, inplace=False):
    """max(x, 0), elementwise."""
    return ReLU()(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x, elementwise."""
    number('leaky_relu', 'negative_slope', negative_slope)
    return LeakyReLU(negative_slope)(input)


# ----------------------------------------------------------------------------- smooth, elementwise
class Sigmoid(Function):
    """σ(x) = 1 / (1 + e^-x), computed as exp(-log(1 + e^-x)) so no step overflows.

    σ' = σ(x) σ(-x): the same as y (1 - y), but 1 - y cancels to noise for large x (σ'(30) would
    lose 3 digits in float64), while σ(-x) keeps full relative precision in the tail.
    """

    def forward(self, x):
        xp = backend.xp_of(x)
        return xp.exp(-xp.logaddexp(0, -x))

    def backward(self, gy):
        return gy * self.output() * sigmoid(-self.inputs[0])


class Tanh(Function):
    """tanh x; tanh' = 1 - y²."""

    def forward(self, x):
        return backend.xp_of(x).tanh(x)

    def backward(self, gy):
        y = self.output()
        return gy * (1.0 - y * y)


class Softplus(Function):
    """log(1 + e^(βx)) / β, and x itself where βx > threshold (torch's linear regime).

    d/dx = σ(βx) (1 where βx > threshold), written with the sigmoid op so it differentiates again.
    """

    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        xp = backend.xp_of(x)
        z = x * self.beta
        self.linear = z > self.threshold  # constant mask: which elements are in the linear regime
        return xp.where(self.linear, x, xp.logaddexp(0, z) / self.beta)

    def backward(self, gy):
        (x,) = self.inputs
        return where(self.linear, gy, gy * sigmoid(x * self.beta))


class ELU(Function):
    """x where x > 0, α (e^x - 1) elsewhere; d/dx = 1 or α e^x.

    α e^x, not y + α: the latter cancels to 0 for x << 0 (float32 at x = -30).
    """

    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        xp = backend.xp_of(x)
        self.positive = x > 0
        # expm1 of min(x, 0): the branch that where() discards must not overflow either
        return xp.where(self.positive, x, self.alpha * xp.expm1(xp.minimum(x, 0)))

    def backward(self, gy):
        # e^min(x, 0): the discarded branch must not overflow (inf * 0 would be nan in the
        # second derivative); clamp passes the gradient exactly where that branch is used
        return where(self.positive, gy, gy * (exp(clamp(self.inputs[0], max=0.0)) * self.alpha))


def sigmoid(input):
    return Sigmoid()(input)


def tanh(input):
    return Tanh()(input)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta; x itself where beta x > threshold (as torch)."""
    return Softplus(beta, threshold)(input)


def logsigmoid(input):
    """log σ(x) = -softplus(-x), stable for any x (no linear cut-off)."""
    return -Softplus(1.0, math.inf)(-input)


def elu(input, alpha=1.0, inplace=False):
    number('elu', 'alpha', alpha)
    return ELU(alpha)(input)


# ----------------------------------------------------------------------------- softmax family
class Softmax(Function):
    """y = e^(x - m) / sum e^(x - m) along ``dim`` (m the max: same y, no overflow).

    Jacobian-vector product: gx = y (gy - sum(gy y)).
    """

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        xp = backend.xp_of(x)
        e = xp.exp(x - x.max(axis=self.dim, keepdims=True))
        return e / e.sum(axis=self.dim, keepdims=True)

    def backward(self, gy):
        y = self.output()
        return y * (gy - _sum(gy * y, self.dim, keepdim=True))


class LogSoftmax(Function):
    """y = x - m - log sum e^(x - m) along ``dim``; gx = gy - e^y sum(gy)."""

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        xp = backend.xp_of(x)
        shifted = x - x.max(axis=self.dim, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=self.dim, keepdims=True))

    def backward(self, gy):
        y = self.output()
        return gy - y.exp() * _sum(gy, self.dim, keepdim=True)


def _softmax_dim(input, dim, op):
    if dim is None:  # torch's legacy implicit choice (it warns): dim 0 for 0-, 1- and 3-d input
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return normalize_dim(dim, input.ndim, op)


def _along(fn_class, input, dim, dtype, op):
    require_tensor(op, input)
    if dtype is not None:
        input = input.to(dtype)
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"{op}: expected a floating-point input, got dtype {input.dtype} "
                         "(convert it with .float(), or pass dtype=minigan.float32)")
    d = _softmax_dim(input, dim, op)
    if input.ndim == 0:  # a 0-d tensor is a row of one element
        return reshape(fn_class(0)(reshape(input, 1)), ())
    return fn_class(d)(input)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum exp(x) along ``dim``: each slice becomes a probability vector."""
    return _along(Softmax, input, dim, dtype, 'softmax')


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along ``dim``: log-probabilities, stable for any logits."""
    return _along(LogSoftmax, input, dim, dtype, 'log_softmax')


# ----------------------------------------------------------------------------- dropout, linear
def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: zero each element with probability p and scale the rest by 1 / (1 - p),
    so the expected value is unchanged and evaluation needs no rescaling. Identity unless training.

    The mask comes from minigan's generator (``minigan.manual_seed`` makes it reproducible).
    """
    number('dropout', 'p', p, low=0.0, high=1.0)
    if not training or p == 0.0:
        return input
    xp = input.xp
    if p == 1.0:
        mask = xp.zeros(input.shape, dtype=input.dtype)
    else:
        keep = backend.random_uniform(input.shape, input.dtype, input.device) >= p
        mask = keep.astype(input.dtype) * (1.0 / (1.0 - p))
    return input * Tensor(mask)


def linear(input, weight, bias=None):
    """y = x Wᵀ + b: x (*, in), W (out, in), b (out,) -> y (*, out).

    Computed as y = (W xᵀ)ᵀ for a batch of rows: the product lands as (out, N) in memory, batch
    innermost, as a convolution stores its (C, H, W, N) output. So a Linear that feeds a
    (transposed) convolution through a reshape hands it that layout for free, one fed by a
    convolution's flattened output reads it as it is, and W's gradient gyᵀ x comes out laid out
    like W (contiguous), which the optimizer streams over: against a transposed gradient Adam's
    update on a (6272, 64) weight took 10x as long, strided.
    """
    require_tensor('linear', input)
    require_tensor('linear', weight, 'weight')
    require_tensors('linear', bias=bias)
    check_compatible('linear', (input, weight, bias))
    if weight.ndim not in (1, 2) or input.ndim == 0 or input.shape[-1] != weight.shape[-1]:
        raise ShapeError(f"linear: input of shape {tuple(input.shape)} and weight of shape "
                         f"{tuple(weight.shape)}; expected input (*, in_features) and weight "
                         "(out_features, in_features) with the same in_features")
    if weight.ndim == 2 and input.ndim >= 2:
        rows = reshape(input, (-1, input.shape[-1]))
        out = transpose(matmul(weight, transpose(rows, 0, 1)), 0, 1)
        out = reshape(out, tuple(input.shape[:-1]) + (weight.shape[0],))
    else:
        out = matmul(input, transpose(weight, 0, 1) if weight.ndim == 2 else weight)
    if bias is not None:
        out_features = weight.shape[0] if weight.ndim == 2 else 1
        if bias.ndim > 1 or bias.numel() not in (1, out_features):
            raise ShapeError(f"linear: bias of shape {tuple(bias.shape)}; expected ({out_features},)")
        out = out + bias
    return out
