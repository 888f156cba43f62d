"""InfoGAN (Chen et al. 2016): G's input carries codes that must stay readable from its output.

G(z, c) gets noise z (62 values) and codes c: one categorical code of 10 values (one-hot) and 2
continuous ones, U(−1, 1). D has a head Q on its trunk that guesses the codes from the image:
Q(c_cat | x) as 10 logits, Q(c_cont | x) as Gaussian means (σ = 1). Maximizing the mutual
information's lower bound L_I (losses.infogan_categorical_mi, losses.infogan_gaussian_mi) makes
the codes mean something -- without labels, the categorical code tends to pick the digit's class
and the continuous ones its slant and width.

    L_I(x̃) = λ_cat·L_I,cat + λ_cont·L_I,cont      (λ_cat = 1; λ_cont = 0.1: smaller, as the paper)
    D step:    loss_D = BCE_D(D(x), D(x̃))                       (trains D's trunk and real/fake head)
    G/Q step:  loss_G = −E[log D(x̃)]        − L_I(x̃)              (trains G and Q's head)

with x̃ = G(z, c). Two choices decide whether the code comes to mean the digit. Q's head learns
with G (``--q-with G``, as the widely used PyTorch ports do) on a trunk that only the real/fake
loss shapes, so Q reads what D's features see; the paper's code also subtracted L_I from D's
loss, training the shared trunk to read the code (``--q-with D``). And D's 1,024-unit layer
keeps the paper's batch norm. On the 4,500 digits (seed 0, 250 steps of 64): both, code accuracy
56.6%; Q with G but no batch norm, G drew one digit for every input (10%); Q with D and no batch
norm, the same by step 125 (10.5%); Q with D and batch norm, D stayed at chance.

Even so, the code can stay readable by a style rather than by the digit: two code values shared
the 4s and 9s, split by something else (91.1% after 50 epochs at λ_cat = 2). ``--code-warps N``
makes Q read the categorical code from each fake image warped by one of N fixed small affine
warps (gan/warps.py): a style a warp changes -- slant, width, size -- no longer names a code
value, the digit's shape does. The continuous codes are still read from the unwarped image, so
they keep slant and width. The defaults: 16 warps, 40 epochs, the lr falling linearly to 0 over
the last 20, samples from an EMA of G (as cgan's): 95.15% and 95.3% for seeds 0 and 1 (README,
Digits). ``--code-warps 0 --ema-decay 0 --lr-decay-steps 0 --epochs 25`` is the paper's recipe
(82.2%).

The paper's MNIST settings: Adam, lr 2e-4 for D, 1e-3 for G, β1 = 0.5; a fully connected layer
of 1,024 units before G's transposed convolutions and after D's convolutions.
"""
import math
from dataclasses import dataclass

from .. import backend, creation, losses
from ..errors import ArgumentError, DimError
from ..ops.shape import cat
from .metrics import code_accuracy
from .models import ConvGenerator, InfoGANDiscriminator, init_normal
from .models.conv import one_hot
from .noise import AveragedSettings, NoiseRecipe
from .recipe import Parts, balanced_labels, option
from .unconditional import AdamSettings
from .warps import warp_each, warp_matrices


@dataclass
class InfoGANSettings(AveragedSettings, AdamSettings):
    lr: float = option(1e-3, "G's learning rate")
    lr_d: float = option(2e-4, "D's learning rate")
    n_categories: int = option(10, "values of the categorical code", low=1)
    n_continuous: int = option(2, "continuous codes, each U(-1, 1)")
    lambda_cat: float = option(1.0, "weight of the categorical code's information term")
    lambda_cont: float = option(0.1, "weight of the continuous codes' information term")
    hidden: int = option(1024, "units of the fully connected layer before G's convolutions and after "
                               "D's (the paper's MNIST networks)")
    d_hidden_batch_norm: bool = option(True, "batch norm on D's fully connected layer, as the paper's")
    code_warps: int = option(16, "read the categorical code through small random warps: Q reads it from "
                                 "each fake image warped by one of this many fixed affine warps (rotation "
                                 "up to 15 degrees, shear 0.2, zoom 10%%; gan/warps.py), so that the code "
                                 "cannot stand for a slant or a width; 0: off, as the paper")
    q_with: str = option('G', "which loss trains Q's head: G (G's loss, at G's lr; D's trunk learns "
                              "from the real/fake loss only) or D (D's loss, at D's lr, with the "
                              "shared trunk, as the paper's code)", choices=('G', 'D'))


