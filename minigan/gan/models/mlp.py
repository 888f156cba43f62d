"""Fully connected G and D for 2-D points (and flattened images), after PacGAN's 2-D set-up.

    G: z (N, latent_dim) → [Linear → BatchNorm → ReLU] × depth → Linear → x (N, out_features)
    D: x (N, in_features) → [Maxout(pieces)] × depth → Linear → logit (N,)

A maxout unit outputs the largest of ``pieces`` linear functions of its input,
h_j = max_k (W_k x + b_k)_j: a learned piecewise-linear activation (Goodfellow et al. 2013) that
PacGAN's and the original GAN's discriminators use. PacGAN's sizes: G 4 × 400 units, D 3 × 200
maxout units of 5 pieces. ``pack`` > 1 makes D read m samples at once (its input is m·in_features
wide; the recipe concatenates them) -- PacGAN's remedy for mode collapse.

``scale`` is the data's spread as the networks see it: G's output is multiplied by it and D's input
divided by it, so both work in units of about 1 whatever the data's range (grid25 spans ±4: with
scale 4 Adam's steps of ~lr on the first and last weights move the points 4 times less).

For images, ``out_shape`` reshapes G's output (e.g. (1, 28, 28), with a tanh for [−1, 1]) and D
flattens its input: the fully connected GAN of Goodfellow et al. (2014).
"""
import math

from ... import nn
from ...errors import ArgumentError


class Maxout(nn.Module):
    """y = max over k of (x Wₖᵀ + bₖ) for ``pieces`` linear maps: (N, in) → (N, out_features)."""

    def __init__(self, in_features, out_features, pieces=5):
        super().__init__()
        if pieces < 1:
            raise ArgumentError(f"Maxout: pieces must be >= 1, got {pieces}")
        self.out_features, self.pieces = out_features, pieces
        self.linear = nn.Linear(in_features, out_features * pieces)

    def forward(self, x):
        # the pieces of a unit lie out_features apart: max over the middle dim of (N, pieces, out)
        # is an elementwise max of `pieces` contiguous rows, ~50x faster in NumPy than a max over
        # a trailing dim of 5 (0.04 against 2 ms for D's (100, 200, 5) on one core)
        return self.linear(x).reshape(x.shape[0], self.pieces, self.out_features).amax(dim=1)

    def extra_repr(self):
        return f'pieces={self.pieces}'


class MLPGenerator(nn.Module):
    """z (N, latent_dim) → x (N, *out_shape); ``depth`` hidden layers of ``hidden`` units."""

    def __init__(self, latent_dim, out_shape=(2,), hidden=400, depth=4, batch_norm=True, tanh=False, scale=1.0):
        super().__init__()
        self.latent_dim, self.out_shape, self.scale = latent_dim, tuple(out_shape), scale
        layers, width = [], latent_dim
        for _ in range(depth):
            # no bias before batch norm: the normalization subtracts it again
            layers += [nn.Linear(width, hidden, bias=not batch_norm)]
            layers += ([nn.BatchNorm1d(hidden)] if batch_norm else []) + [nn.ReLU()]
            width = hidden
        layers.append(nn.Linear(width, math.prod(self.out_shape)))
        if tanh:
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        x = self.net(z).reshape(z.shape[0], *self.out_shape)
        return x if self.scale == 1 else x * self.scale


class MLPDiscriminator(nn.Module):
    """x (N, *in_shape) → logits (N,); ``depth`` maxout layers of ``hidden`` units, ``pieces`` each.

    ``in_shape`` is one (packed) example's shape; it is flattened.
    """

    def __init__(self, in_shape=(2,), hidden=200, depth=3, pieces=5, scale=1.0):
        super().__init__()
        self.in_features, self.scale = math.prod(in_shape), scale
        layers, width = [], self.in_features
        for _ in range(depth):
            layers.append(Maxout(width, hidden, pieces))
            width = hidden
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        x = x.reshape(x.shape[0], self.in_features)
        return self.net(x if self.scale == 1 else x / self.scale).reshape(x.shape[0])
