"""DCGAN-style convolutional G and D for small images (28², any size divisible by 4).

Generator (Radford et al. 2016, scaled to 28²; s = img_size / 4, w = width):

    z (N, latent_dim) [⊕ one-hot label]  → Linear → reshape (2w, s, s) → BN → ReLU
      → ConvT 4×4 /2 → (w, 2s, 2s) → BN → ReLU → ConvT 4×4 /2 → (C, 4s, 4s) → tanh

Discriminator trunk (no batch norm on the first layer, LeakyReLU 0.2, as DCGAN):

    x (N, C [+ K label maps], 4s, 4s) → Conv 4×4 /2 → (w, 2s, 2s) → LReLU
      → Conv 4×4 /2 → (2w, s, s) → [BN] → LReLU → flatten: features (N, 2w·s²)

and heads on the features: one logit (ConvDiscriminator), plus K class logits
(ACGANDiscriminator), or plus InfoGAN's Q head (InfoGANDiscriminator). ``batch_norm=False``
makes the critic that WGAN and WGAN-GP need (batch norm mixes the samples of a batch, and the
gradient penalty is defined per sample); spectral normalization is applied by the recipe.

Conditioning, as in the course: the generator gets the one-hot label joined to z; the cGAN
discriminator gets it as K constant feature maps, map k all ones for label k, joined to the image's
channels -- so every first-layer filter sees the label at every position.
ProjectionDiscriminator conditions D by projection instead (Miyato & Koyama 2018):

    D(x, y) = w·φ(x) + b + e_y·φ(x)        φ(x): the trunk's features, e_y: a learned vector per class

The optimal D's logit is log p(x, y)/q(x, y) (data over model) = log p(x)/q(x) + log p(y|x)/q(y|x);
when both class posteriors are softmaxes of linear functions of φ(x), the second term is
e_y·φ(x) up to a term free of y. So the label enters once, at the end, as an inner product with
the features, instead of as maps that the first layer must learn to use.
"""
from ... import creation, nn
from ...errors import ArgumentError
from ...ops.shape import cat


def one_hot(labels, n_classes, dtype=None):
    """(N,) int labels → (N, n_classes) float rows of the identity matrix."""
    return creation.eye(n_classes, dtype=dtype, device=labels.device)[labels]


def _check_size(name, img_size):
    if img_size % 4:
        raise ArgumentError(f"{name}: img_size {img_size} is not divisible by 4; the two stride-2 layers "
                            "need it (28 and 32 work)")


