"""Worked answers to lesson 10, and the plausible wrong answers each check must reject."""
from minigan import nn
from _course import WrongAnswers

wrong = WrongAnswers()
CONVOLUTIONS = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)


def dcgan_init_(module):
    for layer in module.modules():
        if isinstance(layer, CONVOLUTIONS):
            nn.init.normal_(layer.weight, 0.0, 0.02)
        elif isinstance(layer, BATCH_NORMS):
            nn.init.normal_(layer.weight, 1.0, 0.02)
        else:
            continue
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
    return module


@wrong('dcgan_init_', "uses a standard deviation of 0.2: ten times DCGAN's")
def _(module):
    for layer in module.modules():
        if isinstance(layer, CONVOLUTIONS):
            nn.init.normal_(layer.weight, 0.0, 0.2)
        elif isinstance(layer, BATCH_NORMS):
            nn.init.normal_(layer.weight, 1.0, 0.2)
        else:
            continue
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
    return module


@wrong('dcgan_init_', "draws batch norm's γ around 0 like a weight: every normalized channel starts switched off")
def _(module):
    for layer in module.modules():
        if isinstance(layer, CONVOLUTIONS + BATCH_NORMS):
            nn.init.normal_(layer.weight, 0.0, 0.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return module


@wrong('dcgan_init_', "forgets the transposed convolutions (ConvTranspose2d is not a kind of Conv2d)")
def _(module):
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.normal_(layer.weight, 0.0, 0.02)
        elif isinstance(layer, BATCH_NORMS):
            nn.init.normal_(layer.weight, 1.0, 0.02)
        else:
            continue
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
    return module


@wrong('dcgan_init_', "leaves the biases as they were")
def _(module):
    for layer in module.modules():
        if isinstance(layer, CONVOLUTIONS):
            nn.init.normal_(layer.weight, 0.0, 0.02)
        elif isinstance(layer, BATCH_NORMS):
            nn.init.normal_(layer.weight, 1.0, 0.02)
    return module


def generator_block(in_channels, out_channels):
    return nn.Sequential(nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU())


@wrong('generator_block', "a 3×3 kernel (output_padding 1 keeps the size): stride 2 does not divide it")
def _(in_channels, out_channels):
    return nn.Sequential(nn.ConvTranspose2d(in_channels, out_channels, 3, 2, 1, output_padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU())


@wrong('generator_block', "LeakyReLU in G: DCGAN keeps it for D")
def _(in_channels, out_channels):
    return nn.Sequential(nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.2))


@wrong('generator_block', "forgets the batch norm")
def _(in_channels, out_channels):
    return nn.Sequential(nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False), nn.ReLU())


def discriminator_block(in_channels, out_channels, batch_norm=True):
    layers = [nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    return nn.Sequential(*layers, nn.LeakyReLU(0.2))


@wrong('discriminator_block', "LeakyReLU with its default slope, 0.01, not DCGAN's 0.2")
def _(in_channels, out_channels, batch_norm=True):
    layers = [nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    return nn.Sequential(*layers, nn.LeakyReLU())


@wrong('discriminator_block', "ReLU in D: units that die pass G no gradient")
def _(in_channels, out_channels, batch_norm=True):
    layers = [nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    return nn.Sequential(*layers, nn.ReLU())


@wrong('discriminator_block', "adds batch norm whatever batch_norm says")
def _(in_channels, out_channels, batch_norm=True):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.2))


@wrong('discriminator_block', "a 3×3 kernel with padding 1: the same output size, not DCGAN's layer")
def _(in_channels, out_channels, batch_norm=True):
    layers = [nn.Conv2d(in_channels, out_channels, 3, 2, 1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    return nn.Sequential(*layers, nn.LeakyReLU(0.2))


def dcgan_generator(latent_dim, width):
    return nn.Sequential(nn.Linear(latent_dim, 2 * width * 7 * 7, bias=False), nn.Unflatten(1, (2 * width, 7, 7)),
                         nn.BatchNorm2d(2 * width), nn.ReLU(),
                         generator_block(2 * width, width),
                         nn.ConvTranspose2d(width, 1, 4, 2, 1), nn.Tanh())


@wrong('dcgan_generator', "ends with a sigmoid: images in (0, 1), not the digits' [-1, 1]")
def _(latent_dim, width):
    return nn.Sequential(nn.Linear(latent_dim, 2 * width * 7 * 7, bias=False), nn.Unflatten(1, (2 * width, 7, 7)),
                         nn.BatchNorm2d(2 * width), nn.ReLU(),
                         generator_block(2 * width, width),
                         nn.ConvTranspose2d(width, 1, 4, 2, 1), nn.Sigmoid())


@wrong('dcgan_generator', "uses a generator block for the output layer too: batch norm on G's output")
def _(latent_dim, width):
    return nn.Sequential(nn.Linear(latent_dim, 2 * width * 7 * 7, bias=False), nn.Unflatten(1, (2 * width, 7, 7)),
                         nn.BatchNorm2d(2 * width), nn.ReLU(),
                         generator_block(2 * width, width), generator_block(width, 1), nn.Tanh())


@wrong('dcgan_generator', "no batch norm after the projection")
def _(latent_dim, width):
    return nn.Sequential(nn.Linear(latent_dim, 2 * width * 7 * 7, bias=False), nn.Unflatten(1, (2 * width, 7, 7)),
                         nn.ReLU(), generator_block(2 * width, width),
                         nn.ConvTranspose2d(width, 1, 4, 2, 1), nn.Tanh())


def dcgan_discriminator(width):
    return nn.Sequential(discriminator_block(1, width, batch_norm=False), discriminator_block(width, 2 * width),
                         nn.Flatten(), nn.Linear(2 * width * 7 * 7, 1))


@wrong('dcgan_discriminator', "batch norm on the input layer too")
def _(width):
    return nn.Sequential(discriminator_block(1, width), discriminator_block(width, 2 * width),
                         nn.Flatten(), nn.Linear(2 * width * 7 * 7, 1))


@wrong('dcgan_discriminator', "ends with a sigmoid: the BCE from logits would apply it twice")
def _(width):
    return nn.Sequential(discriminator_block(1, width, batch_norm=False), discriminator_block(width, 2 * width),
                         nn.Flatten(), nn.Linear(2 * width * 7 * 7, 1), nn.Sigmoid())
