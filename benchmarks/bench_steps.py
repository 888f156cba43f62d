"""Whole-step benchmark: one GAN training step in minigan against the same step in PyTorch CPU.

Two steps of a 28x28 DCGAN, batch 64, on the shipped digits (``minigan.data.digits``):

    dcgan      D: Adam step on BCE-with-logits of D(x) vs 1 and D(G(z).detach()) vs 0;
               G: Adam step on BCE of D(G(z)) vs 1 (the non-saturating loss), reusing G(z).
               Adam lr 2e-4, betas (0.5, 0.999); G and D as below, D with batch norm.
    wgan_gp    one critic step of WGAN-GP: fakes G(z) under no_grad, then an Adam step on
               mean D(fake) - mean D(x) + 10 E[(|grad_x^ D(x^)|_2 - 1)^2], x^ = e x + (1 - e) fake,
               the gradient taken with create_graph=True. The critic is D without batch norm.

    G  Linear(64, 128*7*7) -> (128, 7, 7) -> BatchNorm2d -> ReLU
       -> ConvTranspose2d(128, 64, 4, 2, 1) -> BatchNorm2d -> ReLU -> ConvTranspose2d(64, 1, 4, 2, 1) -> Tanh
    D  Conv2d(1, 64, 4, 2, 1) -> LeakyReLU(0.2) -> Conv2d(64, 128, 4, 2, 1) [-> BatchNorm2d]
       -> LeakyReLU(0.2) -> Flatten -> Linear(6272, 1)

Both libraries start from the same weights (minigan's, copied into torch) and the same batches,
so their first losses agree (printed as a check). The two steps are timed alternately, one
minigan step then one torch step, round after round, in this one process: both meet the same
machine load, and neither gets a pause the other did not. The script sets no environment
variable: it runs the way a user's training script runs.

    python benchmarks/bench_steps.py            # both steps, median of 20 after 3 warm-up
    python benchmarks/bench_steps.py --quick    # batch 4, a few repeats: a smoke run
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

import numpy as np  # noqa: E402

import minigan as mg  # noqa: E402
from minigan import backend  # noqa: E402
from minigan.data import digits  # noqa: E402

try:
    import torch
except ImportError:  # the minigan column still runs
    torch = None

LATENT = 64
STEPS = ('dcgan', 'wgan_gp')


# ----------------------------------------------------------------------------- the networks
def generator(nn):
    return nn.Sequential(
        nn.Linear(LATENT, 128 * 7 * 7), nn.Unflatten(1, (128, 7, 7)), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())


def discriminator(nn, batch_norm=True):
    norm = [nn.BatchNorm2d(128)] if batch_norm else []
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), *norm,
        nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 7 * 7, 1))


# ----------------------------------------------------------------------------- one library's side
class Side:
    """What a step needs from a library: its nn, optim, BCE and grad, and tensors from arrays."""

    def __init__(self, lib, device):
        self.lib, self.device = lib, device
        self.is_torch = lib is torch
        self.nn = lib.nn
        functional = lib.nn.functional
        self.bce = functional.binary_cross_entropy_with_logits
        self.grad = torch.autograd.grad if self.is_torch else mg.grad

    def tensor(self, array):
        return torch.from_numpy(array) if self.is_torch else mg.tensor(array, device=self.device)

    def adam(self, module):
        return self.lib.optim.Adam(module.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def no_grad(self):
        return self.lib.no_grad()


def copy_weights(source, target):
    """Load a minigan module's parameters and buffers into the torch module of the same layout."""
    state = {k: torch.from_numpy(backend.to_numpy(v.array).copy()) for k, v in source.state_dict().items()}
    target.load_state_dict(state)


def dcgan_step(side, nets, batch):
    """One D step and one G step; returns (loss_D, loss_G) as floats."""
    G, D, opt_g, opt_d = nets
    real, z, ones, zeros = batch
    opt_d.zero_grad()
    fake = G(z)
    loss_d = side.bce(D(real), ones) + side.bce(D(fake.detach()), zeros)
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad()
    loss_g = side.bce(D(fake), ones)
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


