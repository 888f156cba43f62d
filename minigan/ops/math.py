"""Elementwise arithmetic and unary math.

Binary ops broadcast like NumPy. Broadcasting copies a value to many places, so in backward each
input's gradient is summed back to the input's shape (``sum_to``): d/da sum_j f(a, b_j) adds up.

Masks in backward (abs, clamp, maximum...) are saved as raw arrays: they are piecewise constant
in the inputs, so treating them as constants is exact for derivatives of every order. (abs's
gradient is also linked to x, as torch's is, so its second derivative is 0: see links.py.)
"""
import math

from .. import backend
from ..checks import describe
from ..errors import ArgumentError, ArgumentTypeError, DTypeError, DeviceError
from ..function import Function
from ..tensor import Tensor
from .compare import gt, lt
from .links import link, zero_gradient
from .shape import sum_to
from .util import check_broadcast


class _Binary(Function):
    """f(a, b) with broadcasting; subclasses give ``compute(xp, a, b)``."""
    promotes_to_float = True

    def forward(self, a, b):
        if a.shape != b.shape and a.ndim and b.ndim:  # equal shapes and a 0-d side (x * 2) broadcast
            check_broadcast(self.name, a.shape, b.shape)
        return self.compute(backend.xp_of(a), a, b)


class Add(_Binary):
    def compute(self, xp, a, b):
        return a + b

    def backward(self, gy):
        a, b = self.inputs
        return sum_to(gy, a.shape), sum_to(gy, b.shape)


class Sub(_Binary):
    def compute(self, xp, a, b):
        return a - b

    def backward(self, gy):
        a, b = self.inputs
        return sum_to(gy, a.shape), sum_to(-gy, b.shape)


class Mul(_Binary):
    def compute(self, xp, a, b):
        return a * b

    def backward(self, gy):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (sum_to(gy * b, a.shape) if need_a else None,
                sum_to(gy * a, b.shape) if need_b else None)


class Div(_Binary):
    def compute(self, xp, a, b):
        if not backend.is_floating(a.dtype):  # int / int is true division, as in torch
            a, b = a.astype(backend.DEFAULT_DTYPE), b.astype(backend.DEFAULT_DTYPE)
        return a / b

    def backward(self, gy):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (sum_to(gy / b, a.shape) if need_a else None,
                sum_to(-gy * a / (b * b), b.shape) if need_b else None)


class Pow(_Binary):
    """a ** b for two tensors: d/da = b a^(b-1), d/db = a^b log a."""

    def compute(self, xp, a, b):
        return a ** b

    def backward(self, gy):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        ga = sum_to(gy * b * a ** (b - 1), a.shape) if need_a else None
        gb = None
        if need_b:  # a^b log a; at a = 0 (b >= 0) the limit 0, as torch takes it; NaN for a < 0
            limit_zero = (a.array == 0) & (b.array >= 0)
            safe_a = where(limit_zero, 1.0, a)
            gb = sum_to(where(limit_zero, 0.0, gy * self.output() * log(safe_a)), b.shape)
        return ga, gb


class PowScalar(Function):
    """x ** p for a Python number p: d/dx = p x^(p-1)."""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        return x ** self.p

    def backward(self, gy):
        (x,) = self.inputs
        if self.p == 0:
            return gy * 0.0
        return gy * self.p * x ** (self.p - 1)


class RPowScalar(Function):
    """c ** x for a Python number c: d/dx = c^x log c."""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return backend.xp_of(x).asarray(self.c, dtype=x.dtype) ** x

    def backward(self, gy):
        return gy * self.output() * math.log(self.c)


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Exp(Function):
    def forward(self, x):
        return backend.xp_of(x).exp(x)

    def backward(self, gy):
        return gy * self.output()


class Log(Function):
    def forward(self, x):
        return backend.xp_of(x).log(x)

    def backward(self, gy):
        return gy / self.inputs[0]


class Log1p(Function):
    """log(1 + x), accurate for small x."""

    def forward(self, x):
        return backend.xp_of(x).log1p(x)

    def backward(self, gy):
        return gy / (1.0 + self.inputs[0])


class Expm1(Function):
    """e^x - 1, accurate for small x."""

    def forward(self, x):
        return backend.xp_of(x).expm1(x)

    def backward(self, gy):
        return gy * (self.output() + 1.0)


class Sin(Function):
    def forward(self, x):
        return backend.xp_of(x).sin(x)

    def backward(self, gy):
        return gy * cos(self.inputs[0])


class Cos(Function):
    def forward(self, x):
        return backend.xp_of(x).cos(x)

    def backward(self, gy):
        return -gy * sin(self.inputs[0])


class Sqrt(Function):
    def forward(self, x):
        return backend.xp_of(x).sqrt(x)

    def backward(self, gy):
        return gy / (2.0 * self.output())


class Abs(Function):
    """|x|; the derivative sign(x) is 0 at 0, as in torch."""

    def forward(self, x):
        xp = backend.xp_of(x)
        self.sign = xp.sign(x)
        return xp.abs(x)

    def backward(self, gy):
        # linked to x with derivative 0, as torch's grad * self.sgn(): the second derivative is 0
        return link(gy * Tensor(self.sign), self.inputs[0], zeros=True)


class Sign(Function):
    """-1, 0 or 1 by the sign of x: piecewise constant, so its gradient is 0 (as torch's)."""

    def forward(self, x):
        return backend.xp_of(x).sign(x)

    def backward(self, gy):
        return zero_gradient(self.inputs[0])