class ConvGenerator(nn.Module):
    """z (N, latent_dim) [and labels (N,) when n_classes > 0] → images (N, channels, img_size, img_size).

    ``hidden`` > 0 puts a fully connected layer of that many units (batch norm, ReLU) before the
    projection, as InfoGAN's MNIST generator has (1,024).
    """

    def __init__(self, latent_dim=100, channels=1, img_size=28, width=64, n_classes=0, hidden=0):
        super().__init__()
        _check_size('ConvGenerator', img_size)
        self.latent_dim, self.n_classes, self.width = latent_dim, n_classes, width
        self.base = img_size // 4
        inputs, layers = latent_dim + n_classes, []
        if hidden:
            layers = [nn.Linear(inputs, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU()]
            inputs = hidden
        self.project = nn.Sequential(*layers, nn.Linear(inputs, 2 * width * self.base ** 2, bias=False))
        self.net = nn.Sequential(
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh())

    def forward(self, z, labels=None):
        if self.n_classes:
            z = cat([z, one_hot(labels, self.n_classes, z.dtype)], 1)
        h = self.project(z).reshape(z.shape[0], 2 * self.width, self.base, self.base)
        return self.net(h)


class ConvTrunk(nn.Module):
    """x (N, in_channels, S, S) → features (N, 2·width·(S/4)²), or (N, hidden) when ``hidden`` > 0
    adds a fully connected layer on top (LeakyReLU; batch norm if ``hidden_batch_norm``, else a
    bias), as InfoGAN's MNIST D has (1,024 units, batch norm).
    """

    def __init__(self, in_channels=1, img_size=28, width=64, batch_norm=True, hidden=0, hidden_batch_norm=False):
        super().__init__()
        _check_size('ConvTrunk', img_size)
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


class ConvDiscriminator(nn.Module):
    """x (N, channels, S, S) [and labels (N,) when n_classes > 0] → logits (N,).

    ``channels`` counts the input's channels (m·C for m packed images)."""

    def __init__(self, channels=1, img_size=28, width=64, n_classes=0, batch_norm=True):
        super().__init__()
        self.n_classes = n_classes
        self.trunk = ConvTrunk(channels + n_classes, img_size, width, batch_norm)
        self.head = nn.Linear(self.trunk.features, 1)

    def forward(self, x, labels=None):
        if self.n_classes:
            n, _, h, w = x.shape
            maps = one_hot(labels, self.n_classes, x.dtype).reshape(n, self.n_classes, 1, 1)
            x = cat([x, maps.expand(n, self.n_classes, h, w)], 1)
        return self.head(self.trunk(x)).reshape(x.shape[0])


def label_embedding(n_classes, features):
    """e_y for each class y, as a bias-free linear map of the one-hot label (so init_normal draws
    it N(0, 0.02²)): (N,) labels → (N, features) through one_hot."""
    return nn.Linear(n_classes, features, bias=False)


def projection_term(embed, h, labels):
    """e_y·h (N,): the label's term of a projection logit, for features h (N, F)."""
    return (embed(one_hot(labels, embed.in_features, h.dtype)) * h).sum(1)


class ProjectionDiscriminator(nn.Module):
    """x (N, channels, S, S) and labels (N,) → logits (N,) = w·φ(x) + b + e_y·φ(x)."""

    def __init__(self, channels=1, img_size=28, width=64, n_classes=10):
        super().__init__()
        self.trunk = ConvTrunk(channels, img_size, width)
        self.head = nn.Linear(self.trunk.features, 1)
        self.embed = label_embedding(n_classes, self.trunk.features)

    def forward(self, x, labels):
        h = self.trunk(x)
        return self.head(h).reshape(x.shape[0]) + projection_term(self.embed, h, labels)


class ACGANDiscriminator(nn.Module):
    """x (N, C, S, S) [and labels (N,) when ``projection``] → (real/fake logits (N,), class
    logits (N, n_classes)): one trunk, two heads.

    ``projection=True`` conditions the real/fake logit on the label as ProjectionDiscriminator
    does (w·φ(x) + b + e_y·φ(x)), beside the class head: D then judges "a real digit *of class
    y*?" as well as naming the class.
    """

    def __init__(self, channels=1, img_size=28, width=64, n_classes=10, projection=False):
        super().__init__()
        self.trunk = ConvTrunk(channels, img_size, width)
        self.head = nn.Linear(self.trunk.features, 1)
        self.classes = nn.Linear(self.trunk.features, n_classes)
        self.embed = label_embedding(n_classes, self.trunk.features) if projection else None

    def forward(self, x, labels=None):
        if (labels is None) != (self.embed is None):
            raise ArgumentError("ACGANDiscriminator: labels are needed with projection=True and taken "
                                f"only then; got projection={self.embed is not None} and "
                                f"labels={'None' if labels is None else 'a tensor'}")
        h = self.trunk(x)
        logit = self.head(h).reshape(x.shape[0])
        if self.embed is not None:
            logit = logit + projection_term(self.embed, h, labels)
        return logit, self.classes(h)


class InfoGANDiscriminator(nn.Module):
    """x (N, C, S, S) → (real/fake logits (N,), Q's categorical logits (N, n_categories),
    Q's means of the continuous codes (N, n_continuous)).

    D and Q share the trunk (with a fully connected layer of ``hidden`` units on top: 1,024 in
    the paper's MNIST network); Q adds one layer of 128 units (Chen et al. 2016).
    """

    def __init__(self, channels=1, img_size=28, width=64, n_categories=10, n_continuous=2, hidden=0,
                 hidden_batch_norm=False):
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
