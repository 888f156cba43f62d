"""Worked answers to lesson 17b, and the plausible wrong answers each check must reject."""
import minigan as mg
from _course import WrongAnswers

wrong = WrongAnswers()


def adain(x, style_scale, style_bias, eps=1e-5):
    mean = x.mean((2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean((2, 3), keepdim=True)
    normalized = (x - mean) / mg.sqrt(var + eps)
    return normalized * style_scale[:, :, None, None] + style_bias[:, :, None, None]


@wrong('adain', "batch statistics: the mean and variance over the whole batch, as batch norm")
def _(x, style_scale, style_bias, eps=1e-5):
    mean = x.mean((0, 2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean((0, 2, 3), keepdim=True)
    return (x - mean) / mg.sqrt(var + eps) * style_scale[:, :, None, None] + style_bias[:, :, None, None]


@wrong('adain', "the unbiased variance (divided by H·W − 1)")
def _(x, style_scale, style_bias, eps=1e-5):
    mean = x.mean((2, 3), keepdim=True)
    var = ((x - mean) ** 2).sum((2, 3), keepdim=True) / (x.shape[2] * x.shape[3] - 1)
    return (x - mean) / mg.sqrt(var + eps) * style_scale[:, :, None, None] + style_bias[:, :, None, None]


@wrong('adain', "eps outside the root: divides by σ + eps")
def _(x, style_scale, style_bias, eps=1e-5):
    mean = x.mean((2, 3), keepdim=True)
    std = mg.sqrt(((x - mean) ** 2).mean((2, 3), keepdim=True))
    return (x - mean) / (std + eps) * style_scale[:, :, None, None] + style_bias[:, :, None, None]


def mix_styles(w1, w2, crossover, n_layers):
    return mg.stack([w1 if i < crossover else w2 for i in range(n_layers)], dim=1)


@wrong('mix_styles', "off by one: layer `crossover` still takes w1")
def _(w1, w2, crossover, n_layers):
    return mg.stack([w1 if i <= crossover else w2 for i in range(n_layers)], dim=1)


def truncate_styles(w, w_mean, psi):
    return w_mean + psi * (w - w_mean)


@wrong('truncate_styles', "ψ·w: pulls every w toward zero, not toward the mean w")
def _(w, w_mean, psi):
    return psi * w


@wrong('truncate_styles', "the weights swapped: w̄ + (1 − ψ)(w − w̄), so ψ = 1 gives the mean")
def _(w, w_mean, psi):
    return w_mean + (1 - psi) * (w - w_mean)


@wrong('truncate_styles', "the mean taken over this batch's w, not the w̄ given")
def _(w, w_mean, psi):
    mean = w.mean(0, keepdim=True)
    return mean + psi * (w - mean)
