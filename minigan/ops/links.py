"""Links in the graph of a gradient that carry no value, so that second derivatives come out as torch's.

If f is linear or piecewise linear in x, its gradient g = v · ∂f/∂x does not change with x: relu
gives g = v · [x > 0], avg_pool2d spreads v over the windows. Built from v and constants alone,
g has no graph back to x, and grad(g, x) would raise "does not require grad". torch instead
lists x among the inputs of the node that computes g (derivatives.yaml:
``leaky_relu_backward(grad, self)``, ``avg_pool2d_backward(grad, self)``), so g requires grad and
the second derivative is a tensor of zeros. Two kinds of link reproduce that exactly:

    link(g, x, zeros=True)   g's node also lists x, and hands it a zero gradient
                             (relu, leaky_relu, abs, max_pool2d, avg_pool2d, area resampling,
                             reflect and replicate padding, nll_loss)
    link(g, x, w)            g's node also lists x and w, and hands them no gradient (None):
                             torch's multi-output backward nodes (convolution, batch norm) take
                             x and w, so all their results require grad when x or w does, even
                             the bias gradient sum(gy), which depends on neither

The link is made only while the backward is recorded (create_graph=True); otherwise link() is g
itself and costs nothing. Ops made of several nodes link the gradient of their output with
``link_gradient``.

A zero gradient is one 0 broadcast to the input's shape (no memory), except for a leaf, whose
``.grad`` (or the value grad() returns) must be a real array, as torch's zeros are. The heavy
backwards (convolution, leaky_relu) pass a zero gradient straight on (``pass_zeros``): it is the
same zero, without the matrix products; and the backward pass adds a zero to another gradient
by keeping the other (autograd's ``is_broadcast_zero``), so a zero stays a zero.
"""
from ..autograd import is_broadcast_zero as is_zero
from ..function import Function
from ..tensor import Tensor, is_grad_enabled


def zero_gradient(t):
    """A gradient of zeros for tensor t: one broadcast 0 for an inner node, a real array for a leaf."""
    xp = t.xp
    if t.grad_fn is None:
        return Tensor(xp.zeros(t.shape, dtype=t.dtype))
    return Tensor(xp.broadcast_to(xp.zeros((), dtype=t.dtype), t.shape))


def pass_zeros(fn, gy):
    """For fn.backward(gy): when gy is a broadcast 0 and the backward is not recorded, the zero
    gradient of each input that needs one (every backward is linear in gy); else None."""
    if is_grad_enabled() or not is_zero(gy):
        return None
    return tuple(zero_gradient(t) if need else None for t, need in zip(fn.inputs, fn.needs_input_grad))


class Link(Function):
    """g itself, in a node that also lists ``others`` as inputs: their gradient is 0 or None."""

    def __init__(self, zeros):
        self.zeros = zeros

    def forward(self, g, *others):
        return g

    def backward(self, gg):
        return (gg,) + tuple(zero_gradient(t) if self.zeros and need else None
                             for t, need in zip(self.inputs[1:], self.needs_input_grad[1:]))


def link(g, *others, zeros=False):
    """g, linked to the tensors ``others`` that require grad (see the module docstring).

    zeros=True: their derivative is 0 (g is constant in them); False: None (g does not depend on them).
    Outside a recorded backward, or when none of them requires grad, g itself.
    """
    others = tuple(t for t in others if t is not None and t.requires_grad)
    if not others or not is_grad_enabled():
        return g
    return Link(zeros)(g, *others)


class LinkGradient(Function):
    """y itself; its backward links the incoming gradient to ``others``, for an op made of several
    nodes whose torch twin is one (eval-mode batch norm, layer norm, nll_loss)."""

    def __init__(self, zeros):
        self.zeros = zeros

    def forward(self, y, *others):
        return y

    def backward(self, gy):
        others = self.inputs[1:]
        return (link(gy, *others, zeros=self.zeros),) + (None,) * len(others)


def link_gradient(y, *others, zeros=False):
    """y, whose gradient will be linked to ``others`` as ``link`` does (y itself when nothing records)."""
    others = tuple(t for t in others if t is not None and t.requires_grad)
    if not others or not is_grad_enabled():
        return y
    return LinkGradient(zeros)(y, *others)
