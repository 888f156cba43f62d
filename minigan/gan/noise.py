"""What every noise-driven recipe shares: z, the truncation trick, an EMA of G, lr decay.

Sampling tricks (BigGAN, Brock et al. 2019):

* **EMA of G's weights.** G's weights oscillate with the adversarial game; their exponential
  moving average θ̄ ← β·θ̄ + (1 − β)·θ (``optim.EMA``, updated after every step) sits near the
  middle of the oscillation and usually samples better. ``ema_decay`` β > 0 turns it on, and
  ``generate`` then samples from the averaged weights (training still moves G itself).
* **Truncation.** z ~ N(0, I) truncated to |z_i| ≤ T: every entry beyond T is redrawn. Smaller T
  gives more typical, less varied samples -- fidelity traded for variety, chosen at sampling time.

``lr_decay_steps`` > 0 lowers both learning rates linearly to 0 over that many steps, the
schedule the 2-D mixtures like (a GAN at a fixed lr keeps circling its equilibrium; a shrinking
step lets it settle onto modes 0.01 wide). The decay begins at step ``lr_decay_start``, which
defaults to the step that makes it end with the run: the loop tells the recipe the run's length
(``plan``) before the first step. On 2-D points the decay spans the whole run by default; on
images it spans the last ``image_lr_decay_share`` of the run (0 -- a constant lr -- unless the
recipe says otherwise).

Settings left ``None`` take a value that depends on the data (``data_defaults``): z has 2
entries on 2-D points, 100 on images.
"""
import copy
from dataclasses import dataclass
from typing import Optional

from .. import backend, creation, optim
from ..errors import ArgumentError
from ..tensor import Tensor
from .evaluation import POINT_SAMPLES
from .metrics import mixture_metrics
from .recipe import Recipe, Settings, option


@dataclass
class NoiseSettings(Settings):
    """Options of every recipe whose generator turns noise z into samples."""
    latent_dim: Optional[int] = option(None, "length of the noise z (default: 100 for images, 2 for "
                                             "2-D points)", low=1)
    width: Optional[int] = option(None, "network size: base channels of the conv nets (default 64), "
                                        "or hidden units of the MLP generator (default 200 on 2-D "
                                        "points, 400 on flattened images; D gets half)", low=1)
    ema_decay: float = option(0.0, "keep an exponential moving average of G's weights with this decay "
                                   "and sample from it (0: off)", high=1)
    ema_start: int = option(0, "steps before the average starts averaging (it copies G until then)")
    lr_decay_steps: Optional[int] = option(None, "lower both learning rates linearly to 0 over this many "
                                                 "steps; 0: constant (default: the whole run on 2-D "
                                                 "points, constant on images)", low=0)
    lr_decay_start: Optional[int] = option(None, "the step at which that decay begins, the lr constant "
                                                 "before it (default: the step that makes the decay end "
                                                 "with the run)", low=0)


@dataclass
class AveragedSettings(NoiseSettings):
    """NoiseSettings with BigGAN's EMA of G and a falling lr on by default: the digit recipes that
    must draw the class (or code value) asked for, cgan, acgan and infogan, sample from the
    average and end with the lr decaying over the last half of the run (``image_lr_decay_share``)."""
    ema_decay: float = option(0.999, "decay of the moving average of G's weights that samples are drawn "
                                     "from (0: sample from G itself)")
    ema_start: int = option(1000, "steps before the average starts averaging (it copies G until then)")
    lr_decay_steps: Optional[int] = option(None, "lower both learning rates linearly to 0 over this many "
                                                 "steps; 0: constant (default: the last half of the run)")


def truncated_normal(shape, threshold, device):
    """N(0, 1) draws with every |value| > threshold redrawn until none is (the truncation trick)."""
    if not threshold > 0:
        raise ArgumentError(f"truncation: the threshold must be positive, got {threshold}")
    z = backend.random_normal(shape, backend.float32, 'cpu')
    while True:
        outside = abs(z) > threshold
        count = int(outside.sum())
        if not count:
            return Tensor(backend.to_device(z, device))
        z[outside] = backend.random_normal((count,), backend.float32, 'cpu')


