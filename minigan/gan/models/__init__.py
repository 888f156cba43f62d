"""The model zoo: plain nn.Modules with explicit constructor arguments and no optimizer inside.

    mlp.py          MLPGenerator, MLPDiscriminator (maxout units)        for 2-D points
    conv.py         ConvGenerator, ConvDiscriminator, ProjectionDiscriminator,
                    ACGANDiscriminator, InfoGANDiscriminator             DCGAN-style, for 28² images
    translation.py  ResnetGenerator, PatchDiscriminator, UNetGenerator   CycleGAN and Pix2Pix

``init_normal`` is the initialization DCGAN, CycleGAN and Pix2Pix all publish: every conv and
linear weight from N(0, 0.02²), biases 0, and batch-norm scales from N(1, 0.02²).
"""
from ... import nn
from .conv import (ACGANDiscriminator, ConvDiscriminator, ConvGenerator, InfoGANDiscriminator,  # noqa: F401
                   ProjectionDiscriminator)
from .mlp import Maxout, MLPDiscriminator, MLPGenerator  # noqa: F401
from .translation import PatchDiscriminator, ResnetGenerator, UNetGenerator  # noqa: F401


def init_normal(module, std=0.02):
    """DCGAN's initialization, in place, for every layer of ``module``; returns ``module``.

    Spectrally normalized layers are initialized through their ``weight_orig``.
    """
    for layer in module.modules():
        weight = layer._parameters.get('weight_orig', layer._parameters.get('weight'))
        if weight is None:
            continue
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(weight, 0.0, std)
        elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(weight, 1.0, std)
        else:
            continue
        if layer._parameters.get('bias') is not None:
            nn.init.zeros_(layer.bias)
    return module


def spectral_normalized(module):
    """Apply ``nn.utils.spectral_norm`` to every conv and linear layer of ``module``; returns it."""
    for layer in list(module.modules()):
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.utils.spectral_norm(layer)
    return module
