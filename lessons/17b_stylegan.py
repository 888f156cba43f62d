# %% [markdown]
# # Lesson 17b · StyleGAN's ideas
#
# The second part of lesson 17. Lesson 17 built BigGAN's tricks for training a GAN stably; StyleGAN
# (Karras et al. 2019) kept such training and changed the generator: how it uses its noise.
#
# **A mapping network.** StyleGAN does not feed z into the first layer. An MLP turns z into w, an
# intermediate latent of its own. z must follow the fixed N(0, I) we sample from, so a factor of
# variation that the data does not spread evenly (say, thick strokes being rarer than thin ones)
# has to be bent into that round distribution; w need not follow any fixed distribution, so the
# mapping can unbend it, and a straight line in w changes the image more evenly than one in z.
#
# **Styles through adaptive instance normalization.** The image starts from a learned constant
# (4×4 in StyleGAN, 7×7 here), and w enters at *every* layer: each feature map is normalized per
# image and per channel, then scaled and shifted by amounts computed from w by a learned affine
# map (the layer's *style*),
#
#     AdaIN(x, y) = y_scale · (x − μ(x)) / σ(x) + y_bias,      μ, σ over the pixels of one map.
#
# Normalizing erases the statistics the previous layer gave each map, so each style controls its
# own layer only, and what a layer controls depends on its resolution: the coarse layers (7×7:
# pose, shape, which digit), the fine ones (28×28: stroke, texture).
#
# **Style mixing.** Since every layer takes its own w, two samples can share: give the coarse layers
# the w of one sample and the fine layers the w of another, and the image takes its shape from
# the first and its strokes from the second. StyleGAN mixes during training too, so that no layer
# relies on its neighbours having the same style. (It also adds per-pixel noise at every layer,
# for the random detail, like the placement of hairs, that no style should have to encode.)
#
# **Truncation in w.** BigGAN truncates z (lesson 17). StyleGAN truncates w: with w̄ the average
# of many mapped z, sample with w' = w̄ + ψ(w − w̄), ψ in [0, 1]. ψ = 1 leaves w alone, ψ = 0 gives
# every sample the "average" image; in between, the same fidelity-for-variety trade as BigGAN's T.
#
# The demo trains a small style-based generator on the digits the BigGAN way: hinge loss,
# spectral normalization in D, an EMA of G. It takes those from the finished package
# (`mg.losses.hinge_discriminator_loss`, `nn.utils.spectral_norm`, `optim.EMA`), as every lesson
# builds on the package and never on an earlier lesson's answers.

# %%
import copy
import math
import time

import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan import nn, optim
from minigan.data import digits
from minigan.utils.data import DataLoader
from minigan.viz import grid_array
from _checks import answer_and_grads, call, engine_grads, expect_close, leaf, rng
from _course import Lesson

lesson = Lesson('17b_stylegan', "StyleGAN's ideas")

# %% [markdown]
# ## Exercise 1 · adaptive instance normalization
#
# Per image and per channel: subtract the mean over the pixels, divide by the standard deviation
# (the *biased* one, dividing by H·W, with eps inside the root, as instance norm does), then
# scale and shift by that image's style.

# %%
@lesson.exercise(hint="mean = x.mean((2, 3), keepdim=True); var = ((x - mean) ** 2).mean((2, 3), keepdim=True); "
                      "normalized = (x - mean) / mg.sqrt(var + eps); then * scale[:, :, None, None] + "
                      "bias[:, :, None, None].")
def adain(x, style_scale, style_bias, eps=1e-5):
    """style_scale · (x − μ) / √(σ² + eps) + style_bias, μ and σ² over (H, W) for each (n, c).

    x: Tensor (N, C, H, W); style_scale, style_bias: Tensors (N, C), one style per image.
    Returns a Tensor (N, C, H, W).
    """
    raise NotImplementedError("lesson 17b, exercise adain: replace this line with your answer")


@adain.check
def check_adain(adain):
    r = rng()
    x = r.standard_normal((3, 4, 5, 5)) * np.array([1.0, 3.0, 0.01, 1.0])[:, None, None] + 2.0
    scale, bias, g = r.standard_normal((3, 4)), r.standard_normal((3, 4)), r.standard_normal(x.shape)

    def reference(x, s, b):
        return F.instance_norm(x, eps=1e-5) * s[:, :, None, None] + b[:, :, None, None]
    out, grads = answer_and_grads(lambda a, s, b: call(adain, a, s, b), [x, scale, bias], g, wrt=(0, 1))
    expect_close(out, reference(leaf(x), leaf(scale), leaf(bias)), atol=1e-5,
                 source="F.instance_norm(x) · scale + bias")
    for name, mine, theirs in zip(('dL/dx', 'dL/dstyle_scale'), grads,
                                  engine_grads(reference, (x, scale, bias), g)):
        expect_close(mine, theirs, atol=1e-5, what=name, source="minigan's backward of instance_norm")


