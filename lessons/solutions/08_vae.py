"""Worked answers to lesson 8, and the plausible wrong answers each check must reject."""
import numpy as np

import minigan as mg
import minigan.functional as F
from _course import WrongAnswers

wrong = WrongAnswers()


def reparameterize(mu, log_var, eps):
    return mu + mg.exp(0.5 * log_var) * eps


@wrong('reparameterize', "scales the noise by the variance instead of the standard deviation")
def _(mu, log_var, eps):
    return mu + mg.exp(log_var) * eps


@wrong('reparameterize', "the noise term detached: no gradient reaches log σ²")
def _(mu, log_var, eps):
    return mu + (mg.exp(0.5 * log_var) * eps).detach()


def kl_to_standard_normal(mu, log_var):
    return 0.5 * (mu ** 2 + mg.exp(log_var) - 1 - log_var).sum(1)


@wrong('kl_to_standard_normal', "forgets the factor 1/2")
def _(mu, log_var):
    return (mu ** 2 + mg.exp(log_var) - 1 - log_var).sum(1)


@wrong('kl_to_standard_normal', "adds log σ² instead of subtracting it")
def _(mu, log_var):
    return 0.5 * (mu ** 2 + mg.exp(log_var) - 1 + log_var).sum(1)


def negative_elbo(x, logits, mu, log_var):
    bce = F.binary_cross_entropy_with_logits(logits, (x + 1) / 2, reduction='none')
    return (bce.flatten(1).sum(1) + kl_to_standard_normal(mu, log_var)).mean()


@wrong('negative_elbo', "uses the images in [-1, 1] as BCE targets")
def _(x, logits, mu, log_var):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction='none')
    return (bce.flatten(1).sum(1) + kl_to_standard_normal(mu, log_var)).mean()


@wrong('negative_elbo', "averages the BCE over pixels: the KL then outweighs the picture 784 to 1")
def _(x, logits, mu, log_var):
    bce = F.binary_cross_entropy_with_logits(logits, (x + 1) / 2, reduction='none')
    return (bce.flatten(1).mean(1) + kl_to_standard_normal(mu, log_var)).mean()


def latent_walk(z0, z1, steps):
    t = np.linspace(0, 1, steps)[:, None]
    return (1 - t) * z0 + t * z1


@wrong('latent_walk', "stops one step short of z1")
def _(z0, z1, steps):
    t = (np.arange(steps) / steps)[:, None]
    return (1 - t) * z0 + t * z1
