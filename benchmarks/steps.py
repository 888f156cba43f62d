"""Whole training steps, minigan against PyTorch on the same device, in turns of a few steps each.

    dcgan      DCGAN: a D step and a G step, batch 64 (dcgan.py)
    wgan_gp    one WGAN-GP critic step, batch 64, the penalty through a double backward (dcgan.py)
    infogan    InfoGAN's recipe step, batch 64 (recipes.py)
    cyclegan   CycleGAN's recipe step, batch 1: both generators, both discriminators (recipes.py)

Both sides start from the same weights and batches; the first losses of each are recorded, and
a row whose first losses disagree is flagged (its ratio would compare two different steps).
Median, fastest and slowest of the timed steps after a warm-up (timing.runs).
"""
import math

from . import dcgan, recipes, timing
from .sides import synchronizer

STEPS = {  # name: (label, batch, batch in a --quick run, build(device, quick))
    'dcgan': ('DCGAN step', 64, 4, lambda device, quick: dcgan.build('dcgan', 4 if quick else 64, device)),
    'wgan_gp': ('WGAN-GP critic step', 64, 4, lambda device, quick: dcgan.build('wgan_gp', 4 if quick else 64,
                                                                                 device)),
    'infogan': ('InfoGAN step', 64, 4, recipes.build_infogan),
    'cyclegan': ('CycleGAN step', 1, 1, recipes.build_cyclegan),
}
LOSS_TOLERANCE = 1e-3  # relative: float32 sums in two orders over a deep network's first step


def agree(mine, theirs):
    return all(math.isclose(m, t, rel_tol=LOSS_TOLERANCE, abs_tol=LOSS_TOLERANCE) for m, t in zip(mine, theirs))


def time_step(kind, device, quick, repeats, warmup):
    """One row: each library's step Timing, the ratio, and both sides' first losses."""
    label, batch, quick_batch, build = STEPS[kind]
    built = build(device, quick)
    names = list(built)
    times, first = timing.runs([built[n][0] for n in names], [synchronizer(n, device) for n in names],
                               repeats, warmup)
    row = dict(step=kind, name=f"{label} (B {quick_batch if quick else batch})", first_losses={n: list(f) for n, f in zip(names, first)})
    for name, t in zip(names, times):
        row[name] = t.as_dict()
    theirs = row.get('torch')
    row['ratio'] = theirs and row['minigan']['median_ms'] / theirs['median_ms']
    row['losses_agree'] = None if theirs is None else agree(*first)
    return row


def default_repeats(quick, repeats=None, warmup=None):
    """(timed repeats, warm-up runs): the ones given, else (20, 3) ((2, 1) in a --quick run)."""
    default = (2, 1) if quick else (20, 3)
    return repeats or default[0], warmup or default[1]
