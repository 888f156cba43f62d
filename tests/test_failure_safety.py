"""Nothing is lost: a step that fails halfway changes nothing (Recipe.transaction, and the loop's
own counters), Ctrl-C during ``train`` saves a run that resumes exactly, and a checkpoint write
killed midway leaves the previous file readable."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import minigan as mg
from minigan.cli import main
from minigan.gan import RECIPES
from minigan.optim.optimizer import Optimizer

from .test_cli import COMMON, TINY, flatten, train
from .test_recipes import CASES, IDS, batches, make

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.filterwarnings('ignore:.*encountered in:RuntimeWarning')


class Boom(Exception):
    """The failure injected into a step."""


def state_of(recipe):
    """Every value of the recipe's state (copied) and of the random generator."""
    return {key: np.array(value, copy=True) if isinstance(value, np.ndarray) else value
            for key, value in [*flatten(recipe.state_dict()), ('/rng', mg.get_rng_state())]}


def differences(a, b):
    assert a.keys() == b.keys()
    return [key for key in a if not np.array_equal(a[key], b[key])]


@pytest.fixture
def fail_at_optimizer_step(monkeypatch):
    """fail(n, error): the n-th Optimizer.step call from now raises ``error`` before updating;
    returns the list of state snapshots taken at that moment (to prove the step had changed some)."""
    def fail(n, error, recipe):
        calls, seen = [0], []
        original = Optimizer.step

        def step(self, *args, **kwargs):
            calls[0] += 1
            if calls[0] == n:
                seen.append(state_of(recipe))
                raise error
            return original(self, *args, **kwargs)
        monkeypatch.setattr(Optimizer, 'step', step)
        return seen
    return fail


@pytest.mark.parametrize('variant, info, settings', CASES, ids=IDS)
def test_a_step_failing_after_its_first_update_is_undone_whole(variant, info, settings, fail_at_optimizer_step):
    """D's update (G's, for CycleGAN) is made, then the next update fails: all of it is undone --
    weights, buffers, moments, schedules, EMA, pools, and the random generator."""
    recipe = make(variant, info, settings, 'cpu')
    stream = batches(info, 'cpu')
    recipe.step(stream)  # moments, pools and averages exist
    before = state_of(recipe)
    at_failure = fail_at_optimizer_step(2, Boom('a bad batch'), recipe)
    with pytest.raises(Boom):
        with recipe.transaction():
            recipe.step(stream)
    assert differences(before, at_failure[0]), "the first update had changed nothing: no test"
    assert not differences(before, state_of(recipe))


@pytest.mark.parametrize('error', [KeyboardInterrupt(), mg.AnomalyError('made up')], ids=['ctrl-c', 'anomaly'])
def test_ctrl_c_and_anomalies_are_undone_too(error, fail_at_optimizer_step):
    variant, info, settings = CASES[IDS.index('hinge-digits')]  # EMA, two D steps, spectral norm
    recipe = make(variant, info, settings, 'cpu')
    stream = batches(info, 'cpu')
    recipe.step(stream)
    before = state_of(recipe)
    fail_at_optimizer_step(3, error, recipe)  # after both D updates, at G's
    with pytest.raises(type(error)):
        with recipe.transaction():
            recipe.step(stream)
    assert not differences(before, state_of(recipe))


def test_a_real_nan_under_detect_anomaly_in_g_half_leaves_d_as_it_was(monkeypatch):
    """No injected exception: G's loss really turns NaN after D's update, detect_anomaly stops it."""
    variant, info, settings = CASES[IDS.index('dcgan-digits')]
    recipe = make(variant, info, settings, 'cpu')
    stream = batches(info, 'cpu')
    recipe.step(stream)
    before = state_of(recipe)
    original = type(recipe).generator_loss
    monkeypatch.setattr(type(recipe), 'generator_loss', lambda self, scores: original(self, scores.log()))
    with pytest.raises(mg.AnomalyError, match=r'Log returned nan[\s\S]*test_failure_safety.py'):
        with mg.detect_anomaly(), recipe.transaction():
            recipe.step(stream)
    assert not differences(before, state_of(recipe))


# ----------------------------------------------------------------------------- the loop
def checkpoint_values(folder):
    return {key: value for key, value in flatten(mg.load(os.path.join(folder, 'checkpoint.npz')))
            if key != '/elapsed'}


