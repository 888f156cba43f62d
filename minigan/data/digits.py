"""The digits: 5,000 real MNIST images (500 per class) shipped inside the package.

Licence and source: NOTICE.md beside this file (MNIST, CC BY-SA 3.0).

The split is fixed and needs no random numbers: within each class, in file order, the first 450
images are the training set and the last 50 the held-out set -- 4,500 and 500 images, balanced.
Images come as float32 (N, 1, 28, 28) in [-1, 1] (x / 127.5 - 1: the range of a tanh
generator's output), labels as int64 (N,).
"""
from importlib import resources

from .. import backend
from ..errors import ArgumentError
from ..tensor import Tensor
from ..utils.data import TensorDataset

SPLITS = ('train', 'test')
HELD_OUT_PER_CLASS = 50
_cache = {}


def _arrays():
    """(images uint8 (5000, 28, 28), labels uint8 (5000,)) read once from the package."""
    if not _cache:
        with resources.as_file(resources.files(__package__) / 'mnist5k.npz') as path:
            arrays = backend.load_npz(path)
        _cache.update(images=arrays['images'], labels=arrays['labels'])
    return _cache['images'], _cache['labels']


def split_indices(split):
    """Indices of ``split`` ('train' or 'test') into the 5,000 images, in file order."""
    if split not in SPLITS:
        raise ArgumentError(f"digits: unknown split {split!r}; expected one of {SPLITS}")
    _, labels = _arrays()
    xp = backend.xp_of(labels)
    rank = xp.zeros(labels.shape, dtype=backend.int64)  # position of each image within its class
    for k in range(10):
        members = xp.flatnonzero(labels == k)
        rank[members] = xp.arange(members.size)
    per_class = xp.bincount(labels, minlength=10)
    train = rank < per_class[labels] - HELD_OUT_PER_CLASS
    return xp.flatnonzero(train if split == 'train' else ~train)


def digits(split='train', device=None):
    """TensorDataset of (image (1, 28, 28) float32 in [-1, 1], label int64) for ``split``."""
    images, labels = _arrays()
    index = split_indices(split)
    x = images[index].astype(backend.float32)[:, None] / 127.5 - 1.0
    y = labels[index].astype(backend.int64)
    return TensorDataset(Tensor(backend.to_device(x, device or 'cpu')),
                         Tensor(backend.to_device(y, device or 'cpu')))
