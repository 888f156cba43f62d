"""Worked answers to lesson 2, and the plausible wrong answers each check must reject."""
import numpy as np

import minigan as mg
from _course import WrongAnswers

wrong = WrongAnswers()


def central_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


@wrong('central_difference', "a forward difference: error of order eps, not eps^2")
def _(f, x, eps=1e-6):
    grad = np.zeros_like(x, dtype=np.float64)
    base = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f(x) - base) / eps
        x[i] = old
    return grad


@wrong('central_difference', "divides by eps instead of 2 eps")
def _(f, x, eps=1e-6):
    return 2 * central_difference(f, x, eps)


@wrong('central_difference', "never puts the entry back: every later entry is measured at a moved x")
def _(f, x, eps=1e-6):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        x[i] += eps
        plus = f(x)
        x[i] -= 2 * eps
        minus = f(x)
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def gradient_error(fn, x, eps=1e-6):
    v = mg.tensor(np.random.default_rng(1).standard_normal(fn(mg.tensor(x)).shape))

    def s(a):
        return (fn(a) * v).sum()

    t = mg.tensor(x, requires_grad=True)
    (analytic,) = mg.grad(s(t), t)
    numeric = central_difference(lambda a: s(mg.tensor(a)).item(), x.copy(), eps)
    return float(np.abs(analytic.numpy() - numeric).max())


@wrong('gradient_error', "projects on v = all ones: a backward that averages grad_out hides")
def _(fn, x, eps=1e-6):
    t = mg.tensor(x, requires_grad=True)
    (analytic,) = mg.grad(fn(t).sum(), t)
    numeric = central_difference(lambda a: fn(mg.tensor(a)).sum().item(), x.copy(), eps)
    return float(np.abs(analytic.numpy() - numeric).max())


@wrong('gradient_error', "works in float32: rounding swamps a difference over eps = 1e-6")
def _(fn, x, eps=1e-6):
    x = x.astype(np.float32)
    v = mg.tensor(np.random.default_rng(1).standard_normal(fn(mg.tensor(x)).shape).astype(np.float32))
    t = mg.tensor(x, requires_grad=True)
    (analytic,) = mg.grad((fn(t) * v).sum(), t)
    numeric = central_difference(lambda a: (fn(mg.tensor(a)) * v).sum().item(), x.copy(), eps)
    return float(np.abs(analytic.numpy() - numeric).max())


def softmax_backward(y, grad_out):
    return y * (grad_out - (grad_out * y).sum(-1, keepdim=True))


@wrong('softmax_backward', "the sigmoid's derivative entry by entry: misses the cross terms")
def _(y, grad_out):
    return grad_out * y * (1 - y)


@wrong('softmax_backward', "subtracts the plain sum of grad_out instead of its y-weighted sum")
def _(y, grad_out):
    return y * (grad_out - grad_out.sum(-1, keepdim=True))
