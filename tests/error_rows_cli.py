"""Error-quality rows for the command line's options (see tests/error_cases.py): values outside an
option's domain, options that do not exist or do not apply, a --out that cannot be written,
sample's --label, --n, --truncation and --seed. Files -- --data-dir and its IDX files,
checkpoints, --input -- are in tests/error_rows_cli_files.py.

Each call is ``run_command(argv)`` in-process (the command line less main's catching), so the check
sees the error itself; ``command_line=True`` makes it check the line main prints as well. Two
subprocess runs in tests/test_errors.py prove main's one line and exit status 2.
"""
import atexit
import contextlib
import dataclasses
import functools
import io
import os
import shutil
import string
import tempfile

import numpy as np
from hypothesis import strategies as st

from minigan import errors
from minigan.cli import run_command
from minigan.data import CATALOG
from minigan.gan import RECIPES
from minigan.gan.recipe import _bounds, flag, value_type

from .error_cases import Bad, row

SCRATCH = tempfile.mkdtemp(prefix='minigan-cli-rows-')
atexit.register(shutil.rmtree, SCRATCH, True)
TINY = {'dcgan': ['--width', '4'], 'cgan': ['--width', '4'], 'infogan': ['--width', '4', '--hidden', '8'],
        'pix2pix': ['--width', '4', '--depth', '2']}
QUICK = ['--steps', '1', '--eval-every', '0', '--limit', '8', '--batch-size', '4']
IMAGES = os.path.join(SCRATCH, 'images.npy')  # three blank digits: a valid --input
np.save(IMAGES, -np.ones((3, 1, 28, 28), dtype=np.float32))


def command(argv):
    """run_command(argv), its output swallowed, run in the scratch folder (so that a bug that
    ignores --out cannot write a run into the working tree's runs/)."""
    here = os.getcwd()
    os.chdir(SCRATCH)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return run_command(argv)
    finally:
        os.chdir(here)


def fresh_dir():
    return tempfile.mkdtemp(dir=SCRATCH)


def cli(description, make_argv, error, mentions, harmless=None):
    """A Bad that runs the command line ``make_argv()`` builds (at call time: files go in fresh
    folders) and must fail with ``error`` mentioning ``mentions`` in the printed line too."""
    return Bad(description, lambda: command(make_argv()), error, tuple(mentions), harmless, command_line=True)


@functools.lru_cache(maxsize=None)
def tiny_run(variant):
    """The folder of a finished 1-step run of ``variant`` (tiny networks), made on first use."""
    out = os.path.join(SCRATCH, 'run-' + variant)
    assert command(['train', variant, *QUICK, '--out', out, *TINY[variant]]) == 0
    return out


# ----------------------------------------------------------------------------- option values
def bad_values(recipe, name):
    """(strings to give --name, what the message says of each) outside the field's domain."""
    field = recipe.Settings.__dataclass_fields__[name]
    kind, bounds = value_type(field.type), _bounds(recipe.Settings, name)
    low, high = bounds.get('low', 0), bounds.get('high')
    if kind is int:
        return [(str(low - k), str(low - k)) for k in (1, 3)] + [('2.5', "'2.5'"), ('ten', "'ten'")]
    values = ['nan', 'inf', '-inf', str(low - 0.5), 'abc']
    if high is not None:
        values.append(str(float(high)) if bounds.get('high_open') else str(high + 0.5))
    return [(v, "'abc'" if v == 'abc' else v) for v in values]


RUN_OPTIONS = {'--steps': ['0', '-3'], '--epochs': ['0', '-1'], '--limit': ['0', '-4'],
               '--seed': ['-1', str(2 ** 63)], '--eval-every': ['-1', '-5'], '--profile': ['-2']}


@row('command line: option values outside their domain')
@st.composite
def _option_values(draw):
    variant = draw(st.sampled_from(sorted(RECIPES)))
    recipe = RECIPES[variant]
    numeric = [f.name for f in dataclasses.fields(recipe.Settings) if value_type(f.type) in (int, float, tuple)]
    option = draw(st.sampled_from(sorted(RUN_OPTIONS) + [flag(name) for name in numeric]))
    if option in RUN_OPTIONS:
        value = draw(st.sampled_from(RUN_OPTIONS[option]))
        given, shown = [value], value
    else:
        name = option[2:].replace('-', '_')
        value, shown = draw(st.sampled_from(bad_values(recipe, name)))
        given = [value] if value_type(recipe.Settings.__dataclass_fields__[name].type) is not tuple else \
            draw(st.sampled_from([['0.5', value], [value, '0.5']]))
    length = [] if option in ('--steps', '--epochs') else ['--steps', '1']
    return cli(f"train {variant} {option} {' '.join(given)}",
               lambda: ['train', variant, '--out', fresh_dir(), *length, option, *given],
               errors.ArgumentError, (option, shown))


