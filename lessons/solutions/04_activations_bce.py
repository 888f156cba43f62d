"""Worked answers to lesson 4, and the plausible wrong answers each check must reject."""
import minigan as mg
from _course import WrongAnswers

wrong = WrongAnswers()


def leaky_relu(x, negative_slope=0.2):
    return mg.where(x > 0, x, negative_slope * x)


@wrong('leaky_relu', "scales the positive side instead of the negative one")
def _(x, negative_slope=0.2):
    return mg.where(x > 0, negative_slope * x, x)


@wrong('leaky_relu', "a plain ReLU: forgets the leak")
def _(x, negative_slope=0.2):
    return mg.maximum(x, 0 * x)


def dead_units(pre_activations):
    return (pre_activations <= 0).all(axis=0)


@wrong('dead_units', "calls a unit dead when it is negative for some example, not for all")
def _(pre_activations):
    return (pre_activations <= 0).any(axis=0)


@wrong('dead_units', "calls a unit dead when it is negative for most examples")
def _(pre_activations):
    return (pre_activations <= 0).mean(axis=0) > 0.5


def bce(h, y):
    return -(y * mg.log(h) + (1 - y) * mg.log(1 - h)).mean()


@wrong('bce', "forgets the minus sign: a loss that rewards wrong predictions")
def _(h, y):
    return (y * mg.log(h) + (1 - y) * mg.log(1 - h)).mean()


@wrong('bce', "swaps the parts: log h goes with y = 0")
def _(h, y):
    return -((1 - y) * mg.log(h) + y * mg.log(1 - h)).mean()


def softplus(t):
    return mg.maximum(t, 0 * t) + mg.log1p(mg.exp(-t.abs()))


@wrong('softplus', "the textbook log(1 + e^t): e^t overflows for large t")
def _(t):
    return mg.log(1 + mg.exp(t))


@wrong('softplus', "forgets the absolute value: e^(-t) overflows for very negative t")
def _(t):
    return mg.maximum(t, 0 * t) + mg.log1p(mg.exp(-t))


def bce_with_logits(z, y):
    return (softplus(z) - y * z).mean()


@wrong('bce_with_logits', "computes σ(z) first, then the textbook BCE: log 0 at large logits")
def _(z, y):
    h = mg.sigmoid(z)
    return -(y * mg.log(h) + (1 - y) * mg.log(1 - h)).mean()


@wrong('bce_with_logits', "softplus(-z) - y z: the sign of the logit inside softplus flipped")
def _(z, y):
    return (softplus(-z) - y * z).mean()
