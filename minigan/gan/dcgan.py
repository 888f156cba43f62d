"""DCGAN (Radford et al. 2016): the BCE game of ``gan`` with convolutional networks.

    D step:  loss_D = −E[log D(x)] − E[log(1 − D(G(z)))]
    G step:  loss_G = −E[log D(G(z))]

The published recipe: transposed-conv G with batch norm and ReLU (tanh out), strided-conv D with
LeakyReLU 0.2 and batch norm (none on its first layer), every weight from N(0, 0.02²), Adam with
lr 2e-4 and β1 = 0.5, batches of 128. On 2-D points it uses the MLPs (convolutions need images).
"""
from dataclasses import dataclass

from .gan import GAN, GANSettings
from .recipe import option


@dataclass
class DCGANSettings(GANSettings):
    batch_size: int = option(128, "examples per batch")
    lr: float = option(2e-4, "learning rate (of G; of D too unless --lr-d is given)")


class DCGAN(GAN):
    name = 'dcgan'
    about = "DCGAN: convolutional G and D, BCE, Adam 2e-4 beta1 0.5, N(0, 0.02) init"
    Settings = DCGANSettings
    default_data = 'digits'
    default_epochs = 5
    conv = True
