"""Worked answers to lesson 9, and the plausible wrong answers each check must reject."""
import numpy as np

import minigan as mg
import minigan.functional as F
from _course import WrongAnswers

wrong = WrongAnswers()


def optimal_discriminator(p_data, p_model):
    return p_data / (p_data + p_model)


@wrong('optimal_discriminator', "puts the model's density on top: the probability of 'fake'")
def _(p_data, p_model):
    return p_model / (p_data + p_model)


@wrong('optimal_discriminator', "the likelihood ratio p_data / p_model, clipped to [0, 1]")
def _(p_data, p_model):
    with np.errstate(divide='ignore'):
        return np.clip(p_data / p_model, 0, 1)


def _plogp_over(p, m):
    """p·log(p/m) with 0·log 0 = 0."""
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(p > 0, p * np.log(p / m), 0.0)


def js_divergence(p, q, dx):
    m = (p + q) / 2
    return 0.5 * np.sum(_plogp_over(p, m)) * dx + 0.5 * np.sum(_plogp_over(q, m)) * dx


@wrong('js_divergence', "forgets the halves: KL(p ‖ m) + KL(q ‖ m), twice JS")
def _(p, q, dx):
    m = (p + q) / 2
    return (np.sum(_plogp_over(p, m)) + np.sum(_plogp_over(q, m))) * dx


@wrong('js_divergence', "the symmetrized KL, ½KL(p ‖ q) + ½KL(q ‖ p), instead of KL to the mixture")
def _(p, q, dx):
    return 0.5 * np.sum(_plogp_over(p, q)) * dx + 0.5 * np.sum(_plogp_over(q, p)) * dx


@wrong('js_divergence', "computes p·log(p/m) everywhere: 0·log 0 gives nan where p = 0")
def _(p, q, dx):
    m = (p + q) / 2
    with np.errstate(divide='ignore', invalid='ignore'):
        return 0.5 * np.sum(p * np.log(p / m)) * dx + 0.5 * np.sum(q * np.log(q / m)) * dx


def saturating_generator_loss(fake_logits):
    return -F.softplus(fake_logits).mean()


@wrong('saturating_generator_loss', "takes σ first: log(1 - σ(f)) is log 0 = -inf once σ(f) rounds to 1")
def _(fake_logits):
    return mg.log(1 - mg.sigmoid(fake_logits)).mean()


@wrong('saturating_generator_loss', "flips the sign: -E[log(1 - D(G(z)))], which G would minimize by losing")
def _(fake_logits):
    return F.softplus(fake_logits).mean()


def non_saturating_generator_loss(fake_logits):
    return F.softplus(-fake_logits).mean()


@wrong('non_saturating_generator_loss', "takes σ first: -log σ(f) is -log 0 = inf once σ(f) rounds to 0")
def _(fake_logits):
    return -mg.log(mg.sigmoid(fake_logits)).mean()


@wrong('non_saturating_generator_loss', "-E[log(1 - D(G(z)))]: the saturating term with its sign flipped")
def _(fake_logits):
    return F.softplus(fake_logits).mean()


def train_step(G, D, opt_g, opt_d, real, z):
    fake = G(z)
    loss_d = mg.losses.bce_discriminator_loss(D(real), D(fake.detach()))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = non_saturating_generator_loss(D(fake))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


@wrong('train_step', "swaps the labels in D's loss: D learns to call the fakes real")
def _(G, D, opt_g, opt_d, real, z):
    fake = G(z)
    loss_d = mg.losses.bce_discriminator_loss(D(fake.detach()), D(real))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = non_saturating_generator_loss(D(fake))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


@wrong('train_step', "zeroes both optimizers once at the top and forgets to detach (retain_graph=True "
                    "silences the error): D's loss leaks into G's gradients")
def _(G, D, opt_g, opt_d, real, z):
    opt_d.zero_grad()
    opt_g.zero_grad()
    fake = G(z)
    loss_d = mg.losses.bce_discriminator_loss(D(real), D(fake))
    loss_d.backward(retain_graph=True)
    opt_d.step()
    loss_g = non_saturating_generator_loss(D(fake))
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


@wrong('train_step', "steps G with the saturating loss")
def _(G, D, opt_g, opt_d, real, z):
    fake = G(z)
    loss_d = mg.losses.bce_discriminator_loss(D(real), D(fake.detach()))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = saturating_generator_loss(D(fake))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()