class InfoGAN(NoiseRecipe):
    name = 'infogan'
    about = "InfoGAN: a 10-way categorical and 2 continuous codes, readable by a Q head on D"
    Settings = InfoGANSettings
    kinds = ('labelled',)  # images of digits; it never reads their labels
    default_epochs = 40  # 2,800 steps of 64: the code still sharpens after 20 (README, Digits)
    image_lr_decay_share = 0.5
    image_latent_dim = 62

    def build(self):
        s, (c, size, _) = self.settings, self.data.shape
        width = s.width or 64
        codes = s.n_categories + s.n_continuous
        G = init_normal(ConvGenerator(s.latent_dim + codes, c, size, width, hidden=s.hidden))
        D = init_normal(InfoGANDiscriminator(c, size, width, s.n_categories, s.n_continuous, s.hidden,
                                             s.d_hidden_batch_norm))
        self.warps = warp_matrices(size, s.code_warps, self.device) if s.code_warps else None
        q = list(D.q.parameters()) if s.q_with == 'G' else []
        d = [p for p in D.parameters() if all(p is not other for other in q)]
        return Parts({'G': G, 'D': D}, {'G': self.adam(list(G.parameters()) + q, s.lr, s.betas),
                                        'D': self.adam(d, s.d_lr, s.betas)})

    def information(self, q_cat, q_cont, category, continuous):
        """λ_cat·L_I,cat + λ_cont·L_I,cont; the prior of the U(−1, 1) codes has entropy log 2 each."""
        s = self.settings
        info = s.lambda_cat * losses.infogan_categorical_mi(q_cat, category)
        if s.n_continuous:
            prior = s.n_continuous * math.log(2.0)
            info = info + s.lambda_cont * losses.infogan_gaussian_mi(q_cont, None, continuous, prior)
        return info

    def generator_input(self, z, category, continuous):
        return cat([z, one_hot(category, self.settings.n_categories, z.dtype), continuous], 1)

    def random_codes(self, n):
        s = self.settings
        category = creation.randint(0, s.n_categories, (n,), device=self.device)
        return category, creation.rand(n, s.n_continuous, device=self.device) * 2 - 1

    def step(self, batches):
        real = next(batches)[0]
        category, continuous = self.random_codes(real.shape[0])
        fake = self.G(self.generator_input(self.noise(real.shape[0]), category, continuous))
        real_logit, _, _ = self.D(real)
        fake_logit, q_cat, q_cont = self.D(fake.detach())
        loss_d = losses.bce_discriminator_loss(real_logit, fake_logit)
        if self.settings.q_with == 'D':
            loss_d = loss_d - self.information(q_cat, q_cont, category, continuous)
        self.optimizers['D'].zero_grad()
        loss_d.backward()
        self.optimizers['D'].step()
        with self.frozen(self.D.trunk), self.frozen(self.D.head):
            fake_logit, q_cat, q_cont = self.D(fake)
            if self.warps is not None:  # the categorical code, read through a warp of each image
                _, q_cat, _ = self.D(warp_each(fake, self.warps))
            info_g = self.information(q_cat, q_cont, category, continuous)
            loss_g = losses.bce_generator_loss(fake_logit) - info_g
            self.optimizers['G'].zero_grad()
            loss_g.backward()
        self.optimizers['G'].step()
        self.after_step()
        return {'loss_d': loss_d.item(), 'loss_g': loss_g.item(), 'info': info_g.item()}

    def sample_inputs(self, n, label=None, truncation=None, source=None):
        """``label`` fixes the categorical code (its digit is whatever the model learned it means)."""
        s = self.settings
        if source is not None:
            raise ArgumentError("infogan: --input applies to translation models (cyclegan, pix2pix)")
        if label is None:
            category = balanced_labels(n, s.n_categories, self.device)
        elif not 0 <= label < s.n_categories:
            raise DimError(f"infogan: --label {label} is not a value of the categorical code; expected "
                           f"0 to {s.n_categories - 1}")
        else:
            category = creation.full((n,), label, dtype=backend.int64, device=self.device)
        _, continuous = self.random_codes(n)
        return {'z': self.latent(n, truncation), 'category': category, 'continuous': continuous}

    def fixed_inputs(self, held_out):
        """A row per categorical value; along a row the first continuous code goes from −1 to 1; one z."""
        s, columns = self.settings, 8
        n = s.n_categories * columns
        category = balanced_labels(n, s.n_categories, self.device)
        sweep = creation.linspace(-1.0, 1.0, columns, device=self.device).repeat(s.n_categories)
        continuous = creation.zeros(n, s.n_continuous, device=self.device)
        if s.n_continuous:
            continuous = cat([sweep.reshape(n, 1), continuous[:, 1:]], 1)
        z = self.noise(1).expand(n, s.latent_dim)
        return {'z': z, 'category': category, 'continuous': continuous}

    def generate(self, inputs):
        x = self.generator_input(inputs['z'], inputs['category'], inputs['continuous'])
        return self.frozen_forward(self.sampling_generator(), x)

    def layout(self, inputs, outputs):
        return outputs, 8

    def evaluate(self, evaluation):
        """How well the categorical code names the digit (best one-to-one match), and the FD."""
        if not evaluation.on_digits:
            return {}
        inputs = self.sample_inputs(evaluation.digit_samples)
        images = self.generate(inputs)
        read = evaluation.scorer.predict(images)
        return {'code_accuracy': code_accuracy(inputs['category'], read), **evaluation.digit_quality(images)}
