"""``train --detect-anomaly`` and ``train --profile``: the engine's instruments on the training loop.
Watching changes no number; an anomaly stops the run at the op and the recipe's line, undone."""
import os

import numpy as np
import pytest

import minigan as mg
from minigan import function
from minigan.cli import main

from .test_cli import COMMON, TINY, flatten, train

QUICK = [*COMMON, '--eval-every', '0']


def checkpoint(folder):
    return {k: v for k, v in flatten(mg.load(os.path.join(folder, 'checkpoint.npz'))) if k != '/elapsed'}


def test_a_watched_run_is_bit_for_bit_the_plain_run_and_profile_writes_its_table(tmp_path, capsys):
    plain, watched = str(tmp_path / 'plain'), str(tmp_path / 'watched')
    train('cgan', '--steps', '4', '--out', plain, *QUICK, *TINY['cgan'])
    train('cgan', '--steps', '4', '--out', watched, '--profile', '5', '--detect-anomaly', *QUICK, *TINY['cgan'])
    a, b = checkpoint(plain), checkpoint(watched)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert function._instrument is None and not mg.is_anomaly_enabled()  # nothing left watching

    err = capsys.readouterr().err
    # steps 2 and 3: the window opens after the first step and closes at the end of the epoch (3 batches)
    assert '--profile: steps 2-3 (2 steps)' in err and 'backward()' in err and 'ConvTranspose2d' in err
    table = (tmp_path / 'watched' / 'profile.txt').read_text()
    assert table.startswith('--profile: steps 2-3 (2 steps)') and 'self time per op, wherever it ran' in table
    assert sum(line.startswith('wall time') for line in table.splitlines()) == 2  # the nested and flat tables
    assert 'Conv2dWeight' in table


def test_profile_of_a_single_step_says_that_nothing_was_timed(tmp_path, capsys):
    train('dcgan', '--steps', '1', '--out', str(tmp_path), '--profile', *QUICK, *TINY['dcgan'])
    assert 'nothing was timed' in capsys.readouterr().out and not (tmp_path / 'profile.txt').exists()


def test_detect_anomaly_stops_at_the_op_and_the_recipe_line_and_undoes_the_step(tmp_path, capsys):
    """An absurd learning rate: D's first update overflows, and G's half of step 1 makes inf. The
    run stops there, names Conv2d and the model and recipe lines, and writes no checkpoint."""
    out = str(tmp_path / 'run')
    status = main(['train', 'dcgan', '--steps', '6', '--lr', '1e30', '--detect-anomaly', '--out', out, *QUICK,
                   *TINY['dcgan']])
    err = capsys.readouterr().err
    assert status == 2 and function._instrument is None
    assert 'the run stopped in step 1, which was undone; no checkpoint was written yet' in err
    message = err[err.index('minigan: error: '):]
    assert 'detect_anomaly: Conv2d returned nan and inf values' in message
    assert 'minigan/gan/models/conv.py' in message and 'minigan/gan/unconditional.py' in message
    assert 'in UnconditionalRecipe.step' in message and 'RuntimeWarning' not in err
    assert not os.path.exists(os.path.join(out, 'checkpoint.npz'))


def test_detect_anomaly_after_a_checkpoint_names_it(tmp_path, capsys, monkeypatch):
    """A NaN in step 5, after epoch 1's checkpoint (step 3): that checkpoint is kept as it was."""
    out = str(tmp_path / 'run')
    train('dcgan', '--steps', '3', '--out', out, *QUICK, *TINY['dcgan'])
    before = (tmp_path / 'run' / 'checkpoint.npz').read_bytes()
    from minigan.gan.dcgan import DCGAN
    original, steps = DCGAN.generator_loss, []

    def generator_loss(self, scores):
        steps.append(1)
        return original(self, scores) * (float('nan') if len(steps) == 2 else 1.0)
    monkeypatch.setattr(DCGAN, 'generator_loss', generator_loss)
    assert main(['train', '--resume', '--out', out, '--steps', '6', '--detect-anomaly']) == 2
    err = capsys.readouterr().err
    assert f'the run stopped in step 5, which was undone; the last checkpoint, {out}' in err
    assert 'is of step 3' in err and 'Mul returned nan' in err
    assert (tmp_path / 'run' / 'checkpoint.npz').read_bytes() == before
