"""Worked answers to lesson 7, and the plausible wrong answers each check must reject."""
import numpy as np

import minigan as mg
from _course import WrongAnswers

wrong = WrongAnswers()


def _dims(x):
    return (0,) + tuple(range(2, x.ndim))


def _per_channel(v, x):
    return v.reshape((1, -1) + (1,) * (x.ndim - 2))


def _normalized(x, eps):
    """(x̂, σ² + ε) of x over its batch-norm axes, in Tensor ops."""
    dims = _dims(x)
    mu = x.mean(dims, keepdim=True)
    var = ((x - mu) ** 2).mean(dims, keepdim=True)
    return (x - mu) / mg.sqrt(var + eps), var + eps


def batch_norm_train(x, gamma, beta, eps=1e-5):
    x_hat, _ = _normalized(x, eps)
    return _per_channel(gamma, x) * x_hat + _per_channel(beta, x)


@wrong('batch_norm_train', "normalizes with the unbiased variance")
def _(x, gamma, beta, eps=1e-5):
    dims = _dims(x)
    mu = x.mean(dims, keepdim=True)
    var = x.var(dims, keepdim=True)   # unbiased: divides by n - 1
    return _per_channel(gamma, x) * (x - mu) / mg.sqrt(var + eps) + _per_channel(beta, x)


@wrong('batch_norm_train', "normalizes each sample over its channels (that is layer norm)")
def _(x, gamma, beta, eps=1e-5):
    dims = tuple(range(1, x.ndim))
    mu = x.mean(dims, keepdim=True)
    var = ((x - mu) ** 2).mean(dims, keepdim=True)
    return _per_channel(gamma, x) * (x - mu) / mg.sqrt(var + eps) + _per_channel(beta, x)


@wrong('batch_norm_train', "adds eps to the standard deviation instead of inside the square root")
def _(x, gamma, beta, eps=1e-5):
    dims = _dims(x)
    mu = x.mean(dims, keepdim=True)
    var = ((x - mu) ** 2).mean(dims, keepdim=True)
    return _per_channel(gamma, x) * (x - mu) / (mg.sqrt(var) + eps) + _per_channel(beta, x)


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    dims = _dims(x)
    mean, var = x.mean(axis=dims), x.var(axis=dims, ddof=1)
    return ((1 - momentum) * running_mean + momentum * mean,
            (1 - momentum) * running_var + momentum * var)


@wrong('update_running_stats', "stores the biased batch variance")
def _(running_mean, running_var, x, momentum=0.1):
    dims = _dims(x)
    return ((1 - momentum) * running_mean + momentum * x.mean(axis=dims),
            (1 - momentum) * running_var + momentum * x.var(axis=dims))


@wrong('update_running_stats', "momentum on the wrong side: keeps 10% of the old value")
def _(running_mean, running_var, x, momentum=0.1):
    dims = _dims(x)
    return (momentum * running_mean + (1 - momentum) * x.mean(axis=dims),
            momentum * running_var + (1 - momentum) * x.var(axis=dims, ddof=1))


def batch_norm_eval(x, running_mean, running_var, gamma, beta, eps=1e-5):
    scale = _per_channel(gamma, x) / mg.sqrt(_per_channel(running_var, x) + eps)
    return (x - _per_channel(running_mean, x)) * scale + _per_channel(beta, x)


@wrong('batch_norm_eval', "normalizes with the batch's statistics, as in training")
def _(x, running_mean, running_var, gamma, beta, eps=1e-5):
    return batch_norm_train(x, gamma, beta, eps)


@wrong('batch_norm_eval', "leaves eps out of the square root")
def _(x, running_mean, running_var, gamma, beta, eps=1e-5):
    scale = _per_channel(gamma, x) / mg.sqrt(_per_channel(running_var, x))
    return (x - _per_channel(running_mean, x)) * scale + _per_channel(beta, x)


def batch_norm_backward(x, gamma, grad_out, eps=1e-5):
    dims = _dims(x)
    x_hat, var_eps = _normalized(x, eps)
    gh = _per_channel(gamma, x) * grad_out
    return (gh - gh.mean(dims, keepdim=True) - x_hat * (gh * x_hat).mean(dims, keepdim=True)) / mg.sqrt(var_eps)


@wrong('batch_norm_backward', "treats μ and σ as constants: only γ·g/σ")
def _(x, gamma, grad_out, eps=1e-5):
    _, var_eps = _normalized(x, eps)
    return _per_channel(gamma, x) * grad_out / mg.sqrt(var_eps)


@wrong('batch_norm_backward', "right values from detached statistics: cut from the graph, no second derivative")
def _(x, gamma, grad_out, eps=1e-5):
    return batch_norm_backward(x.detach(), gamma, grad_out.detach(), eps)


def cross_sample_gradients(critic, x):
    x_t = mg.tensor(x, requires_grad=True)
    out = critic(x_t)
    rows = []
    for i in range(x.shape[0]):
        (g,) = mg.grad([out[i, 0]], [x_t], retain_graph=True)
        rows.append(np.linalg.norm(g.numpy(), axis=1))
    return np.stack(rows)


@wrong('cross_sample_gradients', "differentiates D(x).sum() once, as a gradient penalty does: "
                                 "the cross terms land on the diagonal")
def _(critic, x):
    x_t = mg.tensor(x, requires_grad=True)
    (g,) = mg.grad([critic(x_t).sum()], [x_t])
    return np.diag(np.linalg.norm(g.numpy(), axis=1))