class NoiseRecipe(Recipe):
    """Base of the recipes with a generator G(z, ...): unconditional, cGAN, ACGAN, InfoGAN."""

    Settings = NoiseSettings
    image_latent_dim = 100   # the default z length on images (InfoGAN's is 62)
    image_lr_decay_share = 0.0  # on images, the last share of the run over which the lr decays

    def __init__(self, settings, data, device='cpu'):
        for name, value in self.data_defaults(data).items():
            if getattr(settings, name) is None:
                setattr(settings, name, value)
        super().__init__(settings, data, device)
        s = self.settings
        if s.ema_decay:
            self.extras['ema'] = optim.EMA(self.G, decay=s.ema_decay, start_itr=s.ema_start)
            self._g_ema = copy.deepcopy(self.G)
        if s.lr_decay_steps:
            self._add_lr_decay()

    def data_defaults(self, data):
        """{setting: value} for the settings left None, chosen by the data (2-D points or images)."""
        return {'latent_dim': 2 if data.kind == 'points' else self.image_latent_dim}

    def plan(self, steps):
        """Before the first step of a new run of ``steps`` steps: an unset --lr-decay-steps becomes
        the whole run on 2-D points, and the last ``image_lr_decay_share`` of it on images; an unset
        --lr-decay-start, the step that makes the decay end with the run."""
        s = self.settings
        if s.lr_decay_steps is None:
            share = 1.0 if self.data.kind == 'points' else self.image_lr_decay_share
            s.lr_decay_steps = int(round(share * steps))
            if s.lr_decay_steps:
                self._add_lr_decay()
        if s.lr_decay_start is None:  # (0 when there is no decay: the run's length does not matter)
            s.lr_decay_start = max(0, steps - s.lr_decay_steps) if s.lr_decay_steps else 0

    def _add_lr_decay(self):
        s = self.settings  # read when the schedule moves: plan() may set lr_decay_start after this

        def fall(step):
            start = s.lr_decay_start or 0
            return min(1.0, max(0.0, 1.0 - (step - start) / s.lr_decay_steps))

        for name, opt in self.optimizers.items():
            self.extras[f'lr_decay_{name}'] = optim.lr_scheduler.LambdaLR(opt, fall)

    def noise(self, n):
        """z ~ N(0, I): (n, latent_dim) on the recipe's device."""
        return creation.randn(n, self.settings.latent_dim, device=self.device)

    def after_step(self):
        """The end of every step: fold G into the EMA, move the per-step lr schedules."""
        ema = self.extras.get('ema')
        if ema is not None:
            ema.update(itr=ema.num_updates)
        for name, scheduler in self.extras.items():
            if name.startswith('lr_decay_'):
                scheduler.step()

    def sampling_generator(self):
        """G, or a copy holding the EMA weights when the recipe keeps an EMA."""
        ema = self.extras.get('ema')
        if ema is None:
            return self.G
        ema.copy_to(self._g_ema)
        return self._g_ema

    def latent(self, n, truncation=None):
        """Noise for sampling: plain, or truncated at ``truncation``."""
        if truncation is None:
            return self.noise(n)
        return truncated_normal((n, self.settings.latent_dim), truncation, self.device)

    def fixed_inputs(self, held_out):
        """64 images for a grid, or 2,500 points for a scatter (PacGAN's evaluation size)."""
        return self.sample_inputs(POINT_SAMPLES if self.data.kind == 'points' else 64)

    def evaluate(self, evaluation):
        """2-D: PacGAN's modes / high quality / reverse KL; digits: FD and the classes present."""
        if self.data.kind == 'points':
            samples = self.generate(self.sample_inputs(evaluation.point_samples))
            return mixture_metrics(samples, self.data.name)
        if not evaluation.on_digits:
            return {}
        images = self.generate(self.sample_inputs(evaluation.digit_samples))
        return {**evaluation.digit_quality(images), **evaluation.class_coverage(images)}

    def sample_inputs(self, n, label=None, truncation=None, source=None):
        if label is not None:
            raise ArgumentError(f"{self.name}: --label applies to conditional models (cgan, acgan, infogan); "
                                f"{self.name} is unconditional")
        if source is not None:
            raise ArgumentError(f"{self.name}: --input applies to translation models (cyclegan, pix2pix)")
        return {'z': self.latent(n, truncation)}
