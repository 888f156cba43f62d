"""Worked answers to lesson 14, and the plausible wrong answers each check must reject."""
import math

import numpy as np

import minigan as mg
from _course import WrongAnswers

wrong = WrongAnswers()


def categorical_information(q_logits, codes):
    log_q = mg.log_softmax(q_logits, dim=1).gather(1, codes.reshape(-1, 1))
    return log_q.mean() + math.log(q_logits.shape[1])


@wrong('categorical_information', "leaves out H(c) = log K: that is E[log Q], not the bound on I")
def _(q_logits, codes):
    return mg.log_softmax(q_logits, dim=1).gather(1, codes.reshape(-1, 1)).mean()


@wrong('categorical_information', "averages log Q over every class instead of taking the code's")
def _(q_logits, codes):
    return mg.log_softmax(q_logits, dim=1).mean() + math.log(q_logits.shape[1])


def gaussian_log_likelihood(codes, mean, log_std):
    s = (codes - mean) / log_std.exp()
    return (-0.5 * s ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(1)


@wrong('gaussian_log_likelihood', "forgets −log σ: a wider Gaussian is then never penalized")
def _(codes, mean, log_std):
    s = (codes - mean) / log_std.exp()
    return (-0.5 * s ** 2 - 0.5 * math.log(2 * math.pi)).sum(1)


@wrong('gaussian_log_likelihood', "divides by σ² inside the square: ((c − μ)/σ²)²")
def _(codes, mean, log_std):
    s = (codes - mean) / (2 * log_std).exp()
    return (-0.5 * s ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(1)


def mutual_information(counts):
    p = np.asarray(counts, dtype=float) / np.sum(counts)
    independent = p.sum(1, keepdims=True) * p.sum(0, keepdims=True)
    cells = p > 0
    return float((p[cells] * np.log(p[cells] / independent[cells])).sum())


@wrong('mutual_information', "in bits (log base 2), not nats")
def _(counts):
    p = np.asarray(counts, dtype=float) / np.sum(counts)
    independent = p.sum(1, keepdims=True) * p.sum(0, keepdims=True)
    cells = p > 0
    return float((p[cells] * np.log2(p[cells] / independent[cells])).sum())


@wrong('mutual_information', "uses the counts as if they were probabilities: never divides by the total")
def _(counts):
    p = np.asarray(counts, dtype=float)
    independent = p.sum(1, keepdims=True) * p.sum(0, keepdims=True)
    cells = p > 0
    return float((p[cells] * np.log(p[cells] / independent[cells])).sum())


def information(q_logits, q_mean, category, continuous):
    log_q = gaussian_log_likelihood(continuous, q_mean, mg.zeros_like(q_mean))
    continuous_part = log_q.mean() + continuous.shape[1] * math.log(2.0)
    return 1.0 * categorical_information(q_logits, category) + 0.1 * continuous_part


@wrong('information', "forgets the entropy of the continuous codes, C·log 2")
def _(q_logits, q_mean, category, continuous):
    log_q = gaussian_log_likelihood(continuous, q_mean, mg.zeros_like(q_mean))
    return 1.0 * categorical_information(q_logits, category) + 0.1 * log_q.mean()


@wrong('information', "weights the continuous part like the categorical one (λ_cont = 1)")
def _(q_logits, q_mean, category, continuous):
    log_q = gaussian_log_likelihood(continuous, q_mean, mg.zeros_like(q_mean))
    return categorical_information(q_logits, category) + log_q.mean() + continuous.shape[1] * math.log(2.0)


def discriminator_loss(D, real, fake, category, continuous):
    real_logits, _, _ = D(real)
    fake_logits, q_logits, q_mean = D(fake.detach())
    return (mg.losses.bce_discriminator_loss(real_logits, fake_logits)
            - information(q_logits, q_mean, category, continuous))


@wrong('discriminator_loss', "forgets to detach G's images: D's step also pushes G")
def _(D, real, fake, category, continuous):
    real_logits, _, _ = D(real)
    fake_logits, q_logits, q_mean = D(fake)
    return (mg.losses.bce_discriminator_loss(real_logits, fake_logits)
            - information(q_logits, q_mean, category, continuous))


@wrong('discriminator_loss', "adds λ·L_I: Q is trained to forget the codes")
def _(D, real, fake, category, continuous):
    real_logits, _, _ = D(real)
    fake_logits, q_logits, q_mean = D(fake.detach())
    return (mg.losses.bce_discriminator_loss(real_logits, fake_logits)
            + information(q_logits, q_mean, category, continuous))


@wrong('discriminator_loss', "reads the codes from Q on the real images, which were made from no code")
def _(D, real, fake, category, continuous):
    real_logits, q_logits, q_mean = D(real)
    fake_logits, _, _ = D(fake.detach())
    return (mg.losses.bce_discriminator_loss(real_logits, fake_logits)
            - information(q_logits, q_mean, category, continuous))
