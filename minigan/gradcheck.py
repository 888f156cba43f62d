"""Check analytic gradients against finite differences, as torch.autograd.gradcheck does.

For f: inputs -> outputs we pick a random vector v of the outputs' shape and check the scalar
s(inputs) = sum(f(inputs) * v). Its analytic gradient comes from ``grad``; its numeric gradient
from central differences,

    ds/dx_i ~ (s(x + eps e_i) - s(x - eps e_i)) / (2 eps),

whose error is O(eps^2): in float64 with eps = 1e-6 both agree to ~1e-9 for smooth f. Projecting
on a random v checks every output at once (a wrong Jacobian entry almost surely changes v^T J).

gradgradcheck applies the same test to the function x -> ds/dx built with create_graph=True,
which checks second derivatives (the backward of the backward).
"""
from . import backend
from .autograd import grad
from .checks import describe, number
from .errors import ArgumentError, ArgumentTypeError, DTypeError
from .tensor import Tensor, enable_grad, no_grad


class GradcheckError(AssertionError):
    """The analytic and numeric gradients disagree; the message says where and by how much."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable(inputs):
    """The positions of inputs that require grad; each must be float64 for the check to mean much."""
    positions = []
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad:
            if t.dtype != backend.float64:
                raise DTypeError(f"gradcheck: input {i} has dtype {t.dtype}; finite differences need "
                                 "float64 inputs (use .double())")
            positions.append(i)
    if not positions:
        raise ArgumentError("gradcheck: no input requires grad, so there is nothing to check")
    return positions


# The projections come from generators of their own: a check must not move the user's random
# stream, and its vectors must not coincide with test data (drawn, say, from default_rng(0): a
# projection parallel to the input can hide a wrong term of the derivative).
PROJECTION_SEED = 0x6AD_C4EC


def _projections(outputs, stream=0):
    """A fixed random vector per floating output."""
    rng = backend.generator([PROJECTION_SEED, stream])
    return [Tensor(backend.to_device(rng.standard_normal(o.shape), o.device).astype(o.dtype, copy=False))
            for o in outputs]


def _projected(fn, inputs, projections):
    outputs = _as_tuple(fn(*inputs))
    total = None
    for out, v in zip(outputs, projections):
        if out is None or not backend.is_floating(out.dtype):
            continue
        term = (out * v).sum()
        total = term if total is None else total + term
    return total


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-4, raise_exception=True):
    """True when ``fn``'s analytic gradients match central differences at ``inputs``.

    fn takes the Tensors of ``inputs`` and returns a Tensor or a tuple of Tensors. Inputs that
    require grad must be float64. On a mismatch raises GradcheckError naming the input, the worst
    element and both values (or returns False when raise_exception=False).
    """
    return _gradcheck(fn, _as_tuple(inputs), eps, atol, rtol, raise_exception, stream=0)


def _gradcheck(fn, inputs, eps, atol, rtol, raise_exception, stream):
    if not callable(fn):
        raise ArgumentTypeError(f"gradcheck: fn must be callable, got {describe(fn)}")
    number('gradcheck', 'eps', eps, low=0.0, low_open=True)
    number('gradcheck', 'atol', atol, low=0.0)
    number('gradcheck', 'rtol', rtol, low=0.0)
    positions = _differentiable(inputs)
    projections = _projections(_as_tuple(fn(*inputs)), stream)

    s = _projected(fn, inputs, projections)
    if s is None or not s.requires_grad:
        analytic = [None] * len(positions)
    else:
        analytic = grad([s], [inputs[i] for i in positions], allow_unused=True)

    for i, g in zip(positions, analytic):
        numeric = _numeric_gradient(fn, inputs, projections, inputs[i], eps)
        a = backend.to_numpy(g.array) if g is not None else numeric * 0
        mismatch = _worst_mismatch(a, numeric, atol, rtol)
        if mismatch:
            if not raise_exception:
                return False
            index, av, nv = mismatch
            raise GradcheckError(
                f"gradcheck: input {i} (shape {tuple(inputs[i].shape)}): gradient differs at element "
                f"{index}: analytic {av:.10g}, numeric {nv:.10g} (|difference| {abs(av - nv):.3g} > "
                f"atol {atol} + rtol {rtol} * |numeric|)")
    return True


def _indices(shape):
    """Every index tuple of ``shape`` in C order."""
    index = [0] * len(shape)
    for _ in range(_numel(shape)):
        yield tuple(index)
        for d in reversed(range(len(shape))):
            index[d] += 1
            if index[d] < shape[d]:
                break
            index[d] = 0


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _numeric_gradient(fn, inputs, projections, x, eps):
    """Central differences of the projected output w.r.t. each element of ``x``, on the host."""
    values = []
    with no_grad():
        for index in _indices(x.shape):
            original = x.array[index].item()
            x.array[index] = original + eps
            plus = _projected(fn, inputs, projections)
            x.array[index] = original - eps
            minus = _projected(fn, inputs, projections)
            x.array[index] = original
            values.append(0.0 if plus is None else (plus.item() - minus.item()) / (2 * eps))
    return backend.to_numpy(backend.asarray(values, dtype=backend.float64)).reshape(x.shape)


def _worst_mismatch(analytic, numeric, atol, rtol):
    """None when |a - n| <= atol + rtol |n| everywhere, else (index, a, n) where it fails most."""
    excess = (abs(analytic - numeric) - (atol + rtol * abs(numeric))).reshape(-1)
    excess[excess != excess] = float('inf')  # a NaN on either side is the worst mismatch
    if excess.size == 0 or not (excess > 0).any():
        return None
    k = int(excess.argmax())
    index = list(_indices(analytic.shape))[k]
    return index, float(analytic[index]), float(numeric[index])


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-4, raise_exception=True):
    """True when ``fn``'s second derivatives match finite differences of its first derivatives.

    It checks the function x -> d/dx sum(fn(x) * v) (built with create_graph=True) with
    gradcheck, so every backward that fn uses must itself be differentiable.
    """
    inputs = _as_tuple(inputs)
    positions = _differentiable(inputs)
    projections = _projections(_as_tuple(fn(*inputs)))

    def first_derivatives(*xs):
        with enable_grad():  # gradcheck evaluates this under no_grad for its finite differences
            s = _projected(fn, xs, projections)
            grads = grad([s], [xs[i] for i in positions], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    # the outer check projects on vectors of another stream than the inner one
    return _gradcheck(first_derivatives, inputs, eps, atol, rtol, raise_exception, stream=1)
