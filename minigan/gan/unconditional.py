"""The step every unconditional GAN takes; gan, dcgan, lsgan, wgan, wgan-gp and hinge differ only in
their losses, optimizers, Lipschitz device and defaults.

One step, for a batch size B and n_critic critic repeats:

    repeat n_critic times:                       (each time a fresh real batch x and noise z)
        x̃ = G(z)                                 (no graph, except the last time: G's step reuses it)
        loss_D = Σ terms of discriminator_terms(pack(x), pack(x̃.detach()))   → step D
        after_discriminator_step()               (WGAN clips the critic's weights here)
    loss_G = generator_loss(D(pack(x̃)))          → step G   (D frozen: no weight gradients)
    after_step()                                 (EMA of G, per-step lr decay)

``pack`` joins m consecutive samples into one input of D (PacGAN; m = 1 is the plain GAN).

The networks follow the data: on images, DCGAN's convolutional G and D (``conv = True``) or,
for the plain ``gan``, fully connected ones; on 2-D points always the PacGAN MLPs.
"""
from dataclasses import dataclass
from typing import Optional

from ..errors import ArgumentError
from ..tensor import set_grad_enabled
from .models import (ConvDiscriminator, ConvGenerator, MLPDiscriminator, MLPGenerator, init_normal,
                     spectral_normalized)
from .noise import NoiseRecipe, NoiseSettings
from .recipe import Parts, option, pack


@dataclass
class AdamSettings:
    """Adam's betas, for the recipes that use Adam (a mix-in of Settings classes)."""
    betas: tuple = option((0.5, 0.999), "Adam's (beta1, beta2): DCGAN's beta1 = 0.5 damps the "
                                        "oscillation of the adversarial game",
                   high=1, high_open=True)


@dataclass
class UnconditionalSettings(NoiseSettings):
    n_critic: int = option(1, "D (critic) steps per G step, each on a fresh batch", low=1)
    pack: int = option(1, "PacGAN packing: D judges this many samples jointly (1: off)", low=1)
    batch_norm: Optional[bool] = option(None, "batch norm in the MLP generator's hidden layers (default: "
                                              "off on 2-D points, where G samples in eval mode from "
                                              "running statistics that lag its training batches by "
                                              "more than a mode's width; on for flattened images)")
    data_scale: Optional[float] = option(None, "the MLPs see the data divided by this: G's output is "
                                               "multiplied by it, D's input divided (default 1)",
                                         low=1e-6)


class UnconditionalRecipe(NoiseRecipe):
    kinds = ('points', 'labelled')
    Settings = UnconditionalSettings
    conv = True             # convolutional networks on images (False: MLPs everywhere)
    critic_batch_norm = True  # False for the WGAN critics: batch norm mixes the samples of a batch
    spectral_norm = False   # spectral normalization on every layer of D (SNGAN, BigGAN)

    # ---- what a variant defines
    def discriminator_terms(self, real, fake):
        """{name: scalar Tensor} whose sum is D's loss, from packed real and (detached) fake batches."""
        raise NotImplementedError

    def generator_loss(self, fake_scores):
        """G's loss from D's scores of a packed fake batch."""
        raise NotImplementedError

    def make_optimizer(self, params, lr):
        return self.adam(params, lr, self.settings.betas)

    def after_discriminator_step(self):
        pass

    def real_batch(self, batches):
        """The real examples of one D step: the next batch (gan grows it late in the run)."""
        return next(batches)[0]

    # ---- shared
    def data_defaults(self, data):
        points = data.kind == 'points'
        return {**super().data_defaults(data), 'batch_norm': not points, 'data_scale': 1.0,
                'width': (64 if self.conv else 400) if data.is_image else 200}

    def build(self):
        s, data = self.settings, self.data
        if s.pack < 1 or s.batch_size % s.pack:
            raise ArgumentError(f"{self.name}: --pack {s.pack} must be >= 1 and divide --batch-size "
                                f"{s.batch_size}")
        if s.n_critic < 1:
            raise ArgumentError(f"{self.name}: --n-critic must be >= 1, got {s.n_critic}")
        shape, m = data.shape, s.pack
        packed = (m * shape[0], *shape[1:])
        if data.is_image and self.conv:
            G = init_normal(ConvGenerator(s.latent_dim, shape[0], shape[1], s.width))
            D = init_normal(ConvDiscriminator(packed[0], shape[1], s.width, batch_norm=self.critic_batch_norm))
        else:
            G = MLPGenerator(s.latent_dim, shape, hidden=s.width, batch_norm=s.batch_norm, tanh=data.is_image,
                             scale=s.data_scale)
            D = MLPDiscriminator(packed, hidden=max(1, s.width // 2), scale=s.data_scale)
        if self.spectral_norm:
            spectral_normalized(D)
        return Parts({'G': G, 'D': D}, {'G': self.make_optimizer(G.parameters(), s.lr),
                                        'D': self.make_optimizer(D.parameters(), s.d_lr)})

    @property
    def batches_per_step(self):
        return self.settings.n_critic

    def step(self, batches):
        s, opt_g, opt_d = self.settings, self.optimizers['G'], self.optimizers['D']
        for i in range(s.n_critic):
            real = self.real_batch(batches)
            with set_grad_enabled(i == s.n_critic - 1):
                fake = self.G(self.noise(real.shape[0]))
            terms = self.discriminator_terms(pack(real, s.pack), pack(fake.detach(), s.pack))
            loss_d = sum(terms.values())
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            self.after_discriminator_step()
        with self.frozen(self.D):
            loss_g = self.generator_loss(self.D(pack(fake, s.pack)))
            opt_g.zero_grad()
            loss_g.backward()
        opt_g.step()
        self.after_step()
        logged = {'loss_d': loss_d.item(), 'loss_g': loss_g.item()}
        if len(terms) > 1:
            logged.update((f'd_{name}', term.item()) for name, term in terms.items())
        return logged

    def generate(self, inputs):
        return self.frozen_forward(self.sampling_generator(), inputs['z'])
