"""Two domains of digits for image-to-image translation: thin strokes ↔ bold strokes.

Domain A is the digits as written; domain B the same kind of digit drawn with a bolder pen, made
by a grey-level *dilation*: each pixel takes the brightest value in its 3×3 neighbourhood,

    bold(x)[i, j] = max over |di| ≤ 1, |dj| ≤ 1 of x[i + di, j + dj],

which widens every stroke by a pixel on each side (MNIST strokes are 2-3 pixels wide, so about
twice as thick). The change is plain to see, yet not trivial to learn backwards: thinning must
decide where the pen's centre was, and A → B → A must keep the digit's identity and shape.

Two versions of the task:
    unpaired (CycleGAN)  each example is (a, b) from two *different* training images, a thin
                         and b bold, so nothing tells the model which bold digit a becomes;
                         the two halves are a fixed, class-balanced split of the 4,500 images.
    paired (Pix2Pix)     each example is (x, bold(x)): the input and its exact target.
The held-out split ('test') is always paired (x, bold(x)), so a translation's error can be
measured against the true target.
"""
from .. import backend
from ..tensor import Tensor
from ..utils.data import TensorDataset
from .digits import digits

SPLIT_SEED = 20170330  # the fixed shuffle that deals the training digits into the two domains


def bold(images):
    """Grey-level dilation of (N, C, H, W) images with a 3×3 square: strokes a pixel wider per side.

    Works on Tensors and raw arrays (returns the same kind); the padding value is the image's
    minimum (−1, the background), so edges do not grow ink.
    """
    array = images.array if isinstance(images, Tensor) else images
    xp = backend.xp_of(array)
    h, w = array.shape[-2:]
    padded = xp.pad(array, [(0, 0)] * (array.ndim - 2) + [(1, 1), (1, 1)], constant_values=array.min())
    out = array.copy()
    for di in range(3):
        for dj in range(3):
            out = xp.maximum(out, padded[..., di:di + h, dj:dj + w])
    return Tensor(out) if isinstance(images, Tensor) else out


def strokes(split='train', paired=False, device=None):
    """TensorDataset of (thin (1, 28, 28), bold (1, 28, 28)) float32 images in [−1, 1].

    split 'train' with paired=False: the unpaired CycleGAN set (2,250 examples, a and b from
    different images); with paired=True: the Pix2Pix set (4,500 pairs). split 'test': the 500
    held-out digits, always paired.
    """
    x, labels = digits(split).tensors
    images = x.array
    if split == 'train' and not paired:
        rng = backend.generator(SPLIT_SEED)
        order = rng.permutation(images.shape[0])
        order = order[labels.array[order].argsort(kind='stable')]  # class by class, shuffled within
        thin, thick = order[0::2], order[1::2]  # alternate: both halves hold 225 of each class
        a, b = images[thin], bold(images[rng.permutation(thick)])  # b's rows unrelated to a's
    else:
        a, b = images, bold(images)
    device = device or 'cpu'
    return TensorDataset(Tensor(backend.to_device(a, device)), Tensor(backend.to_device(b, device)))