# %% [markdown]
# ## Exercise 2 · style mixing
#
# A style generator takes one w per layer: a Tensor (N, n_layers, D). Without mixing every layer
# gets the same w. Mixing gives layers 0 … crossover − 1 (the coarse ones) the w of the first
# sample and the rest the w of the second.

# %%
@lesson.exercise(hint="Stack per-layer copies: [w1] * crossover + [w2] * (n_layers - crossover), "
                      "mg.stack(..., dim=1). Layer `crossover` already takes w2.")
def mix_styles(w1, w2, crossover, n_layers):
    """Per-layer styles (N, n_layers, D): layer i gets w1 for i < crossover, else w2.

    w1, w2: Tensors (N, D). crossover in 0 … n_layers (0: all w2; n_layers: all w1).
    """
    raise NotImplementedError("lesson 17b, exercise mix_styles: replace this line with your answer")


@mix_styles.check
def check_mix_styles(mix_styles):
    w1, w2 = rng().standard_normal((2, 3, 5))
    for crossover in range(5):
        got = call(mix_styles, leaf(w1), leaf(w2), crossover, 4)
        expected = np.stack([w1 if i < crossover else w2 for i in range(4)], axis=1)
        expect_close(got, expected, source=f"layer i from w1 when i < {crossover}, else from w2")



# %% [markdown]
# ## Exercise 3 · truncation in w

# %%
@lesson.exercise(hint="w_mean + psi * (w - w_mean): the offset from the mean, shrunk by psi, added back "
                      "to the mean (w_mean (1, D) broadcasts over the N rows).")
def truncate_styles(w, w_mean, psi):
    """StyleGAN's truncation: w' = w̄ + ψ·(w − w̄), every w pulled toward the average w.

    w: Tensor (N, D); w_mean: Tensor (1, D), the mean of many mapped z; psi: a float in [0, 1]
    (1: w unchanged, 0: every row at the mean). Returns a Tensor (N, D), built with Tensor ops.
    """
    raise NotImplementedError("lesson 17b, exercise truncate_styles: replace this line with your answer")


@truncate_styles.check
def check_truncate_styles(truncate_styles):
    r = rng()
    w, w_mean, g = r.standard_normal((5, 4)), r.standard_normal((1, 4)) + 2.0, r.standard_normal((5, 4))
    for psi in (1.0, 0.7, 0.3, 0.0):
        out, (dw,) = answer_and_grads(lambda a: call(truncate_styles, a, leaf(w_mean), psi), [w], g)
        expect_close(out, w_mean + psi * (w - w_mean), source=f"w̄ + ψ(w − w̄) with ψ = {psi}")
        expect_close(dw, psi * g, what='dL/dw', source=f"ψ · dL/dw' with ψ = {psi}")

# %% [markdown]
# ## The demo: a small style-based GAN on the digits, trained BigGAN's way
#
# **Generator.** A mapping network (z, 32 numbers, normalized to unit mean square → three
# linear layers with LeakyReLU → w, 32 numbers) and a synthesis network: a learned 64×7×7
# constant, then four style layers, each a 3×3 convolution, LeakyReLU and your `adain` with a
# scale and bias computed from that layer's w: two at 7×7 (coarse), one at 14×14 and one at 28×28
# (fine), upsampling by 2 between them; a 1×1 convolution and tanh make the image.
#
# **Discriminator.** Two stride-2 convolutions and a linear layer, each spectrally normalized.
#
# **Training** (lesson 17's tricks): the hinge loss, Adam with β = (0, 0.9) and D's learning
# rate 4× G's, an EMA of G (β = 0.995 after 100 steps: an average over the last few hundred of
# our 600 steps, where BigGAN averages over many thousands). About two minutes on two quiet cores.
# Samples stay rough at this length, and the average trails a G that still changes fast, so in
# our run (seed 0) its samples came out smoother and blurrier than G's own: it pays off in long runs.
#
# **Initialization matters here.** With Linear's default init each mapping layer shrinks the
# spread of its input about 6× in variance, so three layers map every z to nearly the same w, and
# weak style weights turn what is left into nearly the same style: at step 0 the samples differ by
# a pixel std of 0.035 (real digits: 0.33), and a short run stays collapsed on that one image.
# Kaiming init in the mapping (z's spread reaches w) and style weights that move the scale by
# about ±0.5 start G with varied samples (pixel std 0.35), and the run keeps them varied.
#
# Things to try: more steps, with `ema_decay=0.999`; crossover at 1 or 3; more style layers.

