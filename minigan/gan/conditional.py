"""What the class-conditional recipes (cgan, acgan) share: labels for G and a row per class.

G(z, y) gets the one-hot label joined to its noise. During training the labels asked of G are
drawn uniformly (each class equally often, whatever the batch's real labels are); for pictures
and for ``minigan sample`` they come in class order, n/K of each, so a grid shows a row per class.

Defaults tuned on the shipped digits (README, "Quality"): DCGAN's networks at half width (32 base
filters) and batches of 32 -- an example seen costs about a quarter of the arithmetic of width 64
and batch 64, so four times the steps fit in the same time -- for 40 epochs (5,600 steps, about
4 CPU-minutes), sampling from an EMA of G (decay 0.999 from step 1,000, BigGAN's trick), with
both learning rates falling linearly to 0 over the last half of the run. The 5 epochs of DCGAN's
setting (350 steps of 64) left half the samples unreadable as their label; 20 epochs with a
constant lr and G itself, 14% (cgan) and 12% (acgan); cgan.py and acgan.py say what took both
to 99% (README, "Digits").
"""
from dataclasses import dataclass
from typing import Optional

from .. import backend, creation
from ..errors import ArgumentError, DimError
from .models import ConvGenerator, init_normal
from .noise import AveragedSettings, NoiseRecipe
from .recipe import Parts, balanced_labels, option
from .unconditional import AdamSettings


@dataclass
class ConditionalSettings(AveragedSettings, AdamSettings):
    batch_size: int = option(32, "examples per batch")
    width: Optional[int] = option(32, "base channels of the conv nets (DCGAN's is 64)")


class ConditionalRecipe(NoiseRecipe):
    kinds = ('labelled',)
    default_epochs = 40
    image_lr_decay_share = 0.5
    Settings = ConditionalSettings
    Discriminator = None    # D's class: Discriminator(channels, img_size, width, n_classes=K)

    def build(self):
        s, (c, size, _), k = self.settings, self.data.shape, self.data.n_classes
        G = init_normal(ConvGenerator(s.latent_dim, c, size, s.width, n_classes=k))
        D = init_normal(self.Discriminator(c, size, s.width, n_classes=k))
        return Parts({'G': G, 'D': D}, {'G': self.adam(G.parameters(), s.lr, s.betas),
                                        'D': self.adam(D.parameters(), s.d_lr, s.betas)})

    @property
    def n_classes(self):
        return self.data.n_classes

    def random_labels(self, n):
        return creation.randint(0, self.n_classes, (n,), device=self.device)

    def sample_inputs(self, n, label=None, truncation=None, source=None):
        if source is not None:
            raise ArgumentError(f"{self.name}: --input applies to translation models (cyclegan, pix2pix)")
        if label is None:
            labels = balanced_labels(n, self.n_classes, self.device)
        elif not 0 <= label < self.n_classes:
            raise DimError(f"{self.name}: --label {label} is not a class of this model; expected "
                           f"0 to {self.n_classes - 1}")
        else:
            labels = creation.full((n,), label, dtype=backend.int64, device=self.device)
        return {'z': self.latent(n, truncation), 'labels': labels}

    def fixed_inputs(self, held_out):
        return self.sample_inputs(8 * self.n_classes)

    def generate(self, inputs):
        return self.frozen_forward(self.sampling_generator(), inputs['z'], inputs['labels'])

    def evaluate(self, evaluation):
        """The share of samples the digit scorer reads as the class asked for, and the FD."""
        if not evaluation.on_digits:
            return {}
        inputs = self.sample_inputs(evaluation.digit_samples)
        images = self.generate(inputs)
        return {'label_accuracy': evaluation.scorer.label_accuracy(images, inputs['labels']),
                **evaluation.digit_quality(images)}

    def layout(self, inputs, outputs):
        n = outputs.shape[0]
        balanced = n % self.n_classes == 0 and bool((inputs['labels'] == balanced_labels(
            n, self.n_classes, self.device)).all())
        return outputs, (n // self.n_classes if balanced else 8)
