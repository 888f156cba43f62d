"""PyTorch twins of the project's networks (minigan/gan/models/), for the whole-step benchmark.

Each twin has its model's layers under the same attribute names, so the two state_dicts have the
same keys and ``sides.copy_weights`` makes the twin start where the minigan model starts. Only
what InfoGAN's and CycleGAN's recipes build is mirrored (no labels, no packing).
"""
from torch import nn  # imported only where PyTorch is installed (recipes.py asks first)


class ConvGenerator(nn.Module):
    """minigan.gan.models.ConvGenerator(latent_dim, channels, img_size, width, hidden=hidden)."""

    def __init__(self, latent_dim, channels, img_size, width, hidden=0):
        super().__init__()
        self.width, self.base = width, img_size // 4
        inputs, layers = latent_dim, []
        if hidden:
            layers = [nn.Linear(inputs, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU()]
            inputs = hidden
        self.project = nn.Sequential(*layers, nn.Linear(inputs, 2 * width * self.base ** 2, bias=False))
        self.net = nn.Sequential(
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.net(self.project(z).reshape(z.shape[0], 2 * self.width, self.base, self.base))


class ConvTrunk(nn.Module):
    def __init__(self, in_channels, img_size, width, batch_norm=True, hidden=0, hidden_batch_norm=False):
        super().__init__()
        flat = 2 * width * (img_size // 4) ** 2
        layers = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2),
                  nn.Conv2d(width, 2 * width, 4, 2, 1, bias=not batch_norm),
                  *([nn.BatchNorm2d(2 * width)] if batch_norm else []), nn.LeakyReLU(0.2), nn.Flatten()]
        if hidden:
            norm = [nn.BatchNorm1d(hidden)] if hidden_batch_norm else []
            layers += [nn.Linear(flat, hidden, bias=not norm), *norm, nn.LeakyReLU(0.2)]
        self.features = hidden or flat
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class InfoGANDiscriminator(nn.Module):
    """minigan.gan.models.InfoGANDiscriminator: (logits (N,), Q's category logits, Q's code means)."""

    def __init__(self, channels, img_size, width, n_categories, n_continuous, hidden=0, hidden_batch_norm=False):
        super().__init__()
        self.n_categories = n_categories
        self.trunk = ConvTrunk(channels, img_size, width, hidden=hidden, hidden_batch_norm=hidden_batch_norm)
        self.head = nn.Linear(self.trunk.features, 1)
        self.q = nn.Sequential(nn.Linear(self.trunk.features, 128, bias=False), nn.BatchNorm1d(128),
                               nn.LeakyReLU(0.2), nn.Linear(128, n_categories + n_continuous))

    def forward(self, x):
        h = self.trunk(x)
        q = self.q(h)
        return self.head(h).reshape(x.shape[0]), q[:, :self.n_categories], q[:, self.n_categories:]


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, padding_mode='reflect', bias=False),
            nn.InstanceNorm2d(channels), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1, padding_mode='reflect', bias=False),
            nn.InstanceNorm2d(channels))

    def forward(self, x):
        return x + self.block(x)


class ResnetGenerator(nn.Module):
    """minigan.gan.models.ResnetGenerator(in_channels, out_channels, width, n_blocks)."""

    def __init__(self, in_channels, out_channels, width, n_blocks):
        super().__init__()
        k = width
        layers = [nn.Conv2d(in_channels, k, 7, padding=3, padding_mode='reflect', bias=False),
                  nn.InstanceNorm2d(k), nn.ReLU()]
        for m in (1, 2):
            layers += [nn.Conv2d(m * k, 2 * m * k, 3, 2, 1, bias=False), nn.InstanceNorm2d(2 * m * k), nn.ReLU()]
        layers += [ResidualBlock(4 * k) for _ in range(n_blocks)]
        for m in (2, 1):
            layers += [nn.ConvTranspose2d(2 * m * k, m * k, 3, 2, 1, output_padding=1, bias=False),
                       nn.InstanceNorm2d(m * k), nn.ReLU()]
        layers += [nn.Conv2d(k, out_channels, 7, padding=3, padding_mode='reflect'), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class PatchDiscriminator(nn.Module):
    """minigan.gan.models.PatchDiscriminator(in_channels, width, n_layers) with instance norm."""

    def __init__(self, in_channels, width, n_layers):
        super().__init__()
        layers = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
        channels = width
        for n in range(1, n_layers + 1):
            out = width * min(2 ** n, 8)
            layers += [nn.Conv2d(channels, out, 4, 2 if n < n_layers else 1, 1, bias=False),
                       nn.InstanceNorm2d(out), nn.LeakyReLU(0.2)]
            channels = out
        layers.append(nn.Conv2d(channels, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)
