"""Mean and variance over dims as graph nodes: the building blocks of every normalization.

Standardizing x over a set of dims D (n = |D| elements per group),

    x̂ = (x - μ) / σ,   μ = mean_D x,   σ = sqrt(var_D x + eps)   (biased variance),

has the gradient, with g = dL/dx̂,

    dL/dx = (1/σ) (g - mean_D g - x̂ mean_D(g x̂)).

x - μ, x̂ and 1/σ depend on x, so for second derivatives they must be *Tensors in the graph*, not
raw arrays (a raw 1/σ is a constant to the second derivative, and batch norm's Hessian comes out
wrong). Here each is the output of a Function of x -- ``Centered`` (x ↦ x - μ), ``Normalize``
(x ↦ x̂) and ``InvStd`` (x ↦ 1/σ) -- whose backward is itself written in Tensor ops:
differentiable to any order. ``Moments`` computes μ, σ and x - μ (or x̂) once, in the forward;
those nodes hand the values back, so the graph costs no recomputation.

Speed. Normalization is memory-bound: its cost is the number of passes over x. The kernels here
make each pass do as much as it can -- a sum fused into the pass that produces its input
(einsum: no product temporary), a·p + b·q + r in one pass -- in x's memory order, and every
array made here takes x's layout. A sum alone is one einsum call (``raw_sum``); the passes that
write an array run slab by slab on all cores (ops/parallel.py): a convolution's output, (C, H, W,
N) in memory, is cut into blocks of channels, each a contiguous stretch.
"""
from .. import backend
from ..function import Function
from . import parallel
from .shape import sum_to


# ----------------------------------------------------------------------------- sums over D
def _einsum_spec(ndim, dims):
    """'abcd->b' for summing a 4-d array over dims (0, 2, 3)."""
    letters = 'abcdefghijklmnopqrstuvwxyz'[:ndim]
    return letters, ''.join(c for i, c in enumerate(letters) if i not in dims)


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def raw_sum(dims, a, b=None):
    """sum_D a (or sum_D a·b) in keepdim shape, in one einsum pass (no a·b temporary).

    One call on the whole array, on one core: einsum walks the operands in their memory order
    and sums each contiguous run with vector instructions. Cut into slabs and shared out on the
    block pool (ops/parallel.py), the same sums took 2-4x longer: the bias gradient of a DCGAN
    layer, (64, 64, 14, 14) stored as a conv's output, 0.43 against 0.12 ms; sum g·x̂ at
    (64, 128, 7, 7), 0.34 against 0.10 ms; still 1.71 against 1.44 ms at 12.8 M numbers (2-core
    development machine, caches flushed before each call).
    """
    xp = backend.xp_of(a)
    src, dst = _einsum_spec(a.ndim, dims)
    total = xp.einsum(f'{src}->{dst}', a) if b is None else xp.einsum(f'{src},{src}->{dst}', a, b)
    return total.reshape(_keep_shape(a.shape, dims))


class SumProduct(Function):
    """sum_D a, or sum_D a·b for two tensors of one shape; keepdim shape.

    One einsum pass instead of a product and a sum: the reductions of normalization's backward.
    d/da sum_D a·b = b (broadcast), d/db = a. ``value``: the sum, when a fused kernel computed
    it already (norm.py).
    """

    def __init__(self, dims, value=None):
        self.dims, self.value = dims, value

    def forward(self, a, b=None):
        value, self.value = self.value, None
        return raw_sum(self.dims, a, b) if value is None else value

    def backward(self, g):
        shape = self.inputs[0].shape
        g = g.expand(shape)  # broadcast_to
        if len(self.inputs) == 1:
            return g
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None, g * a if need_b else None)


def _mean_d(a, dims, count, b=None):
    return (SumProduct(dims)(a) if b is None else SumProduct(dims)(a, b)) / count


class Combine(Function):
    """u·p + v·q + r: u, v of one shape, p, q, r small arrays broadcasting against it.

    The last step of the fused backward, as one blocked pass writing one array (composed from
    Mul and Add it would write four), laid out as u and run in u's memory order (v may come in
    another layout). d/du = p, d/dv = q, and p, q, r get their products summed back to their
    shapes, as for any broadcast. ``value``: the result, when a fused kernel computed it already.
    """

    def __init__(self, value=None):
        self.value = value

    def forward(self, u, v, p, q, r):
        if self.value is not None:
            out, self.value = self.value, None
            return out
        out = backend.xp_of(u).empty_like(u)
        parallel.blocks(combine, u, u, v, p, q, r, out)
        return out

    def backward(self, g):
        u, v, p, q, r = self.inputs
        need = self.needs_input_grad
        return (g * p if need[0] else None, g * q if need[1] else None,
                sum_to(g * u, p.shape) if need[2] else None,
                sum_to(g * v, q.shape) if need[3] else None,
                sum_to(g, r.shape) if need[4] else None)


