"""The hinge GAN with BigGAN's tricks (Brock et al. 2019; SNGAN, Miyato et al. 2018).

    D step (2 per G step):  loss_D = E[relu(1 − D(x))] + E[relu(1 + D(G(z)))]
                            (losses.hinge_discriminator_loss)
    G step:                 loss_G = −E[D(G(z))]   (losses.hinge_generator_loss)

    * spectral normalization on every layer of D (each layer 1-Lipschitz; no batch norm in D);
    * two D steps per G step, and D's learning rate 4× G's (BigGAN: 4e-4 and 1e-4, β = (0, 0.999));
    * an EMA of G's weights, which ``generate`` samples from;
    * the truncation trick at sampling time: ``python -m minigan sample --truncation 0.5 ...``.

BigGAN averages with decay 0.9999 from iteration 20,000 of runs of 100,000+ steps; runs here are
a few thousand steps, so the defaults are 0.999 from step 1,000 (the same horizon relative to
the run).
"""
from dataclasses import dataclass

from .. import losses
from .recipe import option
from .unconditional import AdamSettings, UnconditionalRecipe, UnconditionalSettings


@dataclass
class HingeSettings(UnconditionalSettings, AdamSettings):
    lr: float = option(1e-4, "G's learning rate")
    lr_d: float = option(4e-4, "D's learning rate")
    betas: tuple = option((0.0, 0.999), "Adam's (beta1, beta2)")
    n_critic: int = option(2, "D steps per G step, each on a fresh batch")
    ema_decay: float = option(0.999, "decay of the moving average of G's weights that samples are drawn "
                                     "from (0: sample from G itself)")
    ema_start: int = option(1000, "steps before the average starts averaging (it copies G until then)")


class Hinge(UnconditionalRecipe):
    name = 'hinge'
    about = "hinge loss, spectral norm in D, 2 D steps, EMA of G, truncation (BigGAN's tricks)"
    Settings = HingeSettings
    critic_batch_norm = False
    spectral_norm = True

    def discriminator_terms(self, real, fake):
        return {'hinge': losses.hinge_discriminator_loss(self.D(real), self.D(fake))}

    def generator_loss(self, fake_scores):
        return losses.hinge_generator_loss(fake_scores)
