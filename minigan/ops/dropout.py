"""Channel dropout (dropout1d, dropout2d): zero whole feature maps instead of single elements.

Neighbouring pixels of a feature map are strongly correlated, so zeroing single pixels (plain
dropout, in ops/activation.py) barely regularizes a convolutional layer: the neighbours carry
the same information. dropout2d zeroes each channel of each sample with probability p, and
scales the kept ones by 1/(1-p) (Tompson et al. 2015) -- every conv discriminator in the classic
GAN collections uses it. The mask has shape (N, C, 1, 1) and broadcasts over the map.
"""
import warnings

from .. import backend
from ..errors import ArgumentError, ShapeError
from ..tensor import Tensor


def _channel_dropout(input, p, training, op):
    if not 0.0 <= p <= 1.0:
        raise ArgumentError(f"{op}: probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if input.ndim < 2:
        raise ShapeError(f"{op}: expected an input with a channel dim, got shape {tuple(input.shape)}")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    if p == 1.0:
        mask = input.xp.zeros(shape, dtype=input.dtype)
    else:
        keep = backend.random_uniform(shape, input.dtype, input.device) >= p
        mask = keep.astype(input.dtype) * (1.0 / (1.0 - p))
    return input * Tensor(mask)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero each channel of (N, C, H, W) with probability p, scale the rest by 1/(1-p).

    As torch does today, a 3-D input is read as (N, C, L) (channel-wise 1-D dropout) and a 2-D
    one as (N, C) (plain dropout), each with a warning that names the right function.
    """
    if input.ndim == 3:
        warnings.warn("dropout2d: a 3-D input is read as (N, C, L), channel-wise 1-D dropout, as torch "
                      "does today; use dropout1d for that, or add the batch dim for (C, H, W)", UserWarning)
    elif input.ndim == 2:
        warnings.warn("dropout2d: a 2-D input (N, C) gets plain dropout; use dropout", UserWarning)
    return _channel_dropout(input, p, training, 'dropout2d')


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero each channel of (N, C, L) (or unbatched (C, L)) with probability p."""
    if input.ndim not in (2, 3):
        raise ShapeError(f"dropout1d: expected (N, C, L) or (C, L) input, got shape {tuple(input.shape)}")
    if input.ndim == 2:
        return _channel_dropout(input.unsqueeze(0), p, training, 'dropout1d').squeeze(0)
    return _channel_dropout(input, p, training, 'dropout1d')
