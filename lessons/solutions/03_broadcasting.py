"""Worked answers to lesson 3, and the plausible wrong answers each check must reject."""
import numpy as np

from _course import WrongAnswers

wrong = WrongAnswers()


def broadcast_shape(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    result = []
    for p, q in zip(a, b):
        if p != q and 1 not in (p, q):
            raise ValueError(f"shapes {shape_a} and {shape_b} do not broadcast")
        result.append(max(p, q))
    return tuple(result)


@wrong('broadcast_shape', "lines the shapes up on the left")
def _(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = tuple(shape_a) + (1,) * (n - len(shape_a))
    b = tuple(shape_b) + (1,) * (n - len(shape_b))
    if any(p != q and 1 not in (p, q) for p, q in zip(a, b)):
        raise ValueError("do not broadcast")
    return tuple(max(p, q) for p, q in zip(a, b))


@wrong('broadcast_shape', "takes the larger size everywhere without checking the sizes agree")
def _(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    return tuple(max(p, q) for p, q in zip(a, b))


def sum_to_shape(grad, shape):
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True)


@wrong('sum_to_shape', "sums only the extra leading axes, not the kept size-1 ones")
def _(grad, shape):
    return grad.sum(axis=tuple(range(grad.ndim - len(shape))))


@wrong('sum_to_shape', "averages over the broadcast axes instead of summing")
def _(grad, shape):
    grad = grad.mean(axis=tuple(range(grad.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.mean(axis=stretched, keepdims=True)


def linear_backward(x, W, b, grad_out):
    return grad_out @ W, grad_out.T @ x, grad_out.sum(axis=0)


@wrong('linear_backward', "averages the bias gradient over the batch instead of summing it")
def _(x, W, b, grad_out):
    return grad_out @ W, grad_out.T @ x, grad_out.mean(axis=0)


@wrong('linear_backward', "takes the bias gradient of the first example only")
def _(x, W, b, grad_out):
    return grad_out @ W, grad_out.T @ x, grad_out[0]


@wrong('linear_backward', "dL/dW transposed: x.T @ grad_out has shape (I, O)")
def _(x, W, b, grad_out):
    return grad_out @ W, x.T @ grad_out, grad_out.sum(axis=0)


def mean_backward(grad_out, shape, dim):
    return np.broadcast_to(np.expand_dims(grad_out, dim), shape) / shape[dim]


@wrong('mean_backward', "forgets to divide by the number of entries averaged (that is sum's backward)")
def _(grad_out, shape, dim):
    return np.broadcast_to(np.expand_dims(grad_out, dim), shape)


@wrong('mean_backward', "divides by the number of entries of the whole input")
def _(grad_out, shape, dim):
    return np.broadcast_to(np.expand_dims(grad_out, dim), shape) / np.prod(shape)


def max_backward(x, grad_out, dim):
    grad = np.zeros_like(x)
    index = np.expand_dims(np.argmax(x, axis=dim), dim)
    np.put_along_axis(grad, index, np.expand_dims(grad_out, dim), axis=dim)
    return grad


@wrong('max_backward', "spreads grad_out evenly along dim, like a mean")
def _(x, grad_out, dim):
    return np.broadcast_to(np.expand_dims(grad_out, dim), x.shape) / x.shape[dim]


@wrong('max_backward', "gives grad_out to every entry along dim, like a sum")
def _(x, grad_out, dim):
    return np.broadcast_to(np.expand_dims(grad_out, dim), x.shape).copy()
