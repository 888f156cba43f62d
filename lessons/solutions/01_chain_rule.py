"""Worked answers to lesson 1, and the plausible wrong answers each check must reject."""
import numpy as np

from _course import WrongAnswers

wrong = WrongAnswers()


def add_backward(a, b, grad_out):
    return grad_out, grad_out


@wrong('add_backward', "returns the local derivatives without multiplying by grad_out")
def _(a, b, grad_out):
    return np.ones_like(grad_out), np.ones_like(grad_out)


@wrong('add_backward', "treats + like -: the second gradient negated")
def _(a, b, grad_out):
    return grad_out, -grad_out


def mul_backward(a, b, grad_out):
    return grad_out * b, grad_out * a


@wrong('mul_backward', "each input times itself instead of the other input")
def _(a, b, grad_out):
    return grad_out * a, grad_out * b


def tanh_backward(x, out, grad_out):
    return grad_out * (1 - out * out)


@wrong('tanh_backward', "1 - x^2 instead of 1 - tanh(x)^2")
def _(x, out, grad_out):
    return grad_out * (1 - x * x)


@wrong('tanh_backward', "forgets the incoming gradient")
def _(x, out, grad_out):
    return 1 - out * out


def topological_order(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


@wrong('topological_order', "breadth-first from the root, reversed: a node reached by a short and a "
                            "long path lands before one of its parents")
def _(root):
    order, seen, queue = [], set(), [root]
    while queue:
        node = queue.pop(0)
        if node not in seen:
            seen.add(node)
            order.append(node)
            queue.extend(node.parents)
    return order[::-1]


@wrong('topological_order', "depth-first without remembering visited nodes: shared nodes twice")
def _(root):
    order = []

    def visit(node):
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order


def backward(order):
    for node in order:
        node.grad = np.zeros_like(node.value)
    order[-1].grad = np.ones_like(order[-1].value)
    for node in reversed(order):
        if node.parents:
            for parent, g in zip(node.parents, node.rule(node.grad)):
                parent.grad = parent.grad + g


def _backward_with(order, overwrite=False, forwards=False):
    """backward with one of two mistakes switched on."""
    for node in order:
        node.grad = np.zeros_like(node.value)
    order[-1].grad = np.ones_like(order[-1].value)
    for node in (order if forwards else reversed(order)):
        if node.parents:
            for parent, g in zip(node.parents, node.rule(node.grad)):
                parent.grad = g if overwrite else parent.grad + g


@wrong('backward', "overwrites a parent's gradient instead of adding to it")
def _(order):
    _backward_with(order, overwrite=True)


@wrong('backward', "walks the order forwards: nodes pass on gradients they have not received yet")
def _(order):
    _backward_with(order, forwards=True)
