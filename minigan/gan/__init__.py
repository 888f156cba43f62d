"""minigan.gan: the GAN zoo -- models, one training recipe per GAN, sampling, and the metrics
that judge them (metrics.py, classifier.py).

    RECIPES['dcgan'](settings, data_info, device)   a recipe ready to step (see recipe.py)

Every recipe is driven by the one training loop of the command line (``python -m minigan train``).
"""
from .acgan import ACGAN
from .cgan import CGAN
from .cyclegan import CycleGAN
from .dcgan import DCGAN
from .gan import GAN
from .hinge import Hinge
from .infogan import InfoGAN
from .lsgan import LSGAN
from .pix2pix import Pix2Pix
from .recipe import DataInfo, Recipe, Settings, settings_dict  # noqa: F401
from .wgan import WGAN
from .wgan_gp import WGANGP

RECIPES = {recipe.name: recipe for recipe in
           (GAN, DCGAN, LSGAN, WGAN, WGANGP, Hinge, CGAN, ACGAN, InfoGAN, CycleGAN, Pix2Pix)}
