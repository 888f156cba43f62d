"""PyTorch GAN scripts (tests/torch_scripts/, written the torch way) run on minigan with their
imports changed and nothing else, and train as they do on torch: same data, same starting
weights (copied from torch's), same noise (NumPy, one seed) -> the same losses, step for step."""
import math
import pathlib
import re

import numpy as np
import pytest

import minigan as mg
import minigan.data

torch = pytest.importorskip('torch')

SCRIPTS = pathlib.Path(__file__).parent / 'torch_scripts'
NAMES = sorted(p.stem for p in SCRIPTS.glob('*.py'))
CASES = {name: (name, {}) for name in NAMES}
CASES['wgan-clip'] = ('wgan', {'mode': 'clip'})  # the original WGAN: weight clipping through .data
STEPS = 3
# float32 in both libraries; after 3 Adam steps their sums in another order differ by ~1e-6
# relative, and a loss near a minimum amplifies that a little: 2e-4 leaves room, and a wrong
# op (a missing term, a wrong slope) is off by far more.
RTOL, ATOL = 2e-4, 1e-5

IMPORT = re.compile(r'^(\s*)(import|from) torch\b')


def on_minigan(source):
    """The script's source with its torch imports made minigan imports -- and nothing else."""
    lines = []
    for line in source.split('\n'):
        if IMPORT.match(line):
            line = re.sub(r'^(\s*)import torch(\s*)$', r'\1import minigan as torch\2', line)
            line = re.sub(r'^(\s*)(import|from) torch\.', r'\1\2 minigan.', line)
            line = re.sub(r'^(\s*)from torch import', r'\1from minigan import', line)
        lines.append(line)
    return '\n'.join(lines)


def load(name, library):
    path = SCRIPTS / f'{name}.py'
    source = path.read_text()
    if library == 'minigan':
        changed = on_minigan(source)
        diff = [(a, b) for a, b in zip(source.split('\n'), changed.split('\n')) if a != b]
        assert diff and all(IMPORT.match(a) and 'minigan' in b for a, b in diff), "only imports may change"
        source = changed
    namespace = {'__name__': f'{name}_on_{library}', '__file__': str(path)}
    exec(compile(source, str(path), 'exec'), namespace)
    return namespace


def digits(n=24, size=16):
    """n digit images cropped to size x size (the centre of the 28 x 28 digit), and labels."""
    images, labels = minigan.data.digits('train').tensors
    lo = (28 - size) // 2
    return images.numpy()[:n, :, lo:lo + size, lo:lo + size].copy(), labels.numpy()[:n].copy()


def configure(namespace, tmp_path, **changes):
    opt = namespace['opt']
    for key, value in dict(n_steps=STEPS, batch_size=8, shuffle=False, checkpoint=str(tmp_path / 'ckpt'),
                           **changes).items():
        if hasattr(opt, key):
            setattr(opt, key, value)


def run_both(name, tmp_path, **changes):
    ours, theirs = load(name, 'minigan'), load(name, 'torch')
    for namespace, where in ((theirs, 'torch'), (ours, 'minigan')):
        (tmp_path / where).mkdir()
        configure(namespace, tmp_path / where, **changes)
    torch.manual_seed(0)
    models_t, models_o = theirs['build'](), ours['build']()
    for key, model in models_t.items():  # the same starting weights
        models_o[key].load_state_dict({k: v.detach().numpy() for k, v in model.state_dict().items()})
    images, labels = digits()
    return [namespace['train'](**models, images=images, labels=labels)
            for namespace, models in ((theirs, models_t), (ours, models_o))]


@pytest.mark.parametrize('case', CASES)
def test_script_trains_on_minigan_as_on_torch(case, tmp_path):
    name, changes = CASES[case]
    losses_t, losses_o = run_both(name, tmp_path, dropout=0.0, **changes)  # dropout masks differ between libraries
    assert len(losses_o) == len(losses_t) >= STEPS
    for step, (ours, theirs) in enumerate(zip(losses_o, losses_t)):
        assert list(ours) == list(theirs)
        for key in theirs:
            assert math.isfinite(ours[key]), (step, key)
            assert ours[key] == pytest.approx(theirs[key], rel=RTOL, abs=ATOL), (step, key, ours[key], theirs[key])


@pytest.mark.parametrize('name', [n for n in NAMES if 'dropout' in vars(load(n, 'torch')['opt'])])
def test_script_with_its_dropout_trains_on_minigan(name, tmp_path):
    ours = load(name, 'minigan')
    configure(ours, tmp_path)
    images, labels = digits()
    losses = ours['train'](**ours['build'](), images=images, labels=labels)
    assert all(math.isfinite(v) for step in losses for v in step.values())


def test_the_rewrite_changes_imports_only():
    source = 'import torch\nimport torch.nn as nn\nfrom torch.autograd import Variable\nfrom torch import autograd\nx = torch.ones(1)'
    assert on_minigan(source).split('\n') == [
        'import minigan as torch', 'import minigan.nn as nn', 'from minigan.autograd import Variable',
        'from minigan import autograd', 'x = torch.ones(1)']
    assert isinstance(load('gan', 'minigan')['torch'].ones(1), mg.Tensor)
