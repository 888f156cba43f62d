"""WGAN-GP (Gulrajani et al. 2017): the Wasserstein critic kept Lipschitz by a gradient penalty.

    critic step (n_critic = 5 per G step), x̂ = εx + (1 − ε)G(z), ε ~ U[0, 1] per sample:
        loss_C = E[C(G(z))] − E[C(x)] + λ·E[(‖∇ₓ̂ C(x̂)‖₂ − 1)²]     (λ = 10)
                 (losses.wasserstein_critic_loss + losses.gradient_penalty)
    G step:  loss_G = −E[C(G(z))]

The penalty differentiates the critic's gradient, so its backward runs through a backward pass
(double backprop). No batch norm in the critic: the penalty is per sample. Published (the
authors' MNIST code): Adam, lr 1e-4, betas (0.5, 0.9).
"""
from dataclasses import dataclass

from .. import losses
from .recipe import option
from .unconditional import AdamSettings, UnconditionalRecipe, UnconditionalSettings


@dataclass
class WGANGPSettings(UnconditionalSettings, AdamSettings):
    lr: float = option(1e-4, "learning rate (of G; of the critic too unless --lr-d is given)")
    betas: tuple = option((0.5, 0.9), "Adam's (beta1, beta2)")
    n_critic: int = option(5, "critic steps per G step, each on a fresh batch")
    lambda_gp: float = option(10.0, "weight of the gradient penalty")


class WGANGP(UnconditionalRecipe):
    name = 'wgan-gp'
    about = "Wasserstein GAN with gradient penalty (lambda 10), Adam 1e-4 (0.5, 0.9), 5 critic steps"
    Settings = WGANGPSettings
    critic_batch_norm = False

    def discriminator_terms(self, real, fake):
        return {'wasserstein': losses.wasserstein_critic_loss(self.D(real), self.D(fake)),
                'penalty': losses.gradient_penalty(self.D, real, fake, weight=self.settings.lambda_gp)}

    def generator_loss(self, fake_scores):
        return losses.wasserstein_generator_loss(fake_scores)
