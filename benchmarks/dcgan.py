"""Two whole steps of a 28x28 DCGAN, batch 64, on the shipped digits, in minigan and in PyTorch:

    dcgan      D: Adam step on BCE-with-logits of D(x) vs 1 and D(G(z).detach()) vs 0;
               G: Adam step on BCE of D(G(z)) vs 1 (the non-saturating loss), reusing G(z).
               Adam lr 2e-4, betas (0.5, 0.999); G and D as below, D with batch norm.
    wgan_gp    one critic step of WGAN-GP: fakes G(z) under no_grad, then an Adam step on
               mean D(fake) - mean D(x) + 10 E[(|grad_x^ D(x^)|_2 - 1)^2], x^ = e x + (1 - e) fake,
               the gradient taken with create_graph=True (a double backward). The critic is D
               without batch norm.

    G  Linear(64, 128*7*7) -> (128, 7, 7) -> BatchNorm2d -> ReLU
       -> ConvTranspose2d(128, 64, 4, 2, 1) -> BatchNorm2d -> ReLU -> ConvTranspose2d(64, 1, 4, 2, 1) -> Tanh
    D  Conv2d(1, 64, 4, 2, 1) -> LeakyReLU(0.2) -> Conv2d(64, 128, 4, 2, 1) [-> BatchNorm2d]
       -> LeakyReLU(0.2) -> Flatten -> Linear(6272, 1)

The networks are written once, against either library's ``nn``; both libraries start from the
same weights (minigan's, copied into torch) and the same batches, so their first losses agree.
(These are the step-speed figures' networks; recipes.py times InfoGAN and CycleGAN through the
project's own recipes.)
"""
import numpy as np

import minigan as mg
from minigan import backend
from minigan.data import digits

from .sides import Side, copy_weights, torch, torch_on

LATENT = 64


def generator(nn):
    return nn.Sequential(
        nn.Linear(LATENT, 128 * 7 * 7), nn.Unflatten(1, (128, 7, 7)), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())


def discriminator(nn, batch_norm=True):
    norm = [nn.BatchNorm2d(128)] if batch_norm else []
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), *norm,
        nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 7 * 7, 1))


def dcgan_step(side, nets, batch):
    """One D step and one G step; returns (loss_D, loss_G) as floats."""
    G, D, opt_g, opt_d = nets
    real, z, ones, zeros = batch
    opt_d.zero_grad()
    fake = G(z)
    loss_d = side.bce(D(real), ones) + side.bce(D(fake.detach()), zeros)
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad()
    loss_g = side.bce(D(fake), ones)
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


def wgan_gp_step(side, nets, batch, weight=10.0):
    """One critic step with the gradient penalty; returns (loss_critic,) as a float."""
    G, D, _, opt_d = nets
    real, z, eps = batch
    with side.no_grad():
        fake = G(z)
    opt_d.zero_grad()
    x_hat = (eps * real + (1.0 - eps) * fake).requires_grad_(True)
    (g,) = side.grad(D(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((g.reshape(g.shape[0], -1).norm(dim=1) - 1.0) ** 2).mean()
    loss = D(fake).mean() - D(real).mean() + weight * penalty
    loss.backward()
    opt_d.step()
    return (loss.item(),)


def real_images(batch_size):
    """The first ``batch_size`` training digits (1, 28, 28) as a NumPy array (repeated if short)."""
    images = backend.to_numpy(digits('train').tensors[0].array[:batch_size])
    if images.shape[0] < batch_size:
        images = np.resize(images, (batch_size,) + images.shape[1:])
    return np.ascontiguousarray(images)


def build(kind, batch_size, device, seed=0):
    """{'minigan': (step, nets), 'torch': ...}: ``step()`` runs one step and returns its losses;
    ``nets`` = (G, D, opt_G, opt_D). Equal weights and batches on both sides."""
    mg.manual_seed(seed)
    rng = np.random.default_rng(seed)
    arrays = [real_images(batch_size), rng.standard_normal((batch_size, LATENT)).astype(np.float32)]
    if kind == 'dcgan':
        arrays += [np.ones((batch_size, 1), np.float32), np.zeros((batch_size, 1), np.float32)]
        step = dcgan_step
    else:
        arrays += [rng.uniform(size=(batch_size, 1, 1, 1)).astype(np.float32)]
        step = wgan_gp_step
    sides = {'minigan': Side(mg, device)}
    if torch_on(device):
        sides['torch'] = Side(torch, device)
    built, first = {}, None
    for name, side in sides.items():
        G = generator(side.nn).to(device)
        D = discriminator(side.nn, batch_norm=kind == 'dcgan').to(device)
        if first is not None:
            copy_weights(first[0], G)
            copy_weights(first[1], D)
        first = first or (G, D)
        nets, batch = (G, D, side.adam(G.parameters()), side.adam(D.parameters())), [side.tensor(a) for a in arrays]
        built[name] = (lambda s=side, n=nets, b=batch: step(s, n, b)), nets
    return built
