"""Pix2Pix (Isola et al. 2017): translation learned from pairs (a, b), b the true translation of a.

A U-Net generator G and a *conditional* PatchGAN D that judges (input, output) pairs -- it sees
a beside b or beside G(a), so it checks that the output fits this input, patch by patch:

    D step:  loss_D = ½·BCE_D(D(a ⊕ b), D(a ⊕ G(a)))        (losses.bce_discriminator_loss;
                                                              ½ slows D, as the paper does)
    G step:  loss_G = −E[log D(a ⊕ G(a))] + λ_L1·E|G(a) − b|     (λ_L1 = 100; F.l1_loss)

⊕ joins along channels. The L1 term gets the low frequencies right (alone it gives blurry
outputs); the patch critic the sharp, local detail. Published: Adam 2e-4, β1 = 0.5, batch size 1,
batch norm in D and in the U-Net, dropout in the decoder.
"""
from dataclasses import dataclass

from .. import functional as F
from .. import losses
from ..ops.shape import cat
from .metrics import held_out_l1
from .models import PatchDiscriminator, UNetGenerator, init_normal
from .recipe import Parts, Settings, option
from .translation import TranslationRecipe
from .unconditional import AdamSettings


@dataclass
class Pix2PixSettings(Settings, AdamSettings):
    batch_size: int = option(1, "examples per batch")
    width: int = option(64, "filters of the U-Net's first layer and of D's", low=1)
    depth: int = option(3, "levels of the U-Net (images are padded to a multiple of 2^depth: 28 -> 32)", low=2)
    dropout: float = option(0.5, "dropout in the U-Net's inner decoder levels", high=1)
    d_layers: int = option(1, "stride-2 layers of the PatchGAN discriminator (1: 16x16 patches)")
    lambda_l1: float = option(100.0, "weight of the L1 distance to the target")


class Pix2Pix(TranslationRecipe):
    name = 'pix2pix'
    about = "Pix2Pix: thin -> bold digits from pairs; U-Net, conditional PatchGAN, L1 x 100"
    Settings = Pix2PixSettings
    kinds = ('paired',)
    default_data = 'strokes-paired'
    default_epochs = 2

    def build(self):
        s, channels = self.settings, self.data.shape[0]
        G = init_normal(UNetGenerator(channels, channels, s.width, s.depth, s.dropout))
        D = init_normal(PatchDiscriminator(2 * channels, s.width, s.d_layers, norm='batch'))
        return Parts({'G': G, 'D': D}, {'G': self.adam(G.parameters(), s.lr, s.betas),
                                        'D': self.adam(D.parameters(), s.d_lr, s.betas)})

    def step(self, batches):
        a, b = next(batches)
        fake = self.G(a)
        real_pairs, fake_pairs = self.D(cat([a, b], 1)), self.D(cat([a, fake.detach()], 1))
        loss_d = 0.5 * losses.bce_discriminator_loss(real_pairs, fake_pairs)
        self.optimizers['D'].zero_grad()
        loss_d.backward()
        self.optimizers['D'].step()
        with self.frozen(self.D):
            adversarial = losses.bce_generator_loss(self.D(cat([a, fake], 1)))
            l1 = F.l1_loss(fake, b)
            loss_g = adversarial + self.settings.lambda_l1 * l1
            self.optimizers['G'].zero_grad()
            loss_g.backward()
        self.optimizers['G'].step()
        return {'loss_d': loss_d.item(), 'loss_g': loss_g.item(), 'g_adversarial': adversarial.item(),
                'g_l1': l1.item()}

    def evaluate(self, evaluation):
        """Held-out L1 of G(a) to the true bold b (eval mode: no dropout, one answer per input)."""
        a, b = evaluation.pairs()
        return {'l1': held_out_l1(lambda x: self.frozen_forward(self.G, x), a, b)}

    def layout(self, inputs, outputs):
        """Rows: input a, G(a), and the true target b when known."""
        target = inputs.get('target')
        rows = [inputs['source'], outputs] + ([target] if target is not None else [])
        return cat(rows, 0), outputs.shape[0]
