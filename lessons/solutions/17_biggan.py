"""Worked answers to lesson 17, and the plausible wrong answers each check must reject."""
import numpy as np

import minigan as mg
import minigan.functional as F
from _course import WrongAnswers

wrong = WrongAnswers()


def hinge_discriminator_loss(real_scores, fake_scores):
    return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()


@wrong('hinge_discriminator_loss', "no hinge: the Wasserstein critic's loss E[fake] − E[real]")
def _(real_scores, fake_scores):
    return fake_scores.mean() - real_scores.mean()


@wrong('hinge_discriminator_loss', "the margins on the wrong sides: max(0, 1 + real) + max(0, 1 − fake)")
def _(real_scores, fake_scores):
    return F.relu(1 + real_scores).mean() + F.relu(1 - fake_scores).mean()


def power_iteration(W, u, n_iterations=1):
    for _ in range(n_iterations):
        v = W.T @ u
        v = v / np.linalg.norm(v)
        u = W @ v
        u = u / np.linalg.norm(u)
    return float(u @ W @ v), u, v


@wrong('power_iteration', "updates u before v (the order torch and minigan use is v, then u)")
def _(W, u, n_iterations=1):
    v = W.T @ u
    v = v / np.linalg.norm(v)
    for _ in range(n_iterations):
        u = W @ v
        u = u / np.linalg.norm(u)
        v = W.T @ u
        v = v / np.linalg.norm(v)
    return float(u @ W @ v), u, v


@wrong('power_iteration', "never normalizes: σ is then uᵀWv of growing vectors")
def _(W, u, n_iterations=1):
    for _ in range(n_iterations):
        v = W.T @ u
        u = W @ v
    return float(u @ W @ v), u, v


@wrong('power_iteration', "does one round whatever n_iterations says")
def _(W, u, n_iterations=1):
    return power_iteration(W, u, 1)


def spectral_normalize(W, u, n_iterations=1):
    matrix = W.reshape(W.shape[0], -1)
    _, u, v = power_iteration(matrix.detach().numpy(), u, n_iterations)
    sigma = (mg.tensor(u, dtype=W.dtype) * (matrix @ mg.tensor(v, dtype=W.dtype))).sum()
    return W / sigma, u


@wrong('spectral_normalize', "σ as a constant (a float): no gradient flows through σ")
def _(W, u, n_iterations=1):
    sigma, u, _ = power_iteration(W.reshape(W.shape[0], -1).detach().numpy(), u, n_iterations)
    return W / sigma, u


@wrong('spectral_normalize', "divides by the Frobenius norm, not the largest singular value")
def _(W, u, n_iterations=1):
    _, u, _ = power_iteration(W.reshape(W.shape[0], -1).detach().numpy(), u, n_iterations)
    return W / mg.sqrt((W ** 2).sum()), u


def ema_update(average, model, decay=0.999):
    with mg.no_grad():
        for avg, p in zip(average.parameters(), model.parameters()):
            avg.mul_(decay).add_((1 - decay) * p)


@wrong('ema_update', "swaps the weights: decay on the new value, 1 − decay on the average")
def _(average, model, decay=0.999):
    with mg.no_grad():
        for avg, p in zip(average.parameters(), model.parameters()):
            avg.mul_(1 - decay).add_(decay * p)


@wrong('ema_update', "moves the model toward the average instead of the average toward the model")
def _(average, model, decay=0.999):
    ema_update(model, average, decay)


def truncated_normal(shape, threshold, generator):
    z = generator.standard_normal(shape)
    outside = np.abs(z) > threshold
    while outside.any():
        z[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(z) > threshold
    return z


@wrong('truncated_normal', "clips to ±threshold instead of redrawing")
def _(shape, threshold, generator):
    return np.clip(generator.standard_normal(shape), -threshold, threshold)


@wrong('truncated_normal', "redraws the entries outside only once")
def _(shape, threshold, generator):
    z = generator.standard_normal(shape)
    outside = np.abs(z) > threshold
    z[outside] = generator.standard_normal(int(outside.sum()))
    return z


@wrong('truncated_normal', "draws uniformly in [−threshold, threshold]")
def _(shape, threshold, generator):
    return generator.uniform(-threshold, threshold, shape)
