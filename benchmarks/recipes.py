"""InfoGAN's and CycleGAN's whole training steps: the project's recipes against PyTorch twins.

minigan's side *is* the recipe (minigan/gan/infogan.py, cyclegan.py): its networks, optimizers
and ``step``, with the recipe's published defaults (InfoGAN's without this project's code warps
and EMA of G, which the twin does not have). The one change: the noise and codes InfoGAN
draws at random are fixed arrays (``FixedDraws``), so that the PyTorch twin can get the very
same ones. PyTorch's side is the same step written as one writes it in PyTorch, on twins of the
recipe's networks (twins.py) holding the same starting weights; the first losses of both sides
are compared, so the two sides are known to compute the same step.

    infogan    batch 64 of digits, z of 62, a 10-way categorical and 2 continuous codes;
               D and Q on real and detached fakes (BCE − L_I), then G (non-saturating BCE − L_I)
               with D frozen; fully connected layers of 1,024 units in G and D
    cyclegan   batch 1 of thin a and bold b digits; both ResNet generators (width 32, 6
               residual blocks) on the LSGAN + 10 × cycle + 5 × identity L1 loss, with both
               PatchGAN discriminators frozen; then both discriminators on LSGAN, their fakes
               through 50-image history pools
"""
import itertools
import math
import random

import numpy as np

import minigan as mg
from minigan.data import bold
from minigan.gan.cyclegan import CycleGAN, CycleGANSettings
from minigan.gan.infogan import InfoGAN, InfoGANSettings
from minigan.gan.recipe import DataInfo

from .dcgan import real_images
from .sides import Side, copy_weights, torch, torch_on

DIGITS = DataInfo('digits', 'labelled', (1, 28, 28), 10)
STROKES = DataInfo('strokes', 'unpaired', (1, 28, 28))


class FixedDraws(InfoGAN):
    """InfoGAN whose step takes its noise z and codes from ``self.draws`` instead of the RNG."""

    def noise(self, n):
        return self.draws['z']

    def random_codes(self, n):
        return self.draws['category'], self.draws['continuous']


def infogan_settings(quick, **changes):
    """The recipe's settings as published (no code warps, no EMA of G: the twin has neither)."""
    changes = {'code_warps': 0, 'ema_decay': 0.0, **changes}
    return InfoGANSettings(batch_size=4, width=8, hidden=32, **changes) if quick else InfoGANSettings(**changes)


def cyclegan_settings(quick):
    return CycleGANSettings(width=8, n_blocks=1) if quick else CycleGANSettings()


# ----------------------------------------------------------------------------- InfoGAN
def infogan_torch_step(side, s, nets, batch):
    """The recipe's step in PyTorch: returns (loss_d, loss_g, info) as floats."""
    G, D, opt_g, opt_d = nets
    real, z, category, continuous = batch
    F = side.F
    ones, zeros = torch.ones_like(real[:, 0, 0, 0]), torch.zeros_like(real[:, 0, 0, 0])

    def information(q_cat, q_cont):  # λ_cat (log K − CE) + λ_cont (E[log N(c; μ, 1)] + D log 2)
        log_q = (-0.5 * (continuous - q_cont) ** 2 - 0.5 * math.log(2 * math.pi)).sum(1).mean()
        return (s.lambda_cat * (math.log(s.n_categories) - F.cross_entropy(q_cat, category)) +
                s.lambda_cont * (log_q + s.n_continuous * math.log(2.0)))

    fake = G(torch.cat([z, F.one_hot(category, s.n_categories).to(z.dtype), continuous], 1))
    real_logit = D(real)[0]
    fake_logit, q_cat, q_cont = D(fake.detach())
    loss_d = side.bce(real_logit, ones) + side.bce(fake_logit, zeros)
    if s.q_with == 'D':  # the paper's code: the trunk and Q learn L_I with D
        loss_d = loss_d - information(q_cat, q_cont)
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    frozen = [D.trunk, D.head] if s.q_with == 'G' else [D]  # Q's head learns with G
    for part in frozen:
        part.requires_grad_(False)
    fake_logit, q_cat, q_cont = D(fake)
    info_g = information(q_cat, q_cont)
    loss_g = side.bce(fake_logit, ones) - info_g
    opt_g.zero_grad()
    loss_g.backward()
    for part in frozen:
        part.requires_grad_(True)
    opt_g.step()
    return loss_d.item(), loss_g.item(), info_g.item()


