"""Data sets for training GANs: the digits shipped inside the package, and more built on them.

    digits    5,000 real MNIST digits (4,500 train / 500 held-out), shipped in the package
    mnist     your own full MNIST, read from its IDX files (``data_dir``)
    ring8     8 Gaussian modes on a circle; grid25: 25 on a grid (the PacGAN 2-D sets)
    strokes   thin ↔ bold digits, unpaired (CycleGAN); strokes-paired: the same, paired (Pix2Pix)

Every set is a TensorDataset whose examples are tuples. ``CATALOG`` says what each holds --
its *kind* -- which is how a training recipe knows whether it can learn from it:

    points     (point (2,), mode index)         2-D mixtures
    labelled   (image (C, H, W), class label)   digits, mnist
    unpaired   (a (C, H, W), b (C, H, W))       two domains, a and b from different images
    paired     (a (C, H, W), b (C, H, W))       b is a's translation
"""
from dataclasses import dataclass

from ..errors import ArgumentError
from .digits import digits
from .mixtures import MIXTURES, grid25, mixture, mixture_dataset, mixture_geometry, ring8  # noqa: F401
from .mnist import mnist, read_idx  # noqa: F401
from .strokes import bold, strokes  # noqa: F401


@dataclass(frozen=True)
class Entry:
    kind: str
    load: object  # load(split, data_dir, device) -> TensorDataset
    about: str


CATALOG = {
    'digits': Entry('labelled', lambda split, data_dir, device: digits(split, device),
                    "the 5,000 MNIST digits shipped in the package (4,500 train / 500 held-out)"),
    'mnist': Entry('labelled', lambda split, data_dir, device: mnist(data_dir, split, device),
                   "your full MNIST from its IDX files in --data-dir (60,000 / 10,000)"),
    'ring8': Entry('points', lambda split, data_dir, device: mixture_dataset('ring8', split, device),
                   "8 Gaussians on the unit circle, sigma 0.01"),
    'grid25': Entry('points', lambda split, data_dir, device: mixture_dataset('grid25', split, device),
                    "25 Gaussians on {-4,-2,0,2,4}^2, sigma 0.05"),
    'strokes': Entry('unpaired', lambda split, data_dir, device: strokes(split, False, device),
                     "thin vs bold digits, unpaired (held-out: paired)"),
    'strokes-paired': Entry('paired', lambda split, data_dir, device: strokes(split, True, device),
                            "thin digits and their bold versions, paired"),
}


def load(name, split='train', data_dir=None, device=None):
    """The data set ``name`` of CATALOG, split 'train' or 'test', on ``device``."""
    if name not in CATALOG:
        raise ArgumentError(f"data: unknown data set {name!r}; expected one of {sorted(CATALOG)}")
    if name == 'mnist' and data_dir is None:
        raise ArgumentError("data: 'mnist' reads your MNIST IDX files: give the folder with --data-dir")
    return CATALOG[name].load(split, data_dir, device)