class Clamp(Function):
    """min(max(x, low), high); the gradient passes where low <= x <= high (torch's convention)."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        xp = backend.xp_of(x)
        y, inside = x, xp.ones(x.shape, dtype=bool)
        if self.low is not None:
            inside &= x >= self.low
            y = xp.maximum(y, self.low)
        if self.high is not None:
            inside &= x <= self.high
            y = xp.minimum(y, self.high)
        self.inside = inside
        return y

    def backward(self, gy):
        return where(Tensor(self.inside), gy, 0.0)


class Where(Function):
    """cond ? a : b, elementwise with broadcasting; ``cond`` is a constant mask."""
    promotes_to_float = True

    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        check_broadcast('where', self.condition.shape, a.shape, b.shape)
        return backend.xp_of(a).where(self.condition, a, b)

    def backward(self, gy):
        a, b = self.inputs
        zero = gy.xp.zeros((), dtype=gy.dtype)
        return (sum_to(Where(self.condition)(gy, zero), a.shape),
                sum_to(Where(self.condition)(zero, gy), b.shape))


class Maximum(_Binary):
    """Elementwise max; at a tie each side gets half the gradient (as in torch)."""

    def compute(self, xp, a, b):
        self.share_a = (a > b) + 0.5 * (a == b)
        return xp.maximum(a, b)

    def backward(self, gy):
        a, b = self.inputs
        share_a = Tensor(self.share_a.astype(gy.dtype))
        return sum_to(gy * share_a, a.shape), sum_to(gy * (1.0 - share_a), b.shape)


class Minimum(Maximum):
    """Elementwise min: the same, with the comparison turned around."""

    def compute(self, xp, a, b):
        self.share_a = (a < b) + 0.5 * (a == b)
        return xp.minimum(a, b)


class Remainder(_Binary):
    """a mod b with the sign of b (Python's %, torch.remainder) = a - b floor(a / b).

    floor(a / b) is piecewise constant, so it is saved as a constant: d/da = 1, d/db = -floor(a / b).
    """

    def compute(self, xp, a, b):
        self.quotient = xp.floor_divide(a, b)
        return xp.remainder(a, b)

    def backward(self, gy):
        a, b = self.inputs
        # d/db is linked to a and b with derivative 0, as torch's -grad * a.div(b, rounding_mode='floor')
        gb = link(-gy * Tensor(self.quotient.astype(gy.dtype)), a, b, zeros=True)
        return sum_to(gy, a.shape), sum_to(gb, b.shape)


class FloorDivide(_Binary):
    """floor(a / b) (Python's //); piecewise constant, so no gradient (as in torch)."""
    differentiable = False

    def compute(self, xp, a, b):
        return xp.floor_divide(a, b)


# ----------------------------------------------------------------------------- functions
def add(a, b):
    return Add()(a, b)


def sub(a, b):
    return Sub()(a, b)


def mul(a, b):
    return Mul()(a, b)


def div(a, b):
    return Div()(a, b)


def neg(x):
    return Neg()(x)


def remainder(a, b):
    return Remainder()(a, b)


def floor_divide(a, b):
    return FloorDivide()(a, b)


def pow(x, exponent):  # noqa: A001 -- torch.pow
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        if isinstance(x, Tensor):
            return PowScalar(exponent)(x)
    if isinstance(x, (int, float)) and isinstance(exponent, Tensor):
        return RPowScalar(x)(exponent)
    return Pow()(x, exponent)


def exp(x):
    return Exp()(x)


def log(x):
    return Log()(x)


def sqrt(x):
    return Sqrt()(x)


def log1p(x):
    return Log1p()(x)


def expm1(x):
    return Expm1()(x)


def sin(x):
    return Sin()(x)


def cos(x):
    return Cos()(x)


def square(x):
    return PowScalar(2)(x)


def abs(x):  # noqa: A001 -- torch.abs
    return Abs()(x)


def clamp(x, min=None, max=None):  # noqa: A002 -- torch's argument names
    """Limit x to [min, max] (either may be None; numbers, or tensors that broadcast with x).

    Tensor bounds are differentiable too: a bound gets the gradient where it is the output
    (x < min, or x > max), x where it lies inside [min, max] -- torch's convention.
    """
    if min is None and max is None:
        raise ArgumentError("clamp: at least one of min and max must be given")
    for name, bound in (('min', min), ('max', max)):
        if not (bound is None or isinstance(bound, Tensor) or backend.is_real_scalar(bound)):
            raise ArgumentTypeError(f"clamp: {name} must be a number or a Tensor, got {describe(bound)}")
    if not isinstance(min, Tensor) and not isinstance(max, Tensor):
        return Clamp(min, max)(x)
    y = x if min is None else where(lt(x, min), min, x)
    return y if max is None else where(gt(x, max), max, y)


clip = clamp


def where(condition, a, b):
    """condition ? a : b; ``condition`` is a bool Tensor or array (it gets no gradient)."""
    cond = condition.array if isinstance(condition, Tensor) else condition
    if not backend.is_array(cond):  # e.g. the NumPy bool a 0-d comparison gives
        cond = backend.asarray(cond)
    if cond.dtype != bool:
        raise DTypeError(f"where: condition must be a bool tensor, got {getattr(cond, 'dtype', type(cond).__name__)}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(backend.numeric_array(a, device=backend.device_of(cond), op='where'))
    device = (a if isinstance(a, Tensor) else b).device
    if backend.device_of(cond) != device:
        raise DeviceError(f"where: the condition is on {backend.device_of(cond)} and the values on {device}; "
                          "expected one device (move one with .to(device))")
    return Where(cond)(a, b)


def masked_fill(x, mask, value):
    """x with ``value`` where ``mask`` (a bool tensor broadcastable to x) is True."""
    return where(mask, value, x)


def maximum(a, b):
    return Maximum()(a, b)


def minimum(a, b):
    return Minimum()(a, b)


def sign(x):
    return Sign()(x)