def build_infogan(device, quick, seed=0, **changes):
    """{'minigan': (step, nets), 'torch': ...}, as dcgan.build; ``changes`` override settings."""
    from . import twins
    mg.manual_seed(seed)
    s, rng = infogan_settings(quick, **changes), np.random.default_rng(seed)
    recipe = FixedDraws(s, DIGITS, device)
    n = s.batch_size
    arrays = dict(real=real_images(n), z=rng.standard_normal((n, recipe.settings.latent_dim)).astype(np.float32),
                  category=rng.integers(0, s.n_categories, n), continuous=rng.uniform(-1, 1, (n, s.n_continuous))
                  .astype(np.float32))
    side = Side(mg, device)
    recipe.draws = {k: side.tensor(v) for k, v in arrays.items()}
    batches = itertools.repeat((recipe.draws['real'],))
    built = {'minigan': (lambda: tuple(recipe.step(batches).values()), recipe.networks)}
    if torch_on(device):
        side = Side(torch, device)
        width = recipe.G.width  # the recipe's default when settings.width is None
        G = copy_weights(recipe.G, twins.ConvGenerator(recipe.settings.latent_dim + s.n_categories + s.n_continuous,
                                                       1, 28, width, s.hidden).to(device))
        D = copy_weights(recipe.D, twins.InfoGANDiscriminator(1, 28, width, s.n_categories, s.n_continuous,
                                                              s.hidden, s.d_hidden_batch_norm).to(device))
        q = list(D.q.parameters()) if s.q_with == 'G' else []
        d = [p for p in D.parameters() if all(p is not other for other in q)]
        nets = (G, D, side.adam(list(G.parameters()) + q, s.lr, s.betas), side.adam(d, s.d_lr, s.betas))
        batch = [side.tensor(arrays[k]) for k in ('real', 'z', 'category', 'continuous')]
        built['torch'] = (lambda: infogan_torch_step(side, s, nets, batch)), nets
    return built


# ----------------------------------------------------------------------------- CycleGAN
class TorchHistoryPool:
    """minigan/gan/history.py's pool in PyTorch: new fakes stored until ``size``, then each
    either swapped (probability ½) for a random stored one, or used itself."""

    def __init__(self, size, seed=0):
        self.size, self.images, self.rng = size, [], random.Random(seed)

    def query(self, images):
        chosen = []
        for image in images:
            if len(self.images) < self.size:
                self.images.append(image)
                chosen.append(image)
            elif self.rng.random() > 0.5:
                slot = self.rng.randrange(self.size)
                chosen.append(self.images[slot])
                self.images[slot] = image
            else:
                chosen.append(image)
        return torch.stack(chosen)


def cyclegan_torch_step(side, s, nets, batch):
    """The recipe's step in PyTorch: returns (loss_d, loss_g, adversarial, cycle, identity)."""
    (G_AB, G_BA, D_A, D_B), (opt_g, opt_d), (pool_a, pool_b) = nets
    a, b = batch
    F = side.F
    mse = lambda scores, target: F.mse_loss(scores, torch.full_like(scores, target))  # noqa: E731
    for D in (D_A, D_B):
        D.requires_grad_(False)
    fake_b, fake_a = G_AB(a), G_BA(b)
    adversarial = mse(D_B(fake_b), 1.0) + mse(D_A(fake_a), 1.0)
    cycle = s.lambda_cycle * (F.l1_loss(G_BA(fake_b), a) + F.l1_loss(G_AB(fake_a), b))
    identity = s.lambda_identity * s.lambda_cycle * (F.l1_loss(G_AB(b), b) + F.l1_loss(G_BA(a), a))
    loss_g = adversarial + cycle + identity
    opt_g.zero_grad()
    loss_g.backward()
    for D in (D_A, D_B):
        D.requires_grad_(True)
    opt_g.step()
    old_a, old_b = pool_a.query(fake_a.detach()), pool_b.query(fake_b.detach())
    loss_d = (0.5 * (mse(D_A(a), 1.0) + mse(D_A(old_a), 0.0)) +
              0.5 * (mse(D_B(b), 1.0) + mse(D_B(old_b), 0.0)))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    return loss_d.item(), loss_g.item(), adversarial.item(), cycle.item(), identity.item()


def build_cyclegan(device, quick, seed=0):
    """{'minigan': (step, nets), 'torch': ...}, as dcgan.build; a thin digit a and a bold b."""
    from . import twins
    mg.manual_seed(seed)
    s = cyclegan_settings(quick)
    recipe = CycleGAN(s, STROKES, device)
    images = real_images(2 * s.batch_size)
    arrays = [images[:s.batch_size], bold(images[s.batch_size:])]
    side = Side(mg, device)
    batches = itertools.repeat(tuple(side.tensor(a) for a in arrays))
    built = {'minigan': (lambda: tuple(recipe.step(batches).values()), recipe.networks)}
    if torch_on(device):
        side = Side(torch, device)
        nets = [copy_weights(recipe.networks[name], twin.to(device)) for name, twin in (
            ('G_AB', twins.ResnetGenerator(1, 1, s.width, s.n_blocks)),
            ('G_BA', twins.ResnetGenerator(1, 1, s.width, s.n_blocks)),
            ('D_A', twins.PatchDiscriminator(1, s.width, s.d_layers)),
            ('D_B', twins.PatchDiscriminator(1, s.width, s.d_layers)))]
        params = lambda pair: [p for net in pair for p in net.parameters()]  # noqa: E731
        opts = side.adam(params(nets[:2]), s.lr, s.betas), side.adam(params(nets[2:]), s.d_lr, s.betas)
        state = nets, opts, (TorchHistoryPool(s.pool_size, seed), TorchHistoryPool(s.pool_size, seed + 1))
        batch = [side.tensor(a) for a in arrays]
        built['torch'] = (lambda: cyclegan_torch_step(side, s, state, batch)), state
    return built
