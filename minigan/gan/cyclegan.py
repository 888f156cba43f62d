"""CycleGAN (Zhu et al. 2017): translate between two domains A and B without paired examples.

Two generators, G_AB: A → B and G_BA: B → A (ResNet generators), and two PatchGAN
discriminators, D_A and D_B, each judging its own domain, all with least-squares losses. For a
thin digit a and an unrelated bold digit b:

    G step (both generators, Ds frozen):
        loss_G = MSE(D_B(G_AB(a)), 1) + MSE(D_A(G_BA(b)), 1)                    adversarial
               + λ_cyc·(|G_BA(G_AB(a)) − a|₁ + |G_AB(G_BA(b)) − b|₁)            cycle (λ_cyc = 10)
               + λ_id·(|G_AB(b) − b|₁ + |G_BA(a) − a|₁)                         identity
    D step:
        loss_D = LS_D(D_A(a), D_A(pool_A(G_BA(b)))) + LS_D(D_B(b), D_B(pool_B(G_AB(a))))

MSE(s, 1) = E[(s − 1)²] is 2·losses.lsgan_generator_loss (CycleGAN's code uses the plain mean
squared error, and λ_cyc is set against it); LS_D = losses.lsgan_discriminator_loss, which is
CycleGAN's ½(MSE real + MSE fake). The cycle terms (losses.cycle_consistency_loss) forbid
translations that lose the input: a bold version of *this* digit, not of any digit. The identity
terms (losses.identity_loss; λ_id = 0.5·λ_cyc) keep an image already in the target domain as it is.
pool_A, pool_B: 50-image history pools (history.py).

Published: Adam 2e-4, β1 = 0.5, batch size 1, lr constant for n_epochs then decaying linearly
over n_epochs_decay (100 + 100 on ~1,000 images of 256²; here 2 + 2 epochs of 2,250 digits).
"""
from dataclasses import dataclass

from .. import losses, optim
from ..ops.shape import cat
from .history import HistoryPool
from .metrics import cycle_l1, held_out_l1
from .models import PatchDiscriminator, ResnetGenerator, init_normal
from .recipe import Parts, Settings, option
from .translation import TranslationRecipe
from .unconditional import AdamSettings


@dataclass
class CycleGANSettings(Settings, AdamSettings):
    batch_size: int = option(1, "examples per batch")
    width: int = option(32, "filters of the generators' first layer (k) and of the discriminators' "
                            "(paper: 64)", low=1)
    n_blocks: int = option(6, "residual blocks in each generator (paper: 9 at 256², 6 at 128²)")
    d_layers: int = option(1, "stride-2 layers of the PatchGAN discriminators (1: 16x16 patches)")
    lambda_cycle: float = option(10.0, "weight of the cycle-consistency L1 terms")
    lambda_identity: float = option(0.5, "weight of the identity L1 terms, as a fraction of lambda_cycle")
    pool_size: int = option(50, "generated images kept in each discriminator's history pool (0: off)")
    n_epochs: int = option(2, "epochs at the initial learning rate")
    n_epochs_decay: int = option(2, "epochs over which the learning rate then decays linearly")


class CycleGAN(TranslationRecipe):
    name = 'cyclegan'
    about = "CycleGAN: thin <-> bold digits without pairs; LSGAN, cycle and identity L1, history pools"
    Settings = CycleGANSettings
    kinds = ('unpaired',)
    translator = 'G_AB'

    def build(self):
        s, channels = self.settings, self.data.shape[0]
        nets = {'G_AB': ResnetGenerator(channels, channels, s.width, s.n_blocks),
                'G_BA': ResnetGenerator(channels, channels, s.width, s.n_blocks),
                'D_A': PatchDiscriminator(channels, s.width, s.d_layers),
                'D_B': PatchDiscriminator(channels, s.width, s.d_layers)}
        for net in nets.values():
            init_normal(net)
        generators = list(nets['G_AB'].parameters()) + list(nets['G_BA'].parameters())
        discriminators = list(nets['D_A'].parameters()) + list(nets['D_B'].parameters())
        opts = {'G': self.adam(generators, s.lr, s.betas), 'D': self.adam(discriminators, s.d_lr, s.betas)}
        schedules = {name: optim.lr_scheduler.LinearDecayLR(opt, s.n_epochs, s.n_epochs_decay)
                     for name, opt in opts.items()}
        return Parts(nets, opts, schedules,
                     {'pool_A': HistoryPool(s.pool_size), 'pool_B': HistoryPool(s.pool_size)})

    def step(self, batches):
        s = self.settings
        a, b = next(batches)
        with self.frozen(self.D_A), self.frozen(self.D_B):
            fake_b, fake_a = self.G_AB(a), self.G_BA(b)
            adversarial = 2 * (losses.lsgan_generator_loss(self.D_B(fake_b)) +
                               losses.lsgan_generator_loss(self.D_A(fake_a)))
            cycle = s.lambda_cycle * (losses.cycle_consistency_loss(a, self.G_BA(fake_b)) +
                                      losses.cycle_consistency_loss(b, self.G_AB(fake_a)))
            loss_g = adversarial + cycle
            identity = None
            if s.lambda_identity:
                identity = s.lambda_identity * s.lambda_cycle * (losses.identity_loss(b, self.G_AB(b)) +
                                                                 losses.identity_loss(a, self.G_BA(a)))
                loss_g = loss_g + identity
            self.optimizers['G'].zero_grad()
            loss_g.backward()
        self.optimizers['G'].step()
        pool_a = self.extras['pool_A'].query(fake_a.detach())
        pool_b = self.extras['pool_B'].query(fake_b.detach())
        loss_d = (losses.lsgan_discriminator_loss(self.D_A(a), self.D_A(pool_a)) +
                  losses.lsgan_discriminator_loss(self.D_B(b), self.D_B(pool_b)))
        self.optimizers['D'].zero_grad()
        loss_d.backward()
        self.optimizers['D'].step()
        logged = {'loss_d': loss_d.item(), 'loss_g': loss_g.item(), 'g_adversarial': adversarial.item(),
                  'g_cycle': cycle.item()}
        if identity is not None:
            logged['g_identity'] = identity.item()
        return logged

    def evaluate(self, evaluation):
        """Held-out: L1 of G_AB(a) to the true bold b, and of both round trips to where they began."""
        a, b = evaluation.pairs()
        forward = lambda x: self.frozen_forward(self.G_AB, x)  # noqa: E731
        backward = lambda x: self.frozen_forward(self.G_BA, x)  # noqa: E731
        return {'l1': held_out_l1(forward, a, b), 'cycle_l1_a': cycle_l1(forward, backward, a),
                'cycle_l1_b': cycle_l1(backward, forward, b)}

    def layout(self, inputs, outputs):
        """Rows: thin a, G_AB(a), G_BA(G_AB(a)); bold b, G_BA(b), G_AB(G_BA(b))."""
        b = inputs.get('target')
        rows = [inputs['source'], outputs, self.frozen_forward(self.G_BA, outputs)]
        if b is not None:
            back = self.frozen_forward(self.G_BA, b)
            rows += [b, back, self.frozen_forward(self.G_AB, back)]
        return cat(rows, 0), outputs.shape[0]
