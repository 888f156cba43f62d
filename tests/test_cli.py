"""The command line, end to end: every variant trains, writes its pictures and checkpoint, resumes
bit for bit, and samples; wrong command lines end with one clear line.

Runs are tiny (a few steps of small networks on a few examples) and in-process (``main(argv)``).
"""
import dataclasses
import json
import math

import numpy as np
import pytest

import minigan as mg
from minigan.cli import main
from minigan.cli.options import recipe_story, train_parser
from minigan.gan import RECIPES
from minigan.gan.evaluation import Evaluation

# tiny options per variant; --limit 12 with batches of 4 makes an epoch of 3 batches. On 2-D
# points the lr decays over the planned run (cgan, acgan: its last half) unless --lr-decay-steps is
# given: the runs that stop at step 2 and resume to 5 give it, so that they plan the schedule of the
# run that never stopped.
TINY = {
    'gan': ['--width', '8', '--lr-decay-steps', '5', '--data', 'grid25', '--batch-growth', '3'],  # step 5 joins 2 batches
    'dcgan': ['--width', '4'],
    'lsgan': ['--width', '4', '--lr-decay-steps', '20'],  # a per-step lr schedule
    'wgan': ['--width', '4', '--n-critic', '2'],
    'wgan-gp': ['--width', '4', '--n-critic', '2', '--data', 'grid25', '--pack', '2', '--lr-decay-steps', '5'],
    'hinge': ['--width', '4', '--ema-start', '1'],
    'cgan': ['--width', '4', '--lr-decay-steps', '5'],   # decays over the last half unless given
    'acgan': ['--width', '4', '--lr-decay-steps', '5'],
    'infogan': ['--width', '4', '--hidden', '16', '--lr-decay-steps', '5'],
    'cyclegan': ['--width', '4', '--n-blocks', '1', '--pool-size', '2', '--n-epochs', '1',
                 '--n-epochs-decay', '2'],
    'pix2pix': ['--width', '4', '--depth', '3'],  # depth 3: a level with dropout, which draws numbers
}
COMMON = ['--batch-size', '4', '--limit', '12']
METRICS = {'gan': {'modes', 'high_quality', 'reverse_kl'}, 'dcgan': {'fd', 'classes'}, 'lsgan': {'fd'},
           'wgan': {'fd'}, 'wgan-gp': {'modes'}, 'hinge': {'fd'}, 'cgan': {'label_accuracy', 'fd'},
           'acgan': {'label_accuracy'}, 'infogan': {'code_accuracy', 'fd'},
           'cyclegan': {'l1', 'cycle_l1_a', 'cycle_l1_b'}, 'pix2pix': {'l1'}}


def train(*argv):
    assert main(['train', *argv]) == 0


def flatten(obj, prefix=''):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from flatten(value, f'{prefix}/{key}')
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from flatten(value, f'{prefix}/{i}')
    else:
        yield prefix, obj.numpy() if isinstance(obj, mg.Tensor) else obj


