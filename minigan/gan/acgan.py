"""ACGAN (Odena et al. 2017): D tells real from fake *and* names the class.

G(z, y) is the conditional generator; D(x) has two heads on one trunk: a real/fake logit and K
class logits. The class loss (losses.acgan_class_loss, a cross-entropy) is added on both sides:

    D step:  loss_D = BCE_D(D(x), D(G(z, y')))  +  CE(class(x), y)  [+  CE(class(G(z, y')), y')]
    G step:  loss_G = −E[log D(G(z, y'))]       +  CE(class(G(z, y')), y')

y: the real labels; y' ~ uniform: the labels G is asked for. Unlike the cGAN's D, this D never
sees the label as input: it has to *recognize* the class, and G is rewarded for images whose class
is easy to recognize. DCGAN's Adam 2e-4, β1 = 0.5 and N(0, 0.02) init; half its width, batches
of 32 (conditional.py says why).

One change from the paper, ``--no-fake-class-loss`` by default: D's class head learns from the
real digits only (the CE(class(G(z, y')), y') term leaves D's loss; G's loss keeps it). With the
term, D is taught to read G's threes as threes whatever they look like, and G drifts to shapes
only its own D reads so: after 40 epochs 49% of its threes were read as 3 by our digit scorer
(as 0, 5 or 6 instead), while D's class head was sure of G's digits (cross-entropy 0.004).
Without the term, 76% of the threes and 95.25% of all digits (README, "Digits").
"""
from dataclasses import dataclass

from .. import losses
from .conditional import ConditionalRecipe, ConditionalSettings
from .models import ACGANDiscriminator
from .recipe import option


@dataclass
class ACGANSettings(ConditionalSettings):
    fake_class_loss: bool = option(False, "D's class head also learns G's images with the labels G was "
                                          "asked for, as in the paper (off: from the real digits only)")


class ACGAN(ConditionalRecipe):
    name = 'acgan'
    about = "auxiliary-classifier GAN: D also predicts the class"
    Settings = ACGANSettings
    Discriminator = ACGANDiscriminator

    def step(self, batches):
        real, labels = next(batches)
        wanted = self.random_labels(real.shape[0])
        fake = self.G(self.noise(real.shape[0]), wanted)
        (real_logit, real_class), (fake_logit, fake_class) = self.D(real), self.D(fake.detach())
        class_d = losses.acgan_class_loss(real_class, labels)
        if self.settings.fake_class_loss:
            class_d = class_d + losses.acgan_class_loss(fake_class, wanted)
        loss_d = losses.bce_discriminator_loss(real_logit, fake_logit) + class_d
        self.optimizers['D'].zero_grad()
        loss_d.backward()
        self.optimizers['D'].step()
        with self.frozen(self.D):
            fake_logit, fake_class = self.D(fake)
            class_g = losses.acgan_class_loss(fake_class, wanted)
            loss_g = losses.bce_generator_loss(fake_logit) + class_g
            self.optimizers['G'].zero_grad()
            loss_g.backward()
        self.optimizers['G'].step()
        self.after_step()
        return {'loss_d': loss_d.item(), 'loss_g': loss_g.item(),
                'd_class': class_d.item(), 'g_class': class_g.item()}