def wgan_gp_step(side, nets, batch, weight=10.0):
    """One critic step with the gradient penalty; returns (loss_critic,) as a float."""
    G, D, _, opt_d = nets
    real, z, eps = batch
    with side.no_grad():
        fake = G(z)
    opt_d.zero_grad()
    x_hat = (eps * real + (1.0 - eps) * fake).requires_grad_(True)
    (g,) = side.grad(D(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((g.reshape(g.shape[0], -1).norm(dim=1) - 1.0) ** 2).mean()
    loss = D(fake).mean() - D(real).mean() + weight * penalty
    loss.backward()
    opt_d.step()
    return (loss.item(),)


def build(kind, batch_size, device, seed=0):
    """{'minigan': (step, side, nets, batch), 'torch': ...} with equal weights and batches."""
    mg.manual_seed(seed)
    rng = np.random.default_rng(seed)
    images = backend.to_numpy(digits('train').tensors[0].array[:batch_size])
    if images.shape[0] < batch_size:  # a smoke run's tiny batch always fits; a huge one repeats
        images = np.resize(images, (batch_size,) + images.shape[1:])
    arrays = [np.ascontiguousarray(images), rng.standard_normal((batch_size, LATENT)).astype(np.float32)]
    if kind == 'dcgan':
        arrays += [np.ones((batch_size, 1), np.float32), np.zeros((batch_size, 1), np.float32)]
        step = dcgan_step
    else:
        arrays += [rng.uniform(size=(batch_size, 1, 1, 1)).astype(np.float32)]
        step = wgan_gp_step
    sides = {}
    mg_side = Side(mg, device)
    G, D = generator(mg.nn).to(device), discriminator(mg.nn, batch_norm=kind == 'dcgan').to(device)
    sides['minigan'] = (step, mg_side, (G, D, mg_side.adam(G), mg_side.adam(D)),
                        [mg_side.tensor(a) for a in arrays])
    if torch is not None:
        t_side = Side(torch, 'cpu')
        tG, tD = generator(torch.nn), discriminator(torch.nn, batch_norm=kind == 'dcgan')
        copy_weights(G, tG)
        copy_weights(D, tD)
        sides['torch'] = (step, t_side, (tG, tD, t_side.adam(tG), t_side.adam(tD)),
                          [t_side.tensor(a.copy()) for a in arrays])
    return sides


# ----------------------------------------------------------------------------- timing
def synchronizer(device):
    """A function that waits for the GPU (nothing to wait for on the CPU, or without CuPy)."""
    if device != 'cuda':
        return lambda: None
    try:
        return backend.module_for('cuda').cuda.get_current_stream().synchronize
    except AttributeError:  # the test suite's stand-in for CuPy
        return lambda: None


def time_steps(kind, batch_size=64, device='cpu', repeats=20, warmup=3):
    """Median, min and max seconds per step of each library, timed alternately; first losses."""
    sides = build(kind, batch_size, device)
    syncs = {'minigan': synchronizer(device), 'torch': lambda: None}
    first = {name: step(side, nets, batch) for name, (step, side, nets, batch) in sides.items()}
    for _ in range(warmup - 1):
        for step, side, nets, batch in sides.values():
            step(side, nets, batch)
    times = {name: [] for name in sides}
    for _ in range(repeats):
        for name, (step, side, nets, batch) in sides.items():
            start = time.perf_counter()
            step(side, nets, batch)
            syncs[name]()
            times[name].append(time.perf_counter() - start)
    row = dict(step=kind, batch=batch_size, first_losses={k: list(v) for k, v in first.items()})
    for name, t in times.items():
        row[f'{name}_ms'] = 1e3 * statistics.median(t)
        row[f'{name}_range_ms'] = [1e3 * min(t), 1e3 * max(t)]
    row['ratio'] = row['minigan_ms'] / row['torch_ms'] if 'torch_ms' in row else None
    return row


def run(device='cpu', quick=False, repeats=None, warmup=None, steps=STEPS):
    """Rows for the steps asked for (torch on one thread per core, as its default)."""
    repeats, warmup = repeats or (2 if quick else 20), warmup or (1 if quick else 3)
    return [time_steps(kind, 4 if quick else 64, device, repeats, warmup) for kind in steps]


def print_rows(rows):
    print(f"{'step':10} {'minigan ms (range)':>24} {'torch ms (range)':>24} {'ratio':>6}   first losses mg / torch")
    for r in rows:
        cells = []
        for side in ('minigan', 'torch'):
            if f'{side}_ms' in r:
                cells.append('{:10.1f} ({:>5.0f}-{:<5.0f})'.format(r[f'{side}_ms'], *r[f'{side}_range_ms']))
            else:
                cells.append(f"{'-':>24}")
        ratio = '-' if r['ratio'] is None else f"{r['ratio']:.2f}"
        losses = ' / '.join(' '.join(f'{v:.5f}' for v in vs) for vs in r['first_losses'].values())
        print(f"{r['step']:10} {cells[0]} {cells[1]} {ratio:>6}   {losses}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--device', choices=backend.DEVICES, default='cpu', help='where minigan runs')
    parser.add_argument('--quick', action='store_true', help='batch 4, few repeats (a smoke run)')
    parser.add_argument('--repeats', type=int, help='timed steps per library (default 20)')
    parser.add_argument('--warmup', type=int, help='untimed steps first (default 3)')
    parser.add_argument('--steps', nargs='+', choices=STEPS, default=list(STEPS))
    args = parser.parse_args(argv)
    if hasattr(os, 'getloadavg'):  # on a machine shared with other work, figures mean what they
        print(f"load average {os.getloadavg()[0]:.2f} at the start")  # mean at that load
    rows = run(args.device, args.quick, args.repeats, args.warmup, args.steps)
    print_rows(rows)
    return rows


if __name__ == '__main__':
    main()