# %%
def discriminator(width=32):
    """(N, 1, 28, 28) -> scores (N,): two stride-2 convolutions and a linear layer, spectrally normalized."""
    sn = nn.utils.spectral_norm
    return nn.Sequential(sn(nn.Conv2d(1, width, 4, 2, 1)), nn.LeakyReLU(0.2),
                         sn(nn.Conv2d(width, 2 * width, 4, 2, 1)), nn.LeakyReLU(0.2),
                         nn.Flatten(), sn(nn.Linear(2 * width * 7 * 7, 1)), nn.Flatten(0))


class MappingNetwork(nn.Module):
    def __init__(self, z_dim=32, w_dim=32, depth=3):
        super().__init__()
        layers = []
        for i in range(depth):
            layers += [nn.Linear(z_dim if i == 0 else w_dim, w_dim), nn.LeakyReLU(0.2)]
        self.net = nn.Sequential(*layers)
        # Kaiming init for the LeakyReLU keeps w's spread equal to z's. Linear's default init
        # shrinks the variance about 6× per layer (1/3 from the weights, 1/2 from the ReLU), so
        # after three layers every z gave nearly the same w and every sample the same image
        # (pixel std across samples 0.035 at step 0, real digits 0.33): G never left that mode.
        with mg.no_grad():
            for layer in self.net:
                if isinstance(layer, nn.Linear):
                    nn.init.kaiming_normal_(layer.weight, a=0.2)
                    nn.init.zeros_(layer.bias)

    def forward(self, z):
        z = z / mg.sqrt((z ** 2).mean(1, keepdim=True) + 1e-8)   # StyleGAN's pixel norm on z
        return self.net(z)


class StyleLayer(nn.Module):
    """3×3 convolution, LeakyReLU, then AdaIN with the style (scale, bias) = affine(w)."""

    def __init__(self, cin, cout, w_dim):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.style = nn.Linear(w_dim, 2 * cout)
        with mg.no_grad():      # the scale starts at 1 ± 0.5 across w's, the bias at 0 ± 0.5
            nn.init.normal_(self.style.weight, 0.0, 0.5 / math.sqrt(w_dim))
            self.style.bias.copy_(mg.cat([mg.ones(cout), mg.zeros(cout)]))

    def forward(self, x, w):
        scale, bias = self.style(w).chunk(2, dim=1)
        return adain(F.leaky_relu(self.conv(x), 0.2), scale, bias)


class StyleGenerator(nn.Module):
    n_layers = 4   # 7×7, 7×7 (coarse), 14×14, 28×28 (fine)

    def __init__(self, z_dim=32, w_dim=32, width=64):
        super().__init__()
        self.mapping = MappingNetwork(z_dim, w_dim)
        self.constant = nn.Parameter(mg.randn(1, width, 7, 7))
        widths = [width, width, width, width // 2, width // 4]
        self.layers = nn.ModuleList(StyleLayer(widths[i], widths[i + 1], w_dim) for i in range(self.n_layers))
        self.to_image = nn.Conv2d(widths[-1], 1, 1)

    def synthesis(self, styles):
        """styles: (N, n_layers, w_dim), one w per layer -> images (N, 1, 28, 28)."""
        x = self.constant.expand(styles.shape[0], *self.constant.shape[1:])
        for i, layer in enumerate(self.layers):
            if i >= 2:
                x = F.interpolate(x, scale_factor=2, mode='nearest')
            x = layer(x, styles[:, i])
        return mg.tanh(self.to_image(x))

    def forward(self, z):
        w = self.mapping(z)
        return self.synthesis(mix_styles(w, w, self.n_layers, self.n_layers))



def train(steps, batch_size=32, width=64, d_width=32, ema_start=100, ema_decay=0.995):
    """Hinge loss, spectral norm in D, D's lr 4× G's, Adam β = (0, 0.9), an EMA of G.
    Returns (G, G_ema, the losses (steps, 2)), both generators in eval mode."""
    G, D = StyleGenerator(width=width), discriminator(d_width)
    ema = optim.EMA(G, decay=ema_decay, start_itr=ema_start)
    opt_g = optim.Adam(G.parameters(), lr=1e-4, betas=(0.0, 0.9))
    opt_d = optim.Adam(D.parameters(), lr=4e-4, betas=(0.0, 0.9))
    data = digits('train')
    history, start, step = [], time.perf_counter(), 0
    while step < steps:
        for real, _ in DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True):
            fake = G(mg.randn(batch_size, 32))
            loss_d = mg.losses.hinge_discriminator_loss(D(real), D(fake.detach()))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            loss_g = mg.losses.hinge_generator_loss(D(fake))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            ema.update(step)
            history.append((loss_d.item(), loss_g.item()))
            step += 1
            if step % 200 == 0 or step == steps:
                print(f"  step {step}/{steps} ({time.perf_counter() - start:.0f} s): "
                      f"D {loss_d.item():.3f}, G {loss_g.item():.3f}")
            if step == steps:
                break
    G_ema = copy.deepcopy(G)
    ema.copy_to(G_ema)
    return G.eval(), G_ema.eval(), np.array(history)


