"""Worked answers to lesson 13, and the plausible wrong answers each check must reject."""
import numpy as np

import minigan as mg
from _course import WrongAnswers

wrong = WrongAnswers()


def slerp(z0, z1, t):
    cos = np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1.0, 1.0)
    theta = np.arccos(cos)
    t = np.asarray(t)[:, None]
    return (np.sin((1 - t) * theta) * z0 + np.sin(t * theta) * z1) / np.sin(theta)


@wrong('slerp', "the straight line: (1 − t)·z0 + t·z1")
def _(z0, z1, t):
    t = np.asarray(t)[:, None]
    return (1 - t) * z0 + t * z1


@wrong('slerp', "takes the angle from the dot product without dividing by the norms")
def _(z0, z1, t):
    theta = np.arccos(np.clip(z0 @ z1, -1.0, 1.0))
    t = np.asarray(t)[:, None]
    return (np.sin((1 - t) * theta) * z0 + np.sin(t * theta) * z1) / np.sin(theta)


@wrong('slerp', "swaps the weights: starts at z1 and ends at z0")
def _(z0, z1, t):
    theta = np.arccos(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1.0, 1.0))
    t = np.asarray(t)[:, None]
    return (np.sin(t * theta) * z0 + np.sin((1 - t) * theta) * z1) / np.sin(theta)


def class_log_prob(logits, target):
    return mg.log_softmax(logits, dim=1)[:, target]


@wrong('class_log_prob', "the raw logit of the target, not normalized over the classes")
def _(logits, target):
    return logits[:, target]


@wrong('class_log_prob', "normalizes over the batch (dim 0) instead of over the classes")
def _(logits, target):
    return mg.log_softmax(logits, dim=0)[:, target]


@wrong('class_log_prob', "the probability p(target | x), not its log")
def _(logits, target):
    return mg.softmax(logits, dim=1)[:, target]


def ascend(z, objective, lr):
    z = z.detach().requires_grad_()
    (gradient,) = mg.grad([objective(z).sum()], [z])
    return (z + lr * gradient).detach()


@wrong('ascend', "descends: z − lr·∇z")
def _(z, objective, lr):
    z = z.detach().requires_grad_()
    (gradient,) = mg.grad([objective(z).sum()], [z])
    return (z - lr * gradient).detach()


@wrong('ascend', "differentiates the mean: each row's step shrinks with the batch size")
def _(z, objective, lr):
    z = z.detach().requires_grad_()
    (gradient,) = mg.grad([objective(z).mean()], [z])
    return (z + lr * gradient).detach()


@wrong('ascend', "forgets to detach: the new z hangs on the graph of every step so far")
def _(z, objective, lr):
    z = z.detach().requires_grad_()
    (gradient,) = mg.grad([objective(z).sum()], [z], create_graph=True)
    return z + lr * gradient


def class_drift(start_log_probs, log_probs):
    return (start_log_probs.exp() * (start_log_probs - log_probs)).sum(1)


@wrong('class_drift', "the reverse KL, KL(p ‖ p0)")
def _(start_log_probs, log_probs):
    return (log_probs.exp() * (log_probs - start_log_probs)).sum(1)


@wrong('class_drift', "drops the weights p0: the plain sum of log-ratios")
def _(start_log_probs, log_probs):
    return (start_log_probs - log_probs).sum(1)
