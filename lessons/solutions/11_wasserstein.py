"""Worked answers to lesson 11, and the plausible wrong answers each check must reject."""
import numpy as np

import minigan as mg
from _course import WrongAnswers

wrong = WrongAnswers()


def mode_counts(samples, centres, sigma):
    distance = np.sqrt(((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
    nearest = distance.argmin(1)
    covered = distance[np.arange(len(samples)), nearest] <= 3 * sigma
    return np.bincount(nearest[covered], minlength=len(centres))


@wrong('mode_counts', "counts every sample for its nearest mode, however far away it is")
def _(samples, centres, sigma):
    distance = np.sqrt(((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
    return np.bincount(distance.argmin(1), minlength=len(centres))


@wrong('mode_counts', "compares the squared distance with 3σ")
def _(samples, centres, sigma):
    squared = ((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    nearest = squared.argmin(1)
    covered = squared[np.arange(len(samples)), nearest] <= 3 * sigma
    return np.bincount(nearest[covered], minlength=len(centres))


def emd_1d(a, b):
    return float(np.mean(np.abs(np.sort(a) - np.sort(b))))


@wrong('emd_1d', "matches the points in the order given, not in sorted order")
def _(a, b):
    return float(np.mean(np.abs(a - b)))


@wrong('emd_1d', "the distance between the means: right for a shift, not in general")
def _(a, b):
    return float(abs(np.mean(a) - np.mean(b)))


@wrong('emd_1d', "the root mean squared distance of the sorted points (W2, not W1)")
def _(a, b):
    return float(np.sqrt(np.mean((np.sort(a) - np.sort(b)) ** 2)))


def wasserstein_losses(real_scores, fake_scores):
    return fake_scores.mean() - real_scores.mean(), -fake_scores.mean()


@wrong('wasserstein_losses', "the critic's loss with its sign flipped: it would learn to score fakes higher")
def _(real_scores, fake_scores):
    return real_scores.mean() - fake_scores.mean(), -fake_scores.mean()


@wrong('wasserstein_losses', "squashes the scores with a sigmoid first, as a discriminator would")
def _(real_scores, fake_scores):
    return mg.sigmoid(fake_scores).mean() - mg.sigmoid(real_scores).mean(), -mg.sigmoid(fake_scores).mean()


@wrong('wasserstein_losses', "G's loss +E[c(fake)]: G would lower its own scores")
def _(real_scores, fake_scores):
    return fake_scores.mean() - real_scores.mean(), fake_scores.mean()


def clip_weights_(critic, c):
    with mg.no_grad():
        for p in critic.parameters():
            p.clamp_(-c, c)


@wrong('clip_weights_', "p = p.clamp(-c, c): binds a new Tensor to the name p, the critic keeps its weights")
def _(critic, c):
    with mg.no_grad():
        for p in critic.parameters():
            p = p.clamp(-c, c)  # noqa: F841 -- the mistake on show


@wrong('clip_weights_', "clips the weights but not the biases")
def _(critic, c):
    with mg.no_grad():
        for name, p in critic.named_parameters():
            if name.endswith('weight'):
                p.clamp_(-c, c)


def gradient_penalty(critic, real, fake, eps):
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = mg.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norm = (g * g).sum(1).sqrt()
    return ((norm - 1) ** 2).mean()


@wrong('gradient_penalty', "forgets create_graph=True: the penalty is a constant to the critic's weights")
def _(critic, real, fake, eps):
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = mg.grad(critic(x_hat).sum(), x_hat)
    norm = (g * g).sum(1).sqrt()
    return ((norm - 1) ** 2).mean()


@wrong('gradient_penalty', "penalizes the squared norm, (‖g‖² − 1)²")
def _(critic, real, fake, eps):
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = mg.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (((g * g).sum(1) - 1) ** 2).mean()


@wrong('gradient_penalty', "one norm over the whole batch instead of one per sample")
def _(critic, real, fake, eps):
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = mg.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((g * g).sum().sqrt() - 1) ** 2


@wrong('gradient_penalty', "one-sided: penalizes only norms above 1")
def _(critic, real, fake, eps):
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = mg.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norm = (g * g).sum(1).sqrt()
    return (mg.maximum(norm - 1, 0 * norm) ** 2).mean()