def show(ax, images, columns, title):
    ax.imshow(grid_array(images, columns=columns), cmap='gray', vmin=0, vmax=1)
    ax.set_title(title)
    ax.axis('off')


def plot_samples(G, G_ema, history):
    """Rows: G; its EMA; the EMA with w truncated at ψ = 0.7, 0.4, 0 (your truncate_styles)."""
    z = mg.tensor(np.random.default_rng(2).standard_normal((8, 32)), dtype=mg.float32)
    with mg.no_grad():
        rows = [G(z), G_ema(z)]
        w_mean = G_ema.mapping(mg.randn(2000, 32)).mean(0, keepdim=True)
        w = G_ema.mapping(z)
        for psi in (0.7, 0.4, 0.0):
            w_truncated = truncate_styles(w, w_mean, psi)
            rows.append(G_ema.synthesis(mix_styles(w_truncated, w_truncated, 4, 4)))
    fig, (ax, losses) = plt.subplots(1, 2, figsize=(12, 5), layout='constrained',
                                     gridspec_kw=dict(width_ratios=[1.3, 1]))
    show(ax, mg.cat(rows, 0), 8, 'rows: G; its EMA; the EMA with w pulled to the mean, ψ = 0.7, 0.4, 0')
    losses.plot(history[:, 0], alpha=0.7, label='D (hinge)')
    losses.plot(history[:, 1], alpha=0.7, label='G (−E[D(G(z))])')
    losses.set(xlabel='step', title='losses')
    losses.legend()
    return fig


def plot_style_mixing(G_ema):
    """Coarse styles (layers 0, 1) from the row's sample, fine ones (2, 3) from the column's."""
    with mg.no_grad():
        w_rows, w_cols = G_ema.mapping(mg.randn(5, 32)), G_ema.mapping(mg.randn(6, 32))
        grid = [G_ema.synthesis(mix_styles(w_cols, w_cols, 4, 4))]
        for i in range(5):
            coarse = w_rows[i:i + 1].expand(6, w_rows.shape[1])
            grid.append(G_ema.synthesis(mix_styles(coarse, w_cols, 2, 4)))
        sources = G_ema.synthesis(mix_styles(w_rows, w_rows, 4, 4))
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 5.6), layout='constrained',
                                      gridspec_kw=dict(width_ratios=[1, 6]))
    show(left, mg.cat([mg.full((1, 1, 28, 28), 1.0), sources], 0), 1, 'coarse\nfrom')
    show(right, mg.cat(grid, 0), 6, 'top: fine styles from; below: mixed')
    return fig


@lesson.demo
def demo():
    mg.manual_seed(0)
    G, G_ema, history = train(steps=lesson.size(600, quick=4), batch_size=lesson.size(32, quick=8),
                              width=lesson.size(64, quick=8), d_width=lesson.size(32, quick=4),
                              ema_start=lesson.size(100, quick=1))
    lesson.save(plot_samples(G, G_ema, history), 'samples_ema_truncation.png')
    lesson.save(plot_style_mixing(G_ema), 'style_mixing.png')


# %%
if __name__ == '__main__':
    lesson.main()
