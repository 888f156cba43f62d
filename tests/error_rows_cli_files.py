"""Error-quality rows for the files the command line reads (see tests/error_cases.py): a wrong
--data-dir and broken MNIST IDX files, broken, foreign or hand-edited run checkpoints given to
``sample --checkpoint`` and ``train --resume`` (a checkpoint of one variant given to another
among them), and --input arrays a translation model cannot take."""
import gzip
import io
import os
import pickle

import numpy as np
from hypothesis import strategies as st

import minigan as mg
from minigan import errors
from minigan.cli.files import RUN_FIELDS

from .error_cases import row
from .error_rows_cli import cli, fresh_dir, tiny_run
from .error_rows_training import _foreign_file

# ----------------------------------------------------------------------------- --data-dir, IDX files
IMAGES, LABELS = 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'
TEST_IMAGES, TEST_LABELS = 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'


def idx_bytes(array):
    """An unsigned-byte IDX file: magic 00 00 08 ndim, the sizes big-endian, the bytes."""
    header = bytes([0, 0, 8, array.ndim]) + b''.join(int(n).to_bytes(4, 'big') for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def good_idx_files():
    rng = np.random.default_rng(0)
    files = {}
    for images, labels, n in ((IMAGES, LABELS, 12), (TEST_IMAGES, TEST_LABELS, 6)):
        files[images] = idx_bytes(rng.integers(0, 256, (n, 28, 28)))
        files[labels] = idx_bytes(rng.integers(0, 10, (n,)))
    return files


GOOD_IDX = good_idx_files()


def idx_folder(files):
    folder = fresh_dir()
    for name, content in files.items():
        with open(os.path.join(folder, name), 'wb') as f:
            f.write(content)
    return folder


def mnist_run(data_dir, data='mnist'):
    return ['train', 'dcgan', '--data', data, '--data-dir', data_dir, '--steps', '1', '--width', '4',
            '--batch-size', '4', '--eval-every', '0', '--out', fresh_dir()]


@row('command line: a wrong --data-dir or broken MNIST IDX files')
@st.composite
def _idx(draw):
    name = draw(st.sampled_from(sorted(GOOD_IDX)))
    good = GOOD_IDX[name]
    kind = draw(st.sampled_from(['truncated', 'gzip truncated', 'extra bytes', 'magic', 'data type', 'rank',
                                 'label > 9', 'labels short', 'missing', 'no images', 'not a folder',
                                 'no folder', 'not mnist', 'no --data-dir']))
    files, error, mentions = dict(GOOD_IDX), errors.ArgumentError, ('--data-dir', name)
    if kind == 'truncated':
        files[name] = good[:draw(st.integers(0, len(good) - 1))]
    elif kind == 'gzip truncated':
        packed = gzip.compress(good)
        del files[name]
        files[name + '.gz'] = packed[:draw(st.integers(0, len(packed) - 1))]
    elif kind == 'extra bytes':
        files[name] = good + draw(st.binary(min_size=1, max_size=9))
    elif kind == 'magic':
        files[name] = draw(st.binary(min_size=2, max_size=2).filter(lambda b: b != b'\0\0')) + good[2:]
    elif kind == 'data type':
        files[name] = good[:2] + bytes([draw(st.integers(0, 255).filter(lambda b: b != 8))]) + good[3:]
    elif kind == 'rank':
        files[name] = good[:3] + bytes([draw(st.integers(0, 5).filter(lambda d: d != good[3]))]) + good[4:]
    elif kind in ('label > 9', 'labels short'):
        name = LABELS if 'train' in name else TEST_LABELS
        labels = np.frombuffer(GOOD_IDX[name][8:], dtype=np.uint8).copy()
        if kind == 'label > 9':
            labels[draw(st.integers(0, len(labels) - 1))] = draw(st.integers(10, 255))
        else:
            labels = labels[:draw(st.integers(0, len(labels) - 1))]
        files[name], mentions = idx_bytes(labels), ('--data-dir', name)
    elif kind == 'missing':
        del files[name]
        error = errors.MissingFileError
    elif kind == 'no images':
        name = IMAGES if 'train' in name else TEST_IMAGES
        files[name], mentions = idx_bytes(np.zeros((0, 28, 28))), ('--data-dir', name)
    if kind in ('not a folder', 'no folder', 'not mnist', 'no --data-dir'):
        return _data_dir_itself(kind)
    return cli(f"--data-dir with {name} {kind}", lambda: mnist_run(idx_folder(files)), error, mentions)


def _data_dir_itself(kind):
    if kind == 'not mnist':
        return cli("--data-dir for the digits", lambda: mnist_run(idx_folder(GOOD_IDX), 'digits'),
                   errors.ArgumentError, ('--data-dir', 'digits'))
    if kind == 'no --data-dir':
        return cli("--data mnist without --data-dir", lambda: mnist_run(idx_folder(GOOD_IDX))[:5] + ['--steps', '1'],
                   errors.ArgumentError, ('--data-dir',))
    make = {'not a folder': lambda: os.path.join(idx_folder(GOOD_IDX), IMAGES),
            'no folder': lambda: os.path.join(fresh_dir(), 'mnist')}[kind]
    return cli(f"--data-dir that is {kind}", lambda: mnist_run(make()), errors.MissingFileError,
               ('--data-dir', 'is not a directory'))


# ----------------------------------------------------------------------------- run checkpoints
def checkpoint_of(variant):
    return os.path.join(tiny_run(variant), 'checkpoint.npz')


def edited(variant, edit):
    """The run checkpoint of ``variant`` loaded, changed by ``edit(saved)``, saved to a fresh file."""
    saved = mg.load(checkpoint_of(variant))
    edit(saved)
    path = os.path.join(fresh_dir(), 'checkpoint.npz')
    mg.save(saved, path)
    return path


def swapped_recipe(saved, other='cgan'):
    saved['recipe'] = mg.load(checkpoint_of(other))['recipe']


def misshaped_weight(saved):
    weights = saved['recipe']['networks']['G']
    key = sorted(weights)[0]
    weights[key] = mg.zeros(*[n + 1 for n in weights[key].shape])


EDITS = {  # what is changed -> (the change, the error, what the message names besides the option)
    'not a run': (lambda s: s.clear() or s.update(G=mg.zeros(2), step=3), errors.CheckpointError, 'training run'),
    'unknown variant': (lambda s: s.update(variant='vae'), errors.CheckpointError, "'vae'"),
    'another variant': (lambda s: s.update(variant='wgan'), errors.CheckpointError, 'wgan'),
    'another variant state': (swapped_recipe, errors.StateDictError, 'dcgan'),
    'mis-shaped weight': (misshaped_weight, errors.StateDictError, 'size mismatch'),
    'NaN setting': (lambda s: s['settings'].update(lr=float('nan')), errors.ArgumentError, 'lr (--lr)'),
    'unknown setting': (lambda s: s['settings'].update(lambda_gp=10.0), errors.CheckpointError, 'lambda_gp'),
    'broken data': (lambda s: s['data'].update(name='faces'), errors.CheckpointError, 'faces'),
    'broken history': (lambda s: s.update(history={'loss_d': mg.zeros(2, 2)}), errors.CheckpointError, 'history'),
    'broken target': (lambda s: s.update(target={'days': 3}), errors.CheckpointError, 'days'),
    'broken optimizer': (lambda s: s['recipe']['optimizers'].update(G=[1, 2]), errors.StateDictError, 'Adam'),
}
RESUME_ONLY_EDITS = {  # sample does not read these
    'broken rng': (lambda s: s.update(rng={'bit_generator': 'Nonsense'}), errors.CheckpointError, 'random'),
    'data position': (lambda s: s['stream'].update(position=99), errors.CheckpointError, '99'),
}


def run_file_command(option, path):
    """The command line that reads the run checkpoint at ``path`` through ``option``."""
    if option == '--checkpoint':
        return ['sample', '--checkpoint', path, '--n', '2', '--out', os.path.join(fresh_dir(), 's.npy')]
    folder = os.path.dirname(path)
    return ['train', '--resume', '--out', folder, '--steps', '1']  # step 1 is done: nothing to train


def written(data):
    path = os.path.join(fresh_dir(), 'checkpoint.npz')
    with open(path, 'wb') as f:
        f.write(data)
    return path


@row('command line: broken, foreign or edited checkpoints, and a checkpoint of another variant')
@st.composite
def _run_files(draw):
    option = draw(st.sampled_from(['--checkpoint', '--resume']))
    edits = {**EDITS, **(RESUME_ONLY_EDITS if option == '--resume' else {})}
    kind = draw(st.sampled_from(['truncated', 'bytes changed', 'foreign'] + sorted(edits)))
    if kind in edits:
        edit, error, names = edits[kind]
        return cli(f"{option} with a run checkpoint: {kind}", lambda: run_file_command(option, edited('dcgan', edit)),
                   error, (option, names))
    if kind == 'foreign':
        what, data = draw(_foreign_file())
        return cli(f"{option} given {what}", lambda: run_file_command(option, written(data)),
                   errors.CheckpointError, (option, 'checkpoint.npz'))
    with open(checkpoint_of('dcgan'), 'rb') as f:
        good = f.read()
    if kind == 'truncated':
        cut = draw(st.integers(0, len(good) - 1))
        data, what = good[:cut], f"cut to {cut} of {len(good)} bytes"
    else:
        start, junk = draw(st.integers(0, len(good) - 1)), draw(st.binary(min_size=1, max_size=8))
        data, what = (good[:start] + junk + good[start + len(junk):])[:len(good)], f"{len(junk)} bytes at {start} changed"
    # a changed byte that nothing reads (a zip timestamp), or in a weight's value, leaves a usable run
    return cli(f"{option} with a run checkpoint {what}", lambda: run_file_command(option, written(data)),
               errors.MiniganError, (option,), harmless=(lambda status: status == 0) if kind != 'truncated' else None)


# ----------------------------------------------------------------------------- --input
def npy_bytes(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def npz_bytes():
    buffer = io.BytesIO()
    np.savez(buffer, x=np.zeros(2))
    return buffer.getvalue()


GOOD_INPUT = npy_bytes(np.zeros((2, 1, 28, 28), dtype=np.float32))
INPUTS = {  # kind -> (the file's bytes, the words the message must hold besides --input)
    'images of 8-bit pixels': (npy_bytes(np.full((2, 1, 28, 28), 255.0, np.float32)), '[255, 255]'),
    'a NaN': (npy_bytes(np.array([np.nan] * 1568, np.float32).reshape(2, 1, 28, 28)), 'NaN'),
    'int images': (npy_bytes(np.zeros((2, 1, 28, 28), np.int64)), 'int64'),
    'bool images': (npy_bytes(np.zeros((2, 1, 28, 28), bool)), 'bool'),
    'complex images': (npy_bytes(np.zeros((2, 1, 28, 28), np.complex64)), 'complex64'),
    'no images': (npy_bytes(np.zeros((0, 1, 28, 28), np.float32)), '(0, 1, 28, 28)'),
    'three channels': (npy_bytes(np.zeros((2, 3, 28, 28), np.float32)), '(2, 3, 28, 28)'),
    'one image, no batch': (npy_bytes(np.zeros((28, 28), np.float32)), '(28, 28)'),
    'small images': (npy_bytes(np.zeros((2, 1, 14, 14), np.float32)), '(2, 1, 14, 14)'),
    'pickled objects': (npy_bytes(np.array([{'a': 1}], dtype=object), allow_pickle=True), 'not a plain .npy'),
    'an .npz': (npz_bytes(), '.npz'),
    'text': (b'0.1, 0.2\n', 'not a plain .npy'),
}


@row('command line: --input files a translation model cannot take')
@st.composite
def _inputs(draw):
    kind = draw(st.sampled_from(sorted(INPUTS) + ['truncated', 'missing', 'suffix', 'pickle']))
    error = errors.ShapeError if kind in ('one image, no batch', 'small images', 'three channels') else errors.ArgumentError
    if kind in INPUTS:
        data, names = INPUTS[kind]
    elif kind == 'truncated':
        data, names = GOOD_INPUT[:draw(st.integers(0, len(GOOD_INPUT) - 1))], 'npy'
    elif kind == 'pickle':
        data, names = pickle.dumps(np.zeros((2, 1, 28, 28), np.float32)), 'not a plain .npy'
    else:
        data, names = GOOD_INPUT, 'images.npy' if kind == 'missing' else 'images.png'
        error = errors.MissingFileError if kind == 'missing' else errors.ArgumentError

    def argv():
        folder = fresh_dir()
        path = os.path.join(folder, 'images.npy' if kind != 'suffix' else 'images.png')
        if kind != 'missing':
            with open(path, 'wb') as f:
                f.write(data)
        return ['sample', '--checkpoint', checkpoint_of('pix2pix'), '--out', os.path.join(folder, 's.npy'),
                '--input', path]
    return cli(f"sample pix2pix --input with {kind}", argv, error, ('--input', names))