@pytest.fixture(scope='module', autouse=True)
def small_evaluations():
    """Runs measure their models on fewer samples here: the metrics' plumbing is under test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Evaluation, 'digit_samples', 40)
        patch.setattr(Evaluation, 'point_samples', 200)
        patch.setattr(Evaluation, 'pair_samples', 20)
        yield


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """variant -> the folder of a finished 5-step run (trained on first use)."""
    done = {}

    def get(variant):
        if variant not in done:
            folder = tmp_path_factory.mktemp(variant)
            train(variant, '--steps', '5', '--out', str(folder), *COMMON, *TINY[variant])
            done[variant] = folder
        return done[variant]
    return get


def test_every_variant_has_tiny_options():
    assert set(TINY) == set(RECIPES)


# the state beyond weights and optimizer moments that a variant keeps (TINY turns it on)
EXTRA_STATE = {'hinge': ['extras/ema'], 'lsgan': ['extras/lr_decay_G', 'extras/lr_decay_D'],
               'cgan': ['extras/ema', 'extras/lr_decay_G'], 'acgan': ['extras/ema', 'extras/lr_decay_D'],
               'infogan': ['extras/ema', 'extras/lr_decay_G'],
               'cyclegan': ['schedulers/G', 'schedulers/D', 'extras/pool_A', 'extras/pool_B']}


@pytest.mark.parametrize('variant', list(RECIPES))
def test_a_resumed_run_is_bitwise_the_run_that_never_stopped(variant, runs, tmp_path):
    """Stopped mid-epoch after 2 steps, resumed to 5 (across an epoch end): every value of the
    checkpoint equals the 5-step run's -- weights, buffers, optimizer moments and lrs, schedules,
    EMA, history pools, the random generator, the data position, the loss history. And each of
    those pieces is in the comparison and moved while resumed, so none is compared vacuously."""
    train(variant, '--steps', '2', '--out', str(tmp_path), *COMMON, *TINY[variant])
    at_2 = dict(flatten(mg.load(tmp_path / 'checkpoint.npz')))
    train('--resume', '--out', str(tmp_path), '--steps', '5')  # the variant is read from the run
    stopped = dict(flatten(mg.load(tmp_path / 'checkpoint.npz')))
    straight = dict(flatten(mg.load(runs(variant) / 'checkpoint.npz')))
    assert stopped.keys() == straight.keys()
    differ = [key for key in straight
              if key != '/elapsed' and not np.array_equal(stopped[key], straight[key])]
    assert not differ, f"{variant}: resumed run differs in {differ[:8]}"
    assert straight['/step'] == 5 and straight['/epochs_done'] >= 1  # the resumed part crossed an epoch end
    assert 0 < at_2['/stream/position'] < 3  # ...and began in the middle of one (epochs of 3 batches)

    groups = mg.load(tmp_path / 'checkpoint.npz')['recipe']
    pieces = [f'{group}/{name}' for group, parts in groups.items() for name in parts]
    assert set(EXTRA_STATE.get(variant, [])) <= set(pieces), pieces
    assert {'networks/G', 'networks/D', 'optimizers/G', 'optimizers/D'} <= set(pieces) or variant == 'cyclegan'
    moved = lambda prefix: any(key.startswith(prefix) and not np.array_equal(value, at_2.get(key))  # noqa: E731
                               for key, value in straight.items())
    still = [p for p in pieces if not moved(f'/recipe/{p}/')] + [p for p in ('/rng/', '/stream/', '/history/')
                                                                 if not moved(p)]
    assert not still, f"{variant}: state that did not change while resumed, so was not really compared: {still}"
    lrs = lambda saved: [v for k, v in saved.items() if k.startswith('/recipe/optimizers/') and k.endswith('/lr')]  # noqa: E731
    if variant in ('lsgan', 'cyclegan'):  # the lr schedule moved in the resumed part
        assert lrs(at_2) != lrs(straight)

    lines = [json.loads(line) for line in (runs(variant) / 'metrics.jsonl').read_text().splitlines()]
    assert [line['step'] for line in lines][-1] == 5 and len(lines) >= 2  # a line per epoch, and the end
    assert METRICS[variant] <= set(lines[-1]), lines[-1]
    assert all(math.isfinite(value) for line in lines for key, value in line.items()
               if key.startswith(('loss', 'd_', 'g_')))
    picture = 'points.png' if straight['/data/kind'] == 'points' else 'samples.png'
    for name in (picture, 'losses.png', 'config.json'):
        assert (runs(variant) / name).stat().st_size > 0


def test_the_main_job_is_a_conditional_gan_that_prints_where_its_pictures_are(tmp_path, capsys):
    assert main(['train', '--steps', '2', '--out', str(tmp_path), *COMMON, '--width', '4']) == 0
    out = capsys.readouterr().out
    assert 'the main job: python -m minigan train cgan' in out
    assert str(tmp_path / 'samples.png') in out and (tmp_path / 'samples.png').exists()
    assert mg.load(tmp_path / 'checkpoint.npz')['variant'] == 'cgan'
    # its own settings, not cgan's longer-run defaults (EMA, projection, lr decay over the last
    # half of 40 epochs), fit 3 minutes
    settings = json.loads((tmp_path / 'config.json').read_text())['settings']
    assert (settings['conditioning'], settings['ema_decay'], settings['lr_decay_steps']) == ('maps', 0.0, 1250)


@pytest.mark.parametrize('variant, extra, shape', [
    ('gan', [], (10, 2)),                                     # 2-D points
    ('dcgan', [], (10, 1, 28, 28)),                           # images
    ('hinge', ['--truncation', '0.5'], (10, 1, 28, 28)),      # EMA + truncation
    ('cgan', ['--label', '3'], (10, 1, 28, 28)),              # conditional
    ('acgan', [], (10, 1, 28, 28)),
    ('infogan', ['--label', '1'], (10, 1, 28, 28)),
])
def test_sample_writes_raw_arrays_and_pictures(variant, extra, shape, runs, tmp_path):
    checkpoint = str(runs(variant) / 'checkpoint.npz')
    sample = ['sample', '--checkpoint', checkpoint, '--n', '10', *extra, '--out']
    assert main(sample + [str(tmp_path / 's.npy')]) == 0
    samples = np.load(tmp_path / 's.npy')
    assert samples.shape == shape and samples.dtype == np.float32 and np.isfinite(samples).all()
    if len(shape) == 4:
        assert -1.0 <= samples.min() and samples.max() <= 1.0
    assert main(sample + [str(tmp_path / 's.png')]) == 0
    assert (tmp_path / 's.png').stat().st_size > 0


@pytest.mark.parametrize('variant', ['cyclegan', 'pix2pix'])
def test_sample_translates_the_input_images(variant, runs, tmp_path):
    source = mg.data.digits('test').tensors[0].numpy()[:3]
    np.save(tmp_path / 'in.npy', source)
    checkpoint = str(runs(variant) / 'checkpoint.npz')
    assert main(['sample', '--checkpoint', checkpoint, '--input', str(tmp_path / 'in.npy'),
                 '--out', str(tmp_path / 'out.npy')]) == 0
    out = np.load(tmp_path / 'out.npy')
    assert out.shape == (3, 1, 28, 28) and out.dtype == np.float32 and np.abs(out).max() <= 1.0
    np.save(tmp_path / 'bright.npy', source * 255)
    assert main(['sample', '--checkpoint', checkpoint, '--input', str(tmp_path / 'bright.npy'),
                 '--out', str(tmp_path / 'out.npy')]) == 2


def test_wrong_command_lines_end_with_one_clear_line(runs, tmp_path, capsys):
    cases = [
        (['train', 'dcgan', '--lambda-gp', '5'],
         "--lambda-gp does not apply to dcgan; it is an option of wgan-gp"),
        (['train', 'vae'], "unknown variant 'vae'"),
        (['train', 'cgan', '--data', 'ring8', '--out', str(tmp_path / 'a')], "cannot train on 'ring8'"),
        (['train', 'dcgan', '--data-dir', str(tmp_path), '--out', str(tmp_path / 'b')],
         "--data-dir applies to --data mnist"),
        (['train', 'dcgan', '--data', 'mnist', '--data-dir', str(tmp_path / 'none'), '--out',
          str(tmp_path / 'c')], "is not a directory"),
        (['train', 'dcgan', '--steps', '0', '--out', str(tmp_path / 'd')],
         "--steps must be a positive number"),
        (['train', 'dcgan', '--limit', '9999', '--out', str(tmp_path / 'e')],
         "--limit 9999: expected 1 to 4500"),
        (['train', 'dcgan', '--out', str(runs('dcgan'))], "holds a run already: continue it with --resume"),
        (['train', 'dcgan', '--resume', '--out', str(tmp_path / 'f')], "no checkpoint.npz"),
        (['train', 'dcgan', '--resume', '--out', str(runs('dcgan')), '--lr', '0.1'],
         "--lr 0.1 differs from the run's 0.0002"),
        (['train', 'lsgan', '--resume', '--out', str(runs('dcgan'))], "holds a dcgan run, not lsgan"),
        (['sample', '--checkpoint', str(runs('dcgan') / 'checkpoint.npz'), '--out', str(tmp_path / 'x.jpg')],
         "expected a file name ending in .png or .npy"),
        (['sample', '--checkpoint', str(runs('dcgan') / 'checkpoint.npz'), '--out', str(tmp_path / 'x.npy'),
          '--label', '2'], "--label applies to conditional models"),
        (['sample', '--checkpoint', str(tmp_path / 'missing.npz'), '--out', str(tmp_path / 'x.npy')],
         "no checkpoint file"),
        (['fit'], "unknown command 'fit'"),
    ]
    for argv, message in cases:
        try:
            status = main(argv)
        except SystemExit as exit:  # argparse's own errors: usage, then the error line
            status = exit.code
        assert status == 2, argv
        last = capsys.readouterr().err.strip().splitlines()[-1]
        assert message in last, (argv, last)


def test_help_explains_every_option_of_every_variant():
    for name, recipe in RECIPES.items():
        text = train_parser(recipe).format_help()
        for field in dataclasses.fields(recipe.Settings):
            assert '--' + field.name.replace('_', '-') in text, (name, field.name)
        assert 'step' in text and recipe_story(recipe).split('\n')[0] in text  # the recipe's own story
    general = train_parser().format_help()
    assert all(name in general for name in RECIPES) and 'main job' in general


@pytest.mark.parametrize('variant', ['cgan', 'cyclegan'])
def test_a_run_on_the_strict_cuda_stand_in_keeps_every_array_on_the_device(variant, tmp_path):
    """The loop's own arrays (batches, fixed inputs, metrics, pictures, checkpoint, resume) too."""
    out = str(tmp_path / 'run')
    train(variant, '--steps', '2', '--device', 'cuda', '--out', out, *COMMON, *TINY[variant])
    train('--resume', '--steps', '4', '--device', 'cuda', '--out', out)
    assert mg.load(tmp_path / 'run' / 'checkpoint.npz')['step'] == 4
    assert main(['sample', '--checkpoint', str(tmp_path / 'run' / 'checkpoint.npz'), '--device', 'cuda',
                 '--n', '4', '--out', str(tmp_path / 's.npy')]) == 0
    assert np.load(tmp_path / 's.npy').shape == (4, 1, 28, 28)
