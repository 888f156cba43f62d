"""LSGAN (Mao et al. 2017): least-squares losses on DCGAN's networks.

    D step:  loss_D = ½E[(D(x) − 1)²] + ½E[D(G(z))²]     (losses.lsgan_discriminator_loss)
    G step:  loss_G = ½E[(D(G(z)) − 1)²]                 (losses.lsgan_generator_loss)

A fake that D scores far on the real side of the boundary is still pulled toward it, so G's
gradient does not vanish the way the saturating BCE's does. The paper trains with Adam, lr 2e-4,
β1 = 0.5, batches of 64.
"""
from dataclasses import dataclass

from .. import losses
from .recipe import option
from .unconditional import AdamSettings, UnconditionalRecipe, UnconditionalSettings


@dataclass
class LSGANSettings(UnconditionalSettings, AdamSettings):
    lr: float = option(2e-4, "learning rate (of G; of D too unless --lr-d is given)")


class LSGAN(UnconditionalRecipe):
    name = 'lsgan'
    about = "least-squares GAN on DCGAN's networks"
    Settings = LSGANSettings

    def discriminator_terms(self, real, fake):
        return {'least_squares': losses.lsgan_discriminator_loss(self.D(real), self.D(fake))}

    def generator_loss(self, fake_scores):
        return losses.lsgan_generator_loss(fake_scores)
