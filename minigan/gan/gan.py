"""The original GAN (Goodfellow et al. 2014): fully connected G and D and the minimax BCE game.

    D step:  loss_D = −E[log D(x)] − E[log(1 − D(G(z)))]         (losses.bce_discriminator_loss)
    G step:  loss_G = −E[log D(G(z))]      non-saturating (default)
             loss_G =  E[log(1 − D(G(z)))]  with --saturating: the game's own term, whose gradient
                                            vanishes while D rejects the fakes (try it on ring8)

Networks: PacGAN's MLPs (G 4 hidden ReLU layers, D 3 maxout layers of half G's width, 5 pieces).
On flattened images: G 4 × 400 with batch norm, Adam lr 1e-4, batch 100, as PacGAN.

On the 2-D mixtures the defaults are tuned to be right within minutes on a CPU: PacGAN-2
(``--pack 2``), G 4 × 200 without batch norm, Adam lr 1e-3 falling linearly to 0 over the run,
4,000 steps of 100. In our runs on ring8 (seed 0) PacGAN's own set-up (G 4 × 400 with batch
norm, a fixed lr 1e-4) had 0.9% of its samples within 3σ of a mode after 300 steps; PacGAN-2 at
width 200 with lr 1e-3 falling to 0 over 2,000 steps had 63% with batch norm in G and 84%
without, and 91% without over 4,000 steps; over 10 seeds the defaults find all 8 modes with
93.4% of samples high quality (README, Quality, has the seeds' table).

grid25 (modes 2 apart on ±4, σ 0.05) with the ring's recipe: 2.6% after 4,000 steps, 23.4% after
16,000 -- D's loss stays at log 4 until the lr has fallen below ~4e-4. Its defaults add three
things (``GRID_DEFAULTS``): the MLPs see the data divided by 4 (``--data-scale``), D's lr is 3e-3
(3 x G's), and D's batches grow from 1 to 10 batches joined over the lr's second half
(``--batch-growth``). Seed 0: 25 modes, 73.8% high quality, reverse KL 0.090 after 6,000 steps
(119 CPU seconds); 25 modes, 94.4%, 0.013 after 12,000 (218 CPU seconds), grid25's default
length (``default_length``: counted in steps, since 4 epochs of growing batches hold only 1,231).
"""
from dataclasses import dataclass
from typing import Optional

from .. import losses
from ..ops.shape import cat
from .recipe import option
from .unconditional import AdamSettings, UnconditionalRecipe, UnconditionalSettings


@dataclass
class GANSettings(UnconditionalSettings, AdamSettings):
    batch_size: int = option(100, "examples per batch")
    lr: Optional[float] = option(None, "learning rate (of G; of D too unless --lr-d is given; default: "
                                       "1e-3 on 2-D points, 1e-4 on images)")
    pack: Optional[int] = option(None, "PacGAN packing: D judges this many samples jointly; 1: off "
                                       "(default: 2 on 2-D points, 1 on images)")
    batch_growth: Optional[int] = option(None, "D's real and fake batches grow as the lr falls below half "
                                               "its start, linearly to this many times --batch-size at "
                                               "the end (default: 10 on grid25, 1 -- off -- elsewhere)",
                                         low=1)
    saturating: bool = option(False, "G minimizes log(1 - D(G(z))), the minimax game's own term, "
                                     "instead of the non-saturating -log D(G(z))")


class GAN(UnconditionalRecipe):
    name = 'gan'
    about = "the original GAN: MLPs, minimax BCE (non-saturating G loss)"
    Settings = GANSettings
    default_data = 'ring8'
    conv = False
    default_epochs = 4

    # grid25 (modes 2 apart on ±4, σ 0.05): D resolves the modes late, G's points are imprecise
    GRID_DEFAULTS = {'data_scale': 4.0, 'lr_d': 3e-3, 'batch_growth': 10}
    GRID_STEPS = 12_000  # seed 0: 73.8% high quality after 6,000 steps, 94.4% after 12,000

    @classmethod
    def default_length(cls, data_name):
        return {'steps': cls.GRID_STEPS} if data_name == 'grid25' else super().default_length(data_name)

    def data_defaults(self, data):
        points = data.kind == 'points'
        defaults = {**super().data_defaults(data), 'lr': 1e-3 if points else 1e-4, 'pack': 2 if points else 1,
                    'batch_growth': 1}
        return {**defaults, **(self.GRID_DEFAULTS if data.name == 'grid25' else {})}

    @property
    def batches_per_step(self):
        """k grows from 1 to K over the lr's second half: (1 + (1 + K) / 2) / 2 batches a D step on
        average, so that a run given in epochs plans the steps those epochs hold."""
        return self.settings.n_critic * (3 + self.settings.batch_growth) / 4

    def real_batch(self, batches):
        """k batches joined, k = 1 until the lr has fallen to half its start, then growing linearly
        to --batch-growth as it falls to 0: less noise in D's and G's gradients at the end, where
        the points settle onto modes 3σ = 0.15 wide. Read from the lr, it resumes exactly."""
        s = self.settings
        fallen = 1 - self.optimizers['G'].param_groups[0]['lr'] / s.lr  # 0 at the start, 1 at the end
        k = 1 + int(round((s.batch_growth - 1) * max(0.0, 2 * fallen - 1)))
        parts = [next(batches)[0] for _ in range(k)]
        return parts[0] if k == 1 else cat(parts)

    def discriminator_terms(self, real, fake):
        return {'bce': losses.bce_discriminator_loss(self.D(real), self.D(fake))}

    def generator_loss(self, fake_scores):
        return losses.bce_generator_loss(fake_scores, saturating=self.settings.saturating)
