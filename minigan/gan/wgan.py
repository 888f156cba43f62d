"""WGAN (Arjovsky et al. 2017): a critic estimates the earth mover's distance; weight clipping
keeps it Lipschitz.

    critic step (n_critic = 5 per G step):
        loss_C = E[C(G(z))] − E[C(x)]              (losses.wasserstein_critic_loss)
        then clip every critic weight to [−c, c]   (optim.clip_weights, c = 0.01)
    G step:  loss_G = −E[C(G(z))]                  (losses.wasserstein_generator_loss)

−loss_C estimates W(p_data, p_G) up to the critic's Lipschitz constant: unlike D's BCE it falls
as the samples improve, so it is worth plotting. The critic has no batch norm and no sigmoid.
Published: RMSprop (momentum-free: momentum made the critic unstable), lr 5e-5, batches of 64.
"""
from dataclasses import dataclass

from .. import losses, optim
from .recipe import option
from .unconditional import UnconditionalRecipe, UnconditionalSettings


@dataclass
class WGANSettings(UnconditionalSettings):
    lr: float = option(5e-5, "RMSprop learning rate (of G; of the critic too unless --lr-d is given)")
    n_critic: int = option(5, "critic steps per G step, each on a fresh batch")
    clip: float = option(0.01, "clip every critic weight to [-clip, clip] after each critic step")


class WGAN(UnconditionalRecipe):
    name = 'wgan'
    about = "Wasserstein GAN with weight clipping, RMSprop 5e-5, 5 critic steps"
    Settings = WGANSettings
    critic_batch_norm = False

    def make_optimizer(self, params, lr):
        return optim.RMSprop(list(params), lr=lr)

    def discriminator_terms(self, real, fake):
        return {'wasserstein': losses.wasserstein_critic_loss(self.D(real), self.D(fake))}

    def after_discriminator_step(self):
        optim.clip_weights(self.D, self.settings.clip)

    def generator_loss(self, fake_scores):
        return losses.wasserstein_generator_loss(fake_scores)
