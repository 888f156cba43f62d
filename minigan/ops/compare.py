"""Elementwise comparisons: eq, ne, lt, le, gt, ge (and the operators ==, !=, <, <=, >, >=).

The result is a bool tensor. A comparison is piecewise constant in its inputs, so it has no
gradient: its output never requires grad, and a mask made from it is a constant to whatever
uses it (``where(x > 0, x, 0.2 * x)`` differentiates through x only).
"""
from .. import backend
from ..function import Function
from .util import check_broadcast


class Compare(Function):
    """a <op> b elementwise -> bool tensor; not differentiable."""
    differentiable = False
    promotes_to_float = True

    def __init__(self, op):
        self.op = op

    @property
    def name(self):
        return self.op

    def forward(self, a, b):
        check_broadcast(self.op, a.shape, b.shape)
        return getattr(backend.xp_of(a), self.op)(a, b)


def eq(input, other):  # noqa: A002 -- torch.eq & co.: elementwise comparisons, bool results
    return Compare('equal')(input, other)


def ne(input, other):  # noqa: A002
    return Compare('not_equal')(input, other)


def lt(input, other):  # noqa: A002
    return Compare('less')(input, other)


def le(input, other):  # noqa: A002
    return Compare('less_equal')(input, other)


def gt(input, other):  # noqa: A002
    return Compare('greater')(input, other)


def ge(input, other):  # noqa: A002
    return Compare('greater_equal')(input, other)