# ----------------------------------------------------------------------------- options that are not there
def other_recipes_option(draw, variant):
    mine = {f.name for f in dataclasses.fields(RECIPES[variant].Settings)}
    theirs = sorted({f.name for r in RECIPES.values() for f in dataclasses.fields(r.Settings)} - mine)
    return flag(draw(st.sampled_from(theirs)))


@row('command line: options that do not exist, do not apply or contradict the run')
@st.composite
def _options(draw):
    variant = draw(st.sampled_from(sorted(RECIPES)))
    word = draw(st.text(string.ascii_lowercase, min_size=1, max_size=8))
    kind = draw(st.sampled_from(['variant', 'command', 'foreign option', 'unknown option', 'no value',
                                 'choice', 'steps and epochs', 'data kind', 'no checkpoint option',
                                 'resume changes', 'resume variant', 'batch too large']))
    base = ['train', variant, '--steps', '1']
    if kind == 'variant':
        name = word if word not in RECIPES else word + 'x'
        return cli(f"train {name}", lambda: ['train', name], errors.ArgumentError, ('unknown variant', repr(name)))
    if kind == 'command':
        name = word if word not in ('train', 'sample') else word + 'x'
        return cli(f"minigan {name}", lambda: [name], errors.ArgumentError, ('unknown command', repr(name)))
    if kind == 'foreign option':
        option = other_recipes_option(draw, variant)
        return cli(f"train {variant} {option} 1", lambda: base + ['--out', fresh_dir(), option, '1'],
                   errors.ArgumentError, (option, f'does not apply to {variant}'))
    if kind == 'unknown option':
        return cli(f"train {variant} --{word}-zz", lambda: base + ['--out', fresh_dir(), f'--{word}-zz'],
                   errors.ArgumentError, ('unrecognized argument', f"'--{word}-zz'"))
    if kind == 'no value':
        option = draw(st.sampled_from(['--lr', '--batch-size', '--out', '--seed', '--data']))
        return cli(f"train {variant} ... {option}", lambda: base + [option], errors.ArgumentError,
                   (option, 'expected one argument'))
    if kind == 'choice':
        option = draw(st.sampled_from(['--device', '--data']))
        return cli(f"train {variant} {option} {word}", lambda: base + [option, word], errors.ArgumentError,
                   (option, f"invalid choice: '{word}'"))
    if kind == 'steps and epochs':
        return cli(f"train {variant} --steps --epochs", lambda: base + ['--epochs', '2'], errors.ArgumentError,
                   ('--epochs', '--steps'))
    if kind == 'data kind':
        data = draw(st.sampled_from(sorted(name for name, entry in CATALOG.items()
                                           if entry.kind not in RECIPES[variant].kinds)))
        return cli(f"train {variant} --data {data}", lambda: base + ['--out', fresh_dir(), '--data', data],
                   errors.ArgumentError, ('--data', data, variant))
    if kind == 'no checkpoint option':
        return cli("sample without --checkpoint", lambda: ['sample', '--out', 'x.npy'], errors.ArgumentError,
                   ('--checkpoint', 'required'))
    if kind == 'resume changes':
        option, value = draw(st.sampled_from([('--lr', '0.5'), ('--batch-size', '2'), ('--seed', '3'),
                                              ('--limit', '6'), ('--width', '8'), ('--data', 'mnist')]))
        return cli(f"train dcgan --resume {option} {value}",
                   lambda: ['train', 'dcgan', '--resume', '--out', tiny_run('dcgan'), option, value],
                   errors.ArgumentError, ('--resume', option, value))
    if kind == 'resume variant':
        other = draw(st.sampled_from(sorted(set(RECIPES) - {'dcgan'})))
        return cli(f"train {other} --resume (a dcgan run)",
                   lambda: ['train', other, '--resume', '--out', tiny_run('dcgan')],
                   errors.ArgumentError, ('--resume', 'dcgan', other))
    size = draw(st.integers(9, 200))
    return cli(f"train dcgan --limit 8 --batch-size {size}",
               lambda: ['train', 'dcgan', '--steps', '1', '--limit', '8', '--batch-size', str(size),
                        '--width', '4', '--out', fresh_dir()],
               errors.ArgumentError, ('--batch-size', str(size)))