@pytest.mark.parametrize('variant, where', [('dcgan', 'mid-step'), ('cyclegan', 'epoch end')])
def test_ctrl_c_inside_train_saves_the_last_whole_step_and_the_run_resumes_exactly(variant, where, tmp_path,
                                                                                   monkeypatch, capsys):
    """Ctrl-C in the middle of step 3 -- between D's and G's updates, or after the schedules of the
    epoch that step 3 ends have moved -- saves step 2; resumed to 4 steps, it is the 4-step run."""
    straight, stopped = str(tmp_path / 'straight'), str(tmp_path / 'stopped')
    quick = [*COMMON, *TINY[variant], '--eval-every', '0']  # metrics are the loop's business, not this test's
    if variant == 'cyclegan':  # epochs of 3 single images, to keep it quick
        quick += ['--batch-size', '1', '--limit', '3', '--width', '2']
    train(variant, '--steps', '4', '--out', straight, *quick)
    recipe_class = RECIPES[variant]
    if where == 'mid-step':
        calls, original = [0], Optimizer.step

        def step(self, *args, **kwargs):
            calls[0] += 1
            if calls[0] == 2 * 2 + 2:  # two optimizer steps per training step: step 3's second
                raise KeyboardInterrupt
            return original(self, *args, **kwargs)
        monkeypatch.setattr(Optimizer, 'step', step)
    else:
        original = recipe_class.end_epoch

        def end_epoch(self):
            original(self)  # the lr schedules have moved...
            raise KeyboardInterrupt  # ...and the step is cut short
        monkeypatch.setattr(recipe_class, 'end_epoch', end_epoch)
    assert main(['train', variant, '--steps', '4', '--out', stopped, *quick]) == 130
    err = capsys.readouterr().err
    assert 'interrupted at step 2' in err and f'python -m minigan train --resume --out {stopped}' in err
    assert mg.load(os.path.join(stopped, 'checkpoint.npz'))['step'] == 2
    monkeypatch.undo()
    train('--resume', '--out', stopped)
    assert not differences(checkpoint_values(straight), checkpoint_values(stopped))
    assert (tmp_path / 'stopped' / 'metrics.jsonl').read_text() .count('\n') == 2  # epoch 1 and the end


def subprocess_env():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    env.pop('MINIGAN_DEBUG', None)
    return env


def test_sigint_to_a_training_process_saves_a_run_that_resumes_exactly(tmp_path):
    """A real Ctrl-C (SIGINT) to ``python -m minigan train``, whenever it lands, then --resume."""
    out = str(tmp_path / 'run')
    argv = ['dcgan', '--width', '4', '--batch-size', '4', '--limit', '400', '--eval-every', '0', '--seed', '3']
    process = subprocess.Popen([sys.executable, '-m', 'minigan', 'train', *argv, '--steps', '200', '--out', out],
                               cwd=str(tmp_path), env=subprocess_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    for line in process.stderr:  # progress lines come every 20 steps when the output is a pipe
        if line.startswith('epoch 1 ') and ' 20/200 ' in line:
            break
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert f"continue it exactly where it stopped with\n  python -m minigan train --resume --out {out}" in err
    stopped = mg.load(os.path.join(out, 'checkpoint.npz'))['step']
    assert 20 <= stopped < 200
    straight = str(tmp_path / 'straight')
    train(*argv, '--steps', str(stopped + 3), '--out', straight)
    train('--resume', '--steps', str(stopped + 3), '--out', out)
    assert not differences(checkpoint_values(straight), checkpoint_values(out))


# ----------------------------------------------------------------------------- checkpoint writes
WRITER = """
import sys
import minigan as mg
path, n = sys.argv[1], int(sys.argv[2])
for i in range(1000):
    print('saving', i, flush=True)
    mg.save({'values': mg.full((n,), float(i)), 'i': i}, path)
"""


def test_a_checkpoint_write_killed_midway_leaves_the_previous_file_readable(tmp_path):
    """SIGKILL a process in the middle of minigan.save (it writes 16 MB and fsyncs): the file at the
    path is a whole earlier checkpoint. Tried until a kill lands mid-write (a temporary file left)."""
    path = str(tmp_path / 'checkpoint.npz')
    mid_write = 0
    for attempt in range(5):
        process = subprocess.Popen([sys.executable, '-c', WRITER, path, str(4_000_000)], env=subprocess_env(),
                                   stdout=subprocess.PIPE, text=True)
        for line in process.stdout:
            if line.split()[1] == '2':  # saves 0 and 1 are done; 2 has begun
                break
        time.sleep(0.005 * attempt)
        process.kill()
        process.wait()
        saved = mg.load(path)
        assert saved['i'] in (1, 2) and np.all(saved['values'].numpy() == saved['i'])
        leftovers = [name for name in os.listdir(tmp_path) if name.endswith('.tmp')]
        mid_write += bool(leftovers)
        for name in leftovers:
            os.unlink(tmp_path / name)
        if mid_write:
            break
    assert mid_write, "no kill landed in the middle of a write"
