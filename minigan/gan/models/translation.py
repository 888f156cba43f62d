"""Image-to-image networks: CycleGAN's ResNet generator, Pix2Pix's U-Net, and the PatchGAN critic.

ResnetGenerator (Johnson et al. 2016, as CycleGAN uses it; k = width, IN = instance norm):

    c7s1-k → d2k → d4k → R4k × n_blocks → u2k → uk → c7s1-C → tanh

  c7s1-k  7×7 conv, stride 1, reflection padding 3, k filters, IN, ReLU
  dk      3×3 conv, stride 2, k filters, IN, ReLU                    (28 → 14 → 7)
  Rk      residual block: x + [3×3 conv, IN, ReLU, 3×3 conv, IN](x), reflection padding 1
  uk      3×3 transposed conv, stride 2 (output padding 1), k filters, IN, ReLU  (7 → 14 → 28)

Instance norm normalizes each image on its own, so a translation does not depend on the other
images of the batch (CycleGAN trains with batch size 1 anyway). A convolution followed by a norm
has no bias: the norm subtracts each channel's mean, bias included, so it could never learn.
The paper uses k = 64 and 9 blocks at 256² (6 at 128²); at 28² the recipe's defaults are smaller.

PatchDiscriminator (Isola et al. 2017): a fully convolutional critic whose every output scores one
patch of the input, not the whole image --

    C(w) → C(2w) → … (n_layers of stride 2) → C(stride 1) → 1-channel conv: logits (N, 1, h, w)

with 4×4 convs and LeakyReLU 0.2 (no norm on the first). n_layers = 3 at 256² gives the paper's
70×70 patches; at 28², n_layers = 1 gives 16×16 patches (receptive field r: from the output back,
r ← (r − 1)·stride + 4: 1 → 4 → 7 → 16), enough to judge a stroke's width but not the whole digit.

UNetGenerator (Pix2Pix): an encoder of stride-2 4×4 convs and a decoder of transposed convs, where
each decoder level also gets the encoder's features of the same size (skip connections), so fine
detail need not squeeze through the bottleneck:

    x → e1 → e2 → … → e_depth → d_depth ⊕ e_(depth−1) → … → d1 → tanh

The input is padded (replicating the border) to a multiple of 2^depth and the output cropped
back: 28² becomes 32² for depth 3.
"""
from ... import functional as F
from ... import nn
from ...errors import ArgumentError, ShapeError
from ...ops.shape import cat


def _norm(kind, channels):
    if kind == 'instance':
        return nn.InstanceNorm2d(channels)
    if kind == 'batch':
        return nn.BatchNorm2d(channels)
    raise ArgumentError(f"norm must be 'instance' or 'batch', got {kind!r}")


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
    """images (N, in_channels, H, W) → images (N, out_channels, H, W) in [−1, 1]; H, W divisible by 4."""

    def __init__(self, in_channels=1, out_channels=1, width=64, n_blocks=9):
        super().__init__()
        k = width
        layers = [nn.Conv2d(in_channels, k, 7, padding=3, padding_mode='reflect', bias=False),
                  nn.InstanceNorm2d(k), nn.ReLU()]
        for m in (1, 2):  # d2k, d4k
            layers += [nn.Conv2d(m * k, 2 * m * k, 3, 2, 1, bias=False), nn.InstanceNorm2d(2 * m * k),
                       nn.ReLU()]
        layers += [ResidualBlock(4 * k) for _ in range(n_blocks)]
        for m in (2, 1):  # u2k, uk
            layers += [nn.ConvTranspose2d(2 * m * k, m * k, 3, 2, 1, output_padding=1, bias=False),
                       nn.InstanceNorm2d(m * k), nn.ReLU()]
        layers += [nn.Conv2d(k, out_channels, 7, padding=3, padding_mode='reflect'), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ShapeError(f"ResnetGenerator: input of shape {tuple(x.shape)}; expected H and W "
                             "divisible by 4 (two stride-2 layers and back)")
        return self.net(x)


class PatchDiscriminator(nn.Module):
    """images (N, in_channels, H, W) → patch logits (N, 1, h, w), one per receptive field."""

    def __init__(self, in_channels=1, width=64, n_layers=1, norm='instance'):
        super().__init__()
        layers = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
        channels = width
        for n in range(1, n_layers + 1):  # n_layers − 1 more of stride 2, then one of stride 1
            out = width * min(2 ** n, 8)
            stride = 2 if n < n_layers else 1
            layers += [nn.Conv2d(channels, out, 4, stride, 1, bias=False), _norm(norm, out),
                       nn.LeakyReLU(0.2)]
            channels = out
        layers.append(nn.Conv2d(channels, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class UNetBlock(nn.Module):
    """One level of the U-Net: down (stride 2) → inner levels → up (stride 2), and the skip."""

    def __init__(self, outer, inner, sub=None, in_channels=None, outermost=False, dropout=0.0):
        super().__init__()
        self.outermost = outermost
        down = [] if outermost else [nn.LeakyReLU(0.2)]
        down.append(nn.Conv2d(in_channels or outer, inner, 4, 2, 1, bias=outermost or sub is None))
        if not outermost and sub is not None:
            down.append(nn.BatchNorm2d(inner))
        up_in = inner if sub is None else 2 * inner  # an inner level returns its input ⊕ its output
        up = [nn.ReLU(), nn.ConvTranspose2d(up_in, outer, 4, 2, 1, bias=outermost)]
        if outermost:
            up.append(nn.Tanh())
        else:
            up += [nn.BatchNorm2d(outer)] + ([nn.Dropout(dropout)] if dropout else [])
        self.model = nn.Sequential(*down, *([sub] if sub is not None else []), *up)

    def forward(self, x):
        return self.model(x) if self.outermost else cat([x, self.model(x)], 1)


class UNetGenerator(nn.Module):
    """images (N, in_channels, H, W) → (N, out_channels, H, W) in [−1, 1]; ``depth`` levels.

    ``dropout`` is applied in the decoder of the levels between the innermost and the outermost
    (Pix2Pix's noise source; there are depth − 2 of them).
    """

    def __init__(self, in_channels=1, out_channels=1, width=64, depth=3, dropout=0.5):
        super().__init__()
        if depth < 2:
            raise ArgumentError(f"UNetGenerator: depth must be >= 2, got {depth}")
        self.depth = depth
        widths = [width * min(2 ** i, 8) for i in range(depth)]  # 64, 128, 256, 512, 512, ...
        block = UNetBlock(widths[-2], widths[-1])  # innermost
        for i in range(depth - 2, 0, -1):
            block = UNetBlock(widths[i - 1], widths[i], block, dropout=dropout)
        self.model = UNetBlock(out_channels, widths[0], block, in_channels=in_channels, outermost=True)

    def forward(self, x):
        h, w = x.shape[-2:]
        step = 2 ** self.depth
        pad_h, pad_w = -h % step, -w % step
        if pad_h or pad_w:
            x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2], mode='replicate')
        y = self.model(x)
        return y[:, :, pad_h // 2:pad_h // 2 + h, pad_w // 2:pad_w // 2 + w] if pad_h or pad_w else y