# ----------------------------------------------------------------------------- --out
def a_file(folder, name='file'):
    path = os.path.join(folder, name)
    with open(path, 'w') as f:
        f.write('not a folder\n')
    return path


def read_only(folder):
    path = os.path.join(folder, 'read-only')
    os.mkdir(path, 0o500)
    return path


UNWRITABLE = {  # kind -> folder -> a --out for train that cannot be used
    'a file': a_file,
    'below a file': lambda folder: os.path.join(a_file(folder), 'run'),
    'empty': lambda folder: '',
    'system folder': lambda folder: '/proc/minigan-run',
    'read-only': read_only,  # root writes anywhere: only tried as another user
    'holds a run': lambda folder: tiny_run('dcgan'),
}


def folder_named(folder, name):
    os.mkdir(os.path.join(folder, name))
    return os.path.join(folder, name)


UNWRITABLE_FILE = {  # kind -> (folder, file name) -> a --out for sample that cannot be used
    'a folder': folder_named,
    'below a file': lambda folder, name: os.path.join(a_file(folder), name),
    'empty': lambda folder, name: '',
    'system folder': lambda folder, name: '/proc/' + name,
    'read-only': lambda folder, name: os.path.join(read_only(folder), name),
    'missing folder': lambda folder, name: os.path.join(folder, 'missing', name),
    'suffix': lambda folder, name: os.path.join(folder, name[:-4] + '.jpg'),
}


def kinds_here(table):
    return sorted(kind for kind in table if kind != 'read-only' or os.geteuid() != 0)


@row('command line: --out that cannot be written')
@st.composite
def _out(draw):
    if draw(st.booleans()):
        kind, variant = draw(st.sampled_from(kinds_here(UNWRITABLE))), draw(st.sampled_from(sorted(RECIPES)))
        mentions = ('--out', 'holds a run') if kind == 'holds a run' else ('--out',)
        return cli(f"train {variant} --out ({kind})",
                   lambda: ['train', variant, '--steps', '1', '--out', UNWRITABLE[kind](fresh_dir())],
                   errors.ArgumentError, mentions)
    kind, name = draw(st.sampled_from(kinds_here(UNWRITABLE_FILE))), draw(st.sampled_from(['s.png', 's.npy']))

    def argv():
        folder = fresh_dir()
        out = UNWRITABLE_FILE[kind](folder, name)
        return ['sample', '--checkpoint', os.path.join(folder, 'c.npz'), '--out', out]
    return cli(f"sample --out ({kind}, {name})", argv, errors.ArgumentError, ('--out',))


# ----------------------------------------------------------------------------- sample's options
@row("command line: sample's --label, --n, --truncation, --seed and --input for the wrong model")
@st.composite
def _sample_options(draw):
    variant = draw(st.sampled_from(sorted(TINY)))
    kind = draw(st.sampled_from(['label', 'n', 'truncation', 'seed', 'input']))
    classes = {'cgan': 10, 'infogan': 10}.get(variant)
    extra, error = [], errors.ArgumentError
    if kind == 'label':
        label = draw(st.integers(-5, -1) | st.integers(10, 40)) if classes else draw(st.integers(0, 9))
        extra, mentions = ['--label', str(label)], ('--label', str(label) if classes else variant)
        error = errors.DimError if classes else errors.ArgumentError
    elif kind == 'n':
        n = draw(st.integers(-5, 0))
        extra, mentions = ['--n', str(n)], ('--n', str(n))
    elif kind == 'truncation':
        value = draw(st.sampled_from(['0', '-1.5', 'nan', '-inf'])) if variant != 'pix2pix' else '0.5'
        extra = ['--truncation', value]
        mentions = ('--truncation', str(float(value))) if variant != 'pix2pix' else ('--truncation', 'pix2pix')
    elif kind == 'seed':
        seed = draw(st.sampled_from([-1, -7, 2 ** 63]))
        extra, mentions = ['--seed', str(seed)], ('--seed', str(seed))
    else:  # a valid file of images, for a model that draws from noise
        variant = 'dcgan' if variant == 'pix2pix' else variant
        extra, mentions = ['--input', IMAGES], ('--input', variant)

    def argv():
        out = os.path.join(fresh_dir(), 's.npy')
        return ['sample', '--checkpoint', os.path.join(tiny_run(variant), 'checkpoint.npz'), '--out', out, *extra]
    return cli(f"sample {variant} {' '.join(extra)}", argv, error, mentions)