def combine(u, v, p, q, r, out):
    """out = u·p + v·q + r on raw arrays (one block of them): Combine's kernel."""
    backend.xp_of(u).multiply(u, p, out=out)
    out += v * q
    out += r


# ----------------------------------------------------------------------------- x - μ, x̂, 1/σ as nodes
class Moments:
    """μ, biased var and 1/σ of x over ``dims``, and x - μ or x̂, computed once in the forward.

    These raw arrays enter the graph only as outputs of Centered / Normalize / InvStd nodes of x,
    which carry the right derivatives; the running statistics read μ and var (they get no
    gradient, as in torch). ``keep_centered`` keeps x - μ (the fused kernel works with it) and
    makes x̂ on demand; otherwise x - μ becomes x̂ in place (one array fewer).
    """

    def __init__(self, x, dims, eps, keep_centered=False):
        self.dims = dims
        self.count = 1
        for d in dims:
            self.count *= x.shape[d]
        xp = backend.xp_of(x)
        self.mean = raw_sum(dims, x) / self.count
        centered = xp.empty_like(x)  # x's layout: every pass below runs in x's memory order

        def center(dims_in_order, x, mean, c):  # two passes (center, then square) -- no
            xp.subtract(x, mean, out=c)          # cancellation when |μ| >> σ -- but the squares
            return raw_sum(dims_in_order, c, c)  # are summed while the slab is in cache
        self.var = parallel.sums(center, x, dims, x, self.mean, centered) / self.count
        self.inv_std = 1.0 / xp.sqrt(self.var + eps)
        if keep_centered:
            self.centered, self._xhat = centered, None
        else:
            parallel.blocks(lambda c, s: xp.multiply(c, s, out=c), x, centered, self.inv_std)
            self.centered, self._xhat = None, centered

    @classmethod
    def given(cls, dims, count, mean, var, inv_std, centered):
        """The Moments a fused kernel computed (norm.py), x - μ kept."""
        m = cls.__new__(cls)
        m.dims, m.count, m.mean, m.var, m.inv_std = dims, count, mean, var, inv_std
        m.centered, m._xhat = centered, None
        return m

    @property
    def xhat(self):
        if self._xhat is None:
            xp = backend.xp_of(self.centered)
            self._xhat = xp.empty_like(self.centered)
            parallel.blocks(lambda c, s, out: xp.multiply(c, s, out=out), self.centered,
                            self.centered, self.inv_std, self._xhat)
        return self._xhat


class Centered(Function):
    """x ↦ x - μ over D.  gx = g - mean_D g (linear)."""

    def __init__(self, moments):
        self.m = moments

    def forward(self, x):
        return self.m.centered

    def backward(self, g):
        return g - _mean_d(g, self.m.dims, self.m.count)


class Normalize(Function):
    """x ↦ x̂ = (x - μ) / σ over D.  gx = (1/σ) (g - mean_D g - x̂ mean_D(g x̂))."""

    def __init__(self, moments):
        self.m = moments

    def forward(self, x):
        return self.m.xhat

    def backward(self, g):
        # as x̂ (s/n) (-sum g x̂) + g s + (s/n) (-sum g): two sums and one pass (Combine), not the
        # six passes of the formula term by term -- instance norm's backward at (1, 128, 7, 7)
        (x,) = self.inputs
        xhat, dims = self.output(), self.m.dims
        s = InvStd(self.m)(x)
        k = s * (-1.0 / self.m.count)
        return Combine()(xhat, g, k * SumProduct(dims)(g, xhat), s, k * SumProduct(dims)(g))


class InvStd(Function):
    """x ↦ 1/σ = (var_D x + eps)^(-1/2), keepdim shape.  d(1/σ)/dx_i = -(1/σ)² x̂_i / n."""

    def __init__(self, moments):
        self.m = moments

    def forward(self, x):
        return self.m.inv_std

    def backward(self, g):
        (x,) = self.inputs
        s = self.output()
        return Normalize(self.m)(x) * (g * s * s * (-1.0 / self.m.count))


def normalize(x, dims, eps):
    """(x̂ as a Tensor, the Moments it came from) for standardization over ``dims``."""
    moments = Moments(x.array, dims, eps)
    return Normalize(moments)(x), moments
