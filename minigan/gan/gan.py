"""The original GAN (Goodfellow et al. 2014): fully connected G and D and the minimax BCE game.

    D step:  loss_D = −E[log D(x)] − E[log(1 − D(G(z)))]         (losses.bce_discriminator_loss)
    G step:  loss_G = −E[log D(G(z))]      non-saturating (default)
             loss_G =  E[log(1 − D(G(z)))]  with --saturating: the game's own term, whose gradient
                                            vanishes while D rejects the fakes (try it on ring8)

Networks: PacGAN's MLPs on the 2-D mixtures (G 4 × 400 ReLU + batch norm, D 3 × 200 maxout
units of 5 pieces), the same shapes on flattened images. Defaults follow PacGAN's 2-D
experiments: batch 100, Adam lr 1e-4. ``--pack m`` turns it into PacGAN-m.
"""
from dataclasses import dataclass

from .. import losses
from .recipe import option
from .unconditional import AdamSettings, UnconditionalRecipe, UnconditionalSettings


@dataclass
class GANSettings(UnconditionalSettings, AdamSettings):
    batch_size: int = option(100, "examples per batch")
    lr: float = option(1e-4, "learning rate (of G; of D too unless --lr-d is given)")
    saturating: bool = option(False, "G minimizes log(1 - D(G(z))), the minimax game's own term, "
                                     "instead of the non-saturating -log D(G(z))")


class GAN(UnconditionalRecipe):
    name = 'gan'
    about = "the original GAN: MLPs, minimax BCE (non-saturating G loss)"
    Settings = GANSettings
    default_data = 'ring8'
    default_epochs = 2
    conv = False

    def discriminator_terms(self, real, fake):
        return {'bce': losses.bce_discriminator_loss(self.D(real), self.D(fake))}

    def generator_loss(self, fake_scores):
        return losses.bce_generator_loss(fake_scores, saturating=self.settings.saturating)
