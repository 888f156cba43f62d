# %% [markdown]
# # Lesson 17 · BigGAN's tricks and StyleGAN's ideas
#
# Two lines of work pushed GANs from blurry thumbnails to photographs. BigGAN (Brock et al. 2019)
# scaled a class-conditional GAN up and collected the tricks that kept it stable; StyleGAN (Karras
# et al. 2019) rethought how the generator uses its noise. This lesson builds the core of each.
#
# **The hinge loss.** D outputs an unbounded score s. It is penalized only when a score is on the
# wrong side of a margin:
#
#     L_D = E_x[max(0, 1 − D(x))] + E_z[max(0, 1 + D(G(z)))],      L_G = −E_z[D(G(z))].
#
# A real image scored above 1, or a fake below −1, costs nothing and gives no gradient: D stops
# pushing on examples it already separates well, and spends its capacity on the hard ones. G's
# loss is the Wasserstein one: raise the score of its samples.
#
# **Spectral normalization** (Miyato et al. 2018) keeps D smooth: every layer's weight W is divided
# by its largest singular value σ(W) = max ‖Wx‖/‖x‖, so that no layer stretches any input by
# more than 1, and D as a whole (with 1-Lipschitz activations) is 1-Lipschitz, the constraint of
# lesson 11's Wasserstein critic, without clipping or a penalty. σ comes from **power
# iteration**: start from a random unit vector u and repeat
#
#     v ← Wᵀu / ‖Wᵀu‖,    u ← Wv / ‖Wv‖,      then σ ≈ uᵀ W v.
#
# Each round multiplies by WᵀW, which stretches the top singular direction most, so u and v turn
# toward it geometrically fast (by the ratio of the two largest singular values, squared, per
# round). W changes little per training step, so one round per step is enough if u is kept from
# step to step. The gradient flows through σ = uᵀWv with u and v held constant.
#
# **An exponential moving average of G's weights.** The adversarial game makes G's weights
# circle around a good point rather than settle on it. Sampling from the average
# θ̄ ← β·θ̄ + (1 − β)·θ (β = 0.999, updated after every step) sits near the middle of the circle
# and usually gives better samples than the last iterate. Training never uses θ̄.
#
# **The truncation trick.** Train with z ~ N(0, I), but sample with z drawn from a *truncated*
# normal: every entry with |z_i| > T is redrawn. Small T keeps z near the centre, where G has had
# the most practice: more typical, cleaner samples, less variety. One knob trades fidelity for
# diversity after training.
#
# **StyleGAN's generator** does not feed z into the first layer. A **mapping network** (an MLP)
# turns z into w, an intermediate latent that need not follow any fixed distribution, so it can
# unwarp the factors of variation. The image is then made from a learned constant, and w enters
# at every layer through **adaptive instance normalization**: each feature map is normalized per
# image and per channel, then scaled and shifted by amounts computed from w,
#
#     AdaIN(x, y) = y_scale · (x − μ(x)) / σ(x) + y_bias,      μ, σ over the pixels of one map.
#
# Normalizing erases the previous layer's statistics, so each style controls its own layer only.
# Then **style mixing**: give the coarse layers (small resolutions: pose, shape, which digit) the
# w of one sample and the fine layers (texture, stroke) the w of another. StyleGAN also adds
# per-pixel noise at every layer, and truncates in w space: w' = w̄ + ψ(w − w̄).

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
from _checks import (answer_and_grads, called, call, engine_grads, expect, expect_close, expect_equal, leaf,
                     rng)
from _course import Lesson

lesson = Lesson('17_biggan_stylegan', "BigGAN's tricks and StyleGAN's ideas")

# %% [markdown]
# ## Exercise 1 · the hinge loss
#
# The discriminator's side: each real score pays for falling short of 1, each fake score for
# rising above −1, averaged over its batch. (The generator's side, −E[D(G(z))], is one line:
# the demo writes it.)

# %%
@lesson.exercise(hint="F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean(): the relu is "
                      "the max(0, ·), and each batch is averaged on its own.")
def hinge_discriminator_loss(real_scores, fake_scores):
    """L_D = E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))].

    real_scores, fake_scores: Tensors (N,) of D's raw scores on real and generated samples
    (the two batches may differ in size). Returns a 0-d Tensor.
    """
    raise NotImplementedError("lesson 17, exercise hinge_discriminator_loss: replace this line with your answer")


@hinge_discriminator_loss.check
def check_hinge_discriminator_loss(hinge_discriminator_loss):
    real = np.array([2.0, 0.5, -0.3, 1.2, 0.9])
    fake = np.array([-2.0, -0.5, 0.7, -1.3, 0.1, 3.0])
    out, (d_real, d_fake) = answer_and_grads(lambda r, f: call(hinge_discriminator_loss, r, f), [real, fake],
                                             1.0, wrt=(0, 1))
    expect_close(out, np.maximum(0, 1 - real).mean() + np.maximum(0, 1 + fake).mean(),
                 source="NumPy: mean max(0, 1 − real) + mean max(0, 1 + fake)")
    expect_close(d_real, -1.0 * (real < 1) / len(real), what='dL_D/d real',
                 source="−1/N below the margin 1, 0 above: a well-separated real gives no gradient")
    expect_close(d_fake, 1.0 * (fake > -1) / len(fake), what='dL_D/d fake', source="1/N above −1, 0 below")


# %% [markdown]
# ## Exercise 2 · power iteration
#
# On NumPy arrays: W is a matrix (out, in) (a convolution's weight reshaped to (out, in·k·k)),
# u a unit vector of length out. Do `n_iterations` rounds, v first, then u, and return σ = uᵀWv
# with the final u and v.

# %%
@lesson.exercise(hint="for each round: v = W.T @ u, v /= np.linalg.norm(v); u = W @ v, u /= "
                      "np.linalg.norm(u). After the loop sigma = u @ W @ v.")
def power_iteration(W, u, n_iterations=1):
    """(σ, u, v): σ ≈ the largest singular value of W after ``n_iterations`` rounds of
    v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖, starting from ``u``; σ = uᵀWv.

    W: NumPy array (m, n); u: (m,) unit vector. Returns (float, array (m,), array (n,)).
    """
    raise NotImplementedError("lesson 17, exercise power_iteration: replace this line with your answer")


def engine_spectral_norm(W, u, n_iterations):
    """minigan's nn.utils.spectral_norm on a Linear holding W, started from u: (its normalized
    weight as a Tensor, its weight_orig, its u, its v) after one forward in training mode."""
    layer = nn.Linear(W.shape[1], W.shape[0], bias=False).double()
    nn.utils.spectral_norm(layer, n_power_iterations=n_iterations)
    with mg.no_grad():
        layer.weight_orig.copy_(leaf(W))
        layer.weight_u.copy_(leaf(u))
    layer(leaf(np.zeros((1, W.shape[1]))))   # the forward pre-hook runs the iterations
    return layer.weight, layer.weight_orig, layer.weight_u.numpy(), layer.weight_v.numpy()


@power_iteration.check
def check_power_iteration(power_iteration):
    r = rng()
    W = r.standard_normal((6, 10))
    u0 = r.standard_normal(6)
    u0 /= np.linalg.norm(u0)
    for n in (1, 3):
        sigma, u, v = call(power_iteration, W, u0.copy(), n_iterations=n)
        weight, _, u_ref, v_ref = engine_spectral_norm(W, u0, n)
        expect_close(u, u_ref, what='u', source=f"nn.utils.spectral_norm's u after {n} round(s)")
        expect_close(v, v_ref, what='v', source=f"nn.utils.spectral_norm's v after {n} round(s)")
        expect_close(sigma, W[0, 0] / weight.numpy()[0, 0], what='σ',
                     source="weight_orig / weight of nn.utils.spectral_norm")
    U, S, Vt = np.linalg.svd(W)
    sigma, u, v = call(power_iteration, W, u0.copy(), n_iterations=100)
    expect_close(sigma, S[0], what='σ after 100 rounds', source="the largest singular value, np.linalg.svd")
    expect_close(abs(u @ U[:, 0]), 1.0, what='|u · top left singular vector|', source="np.linalg.svd")


# %% [markdown]
# ## Exercise 3 · the spectrally normalized weight
#
# Now with gradients: W is a Tensor (a layer's weight, any shape whose first axis is the output).
# Run your power iteration on its values, outside the graph, and divide W by σ = uᵀ W v computed
# *with* Tensor ops, so that the gradient of the loss reaches W through both W and σ. Return the
# new u as well: the layer keeps it for the next step.

# %%
@lesson.exercise(hint="m = W.reshape(W.shape[0], -1); run power_iteration(m.detach().numpy(), u, n) for u "
                      "and v; sigma = (mg.tensor(u) * (m @ mg.tensor(v))).sum(); return W / sigma and u.")
def spectral_normalize(W, u, n_iterations=1):
    """(W / σ(W), u): W divided by its largest singular value, estimated by power iteration from u.

    W: Tensor (out, ...) — reshaped to a matrix (out, everything else) for σ; u: NumPy unit
    vector (out,). σ = uᵀ W_mat v with u, v from exercise 2 held constant, W_mat in the graph.
    Returns (Tensor of W's shape, the new u as a NumPy array).
    """
    raise NotImplementedError("lesson 17, exercise spectral_normalize: replace this line with your answer")


@spectral_normalize.check
def check_spectral_normalize(spectral_normalize):
    r = rng()
    W4 = r.standard_normal((5, 2, 3, 3))
    u0 = r.standard_normal(5)
    u0 /= np.linalg.norm(u0)
    W = W4.reshape(5, -1)
    G = r.standard_normal(W4.shape)
    out, (dW,) = answer_and_grads(lambda w: call(spectral_normalize, w, u0.copy(), n_iterations=2)[0], [W4], G)
    _, u_new = spectral_normalize(leaf(W4), u0.copy(), n_iterations=2)
    weight, orig, u_ref, _ = engine_spectral_norm(W, u0, 2)
    expect_close(out, weight.numpy().reshape(W4.shape), source="nn.utils.spectral_norm's weight")
    expect_close(u_new, u_ref, what='the new u', source="nn.utils.spectral_norm's u")
    (d_ref,) = mg.grad([(weight * leaf(G.reshape(5, -1))).sum()], [orig])
    expect_close(dW, d_ref.numpy().reshape(W4.shape), what='dL/dW',
                 source="minigan's backward through nn.utils.spectral_norm (σ in the graph)")
    called("spectral_normalize(W, u, n_iterations=100): the largest singular value of the result")
    normalized, _ = spectral_normalize(leaf(W4), u0.copy(), n_iterations=100)
    top = np.linalg.svd(normalized.detach().numpy().reshape(5, -1), compute_uv=False)[0]
    expect_close(top, 1.0, what='σ(W / σ(W))', source="np.linalg.svd: 1 for a normalized weight")


# %% [markdown]
# ## Exercise 4 · the moving average of the weights

# %%
@lesson.exercise(hint="with mg.no_grad(): for avg, p in zip(average.parameters(), model.parameters()): "
                      "avg.mul_(decay).add_((1 - decay) * p). The average moves; the model does not.")
def ema_update(average, model, decay=0.999):
    """In place: every parameter of ``average`` ← decay·(itself) + (1 − decay)·(the model's).

    average, model: two nn.Modules of the same architecture (average a copy of model made at the
    start). Returns nothing.
    """
    raise NotImplementedError("lesson 17, exercise ema_update: replace this line with your answer")


@ema_update.check
def check_ema_update(ema_update):
    r = rng()
    model, average = nn.Linear(3, 2).double(), nn.Linear(3, 2).double()
    start = [r.standard_normal(p.shape) for p in average.parameters()]
    target = [r.standard_normal(p.shape) for p in model.parameters()]
    with mg.no_grad():
        for p, value in zip(average.parameters(), start):
            p.copy_(leaf(value))
        for p, value in zip(model.parameters(), target):
            p.copy_(leaf(value))
    for _ in range(5):
        call(ema_update, average, model, decay=0.9)
    for name, p, s, t in zip(('weight', 'bias'), average.parameters(), start, target):
        expect_close(p.detach(), t + 0.9 ** 5 * (s - t), what=f"the average's {name} after 5 updates",
                     source="the closed form θ + β⁵(θ̄₀ − θ) for a model that does not move")
    for name, p, t in zip(('weight', 'bias'), model.parameters(), target):
        expect_close(p.detach(), t, what=f"the model's {name}", source="unchanged: only the average moves")


# %% [markdown]
# ## Exercise 5 · the truncated normal
#
# Draw from N(0, 1), then redraw every entry whose magnitude exceeds the threshold, as often as it
# takes. (Clipping to ±T would be a different distribution: all the tails' mass piled up at ±T.)

# %%
@lesson.exercise(hint="z = generator.standard_normal(shape); then while np.abs(z) > threshold anywhere: "
                      "redraw exactly those entries (z[outside] = generator.standard_normal(count)).")
def truncated_normal(shape, threshold, generator):
    """An array of ``shape`` from N(0, 1) conditioned on |z| <= threshold, by redrawing.

    generator: a NumPy Generator (np.random.default_rng(seed)); draw every number from it.
    """
    raise NotImplementedError("lesson 17, exercise truncated_normal: replace this line with your answer")


def truncated_moments(T):
    """(E|z|, E z²) of N(0, 1) conditioned on |z| <= T: with φ the density and
    P = P(|z| <= T) = erf(T/√2), E|z| = 2(φ(0) − φ(T))/P and E z² = 1 − 2Tφ(T)/P."""
    phi = lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    p = math.erf(T / math.sqrt(2))
    return 2 * (phi(0) - phi(T)) / p, 1 - 2 * T * phi(T) / p


@truncated_normal.check
def check_truncated_normal(truncated_normal):
    got = call(truncated_normal, (3, 4), 1.0, np.random.default_rng(0))
    expect_equal(np.shape(got), (3, 4), what="the shape of the result")
    n = 100_000
    for T in (0.5, 1.0, 2.0):
        z = np.asarray(call(truncated_normal, (n,), T, np.random.default_rng(1)), dtype=np.float64)
        expect(np.abs(z).max() <= T, f"threshold {T}: an entry of magnitude {np.abs(z).max():.3f} is left")
        mean_abs, mean_square = truncated_moments(T)
        # the sample means of n draws: within 6 standard errors (a bound on the sd: T and T²)
        expect_close(np.abs(z).mean(), mean_abs, atol=6 * T / math.sqrt(n), rtol=0,
                     what=f'mean |z| at threshold {T}', source="the truncated normal's closed form")
        expect_close((z ** 2).mean(), mean_square, atol=6 * T * T / math.sqrt(n), rtol=0,
                     what=f'mean z² at threshold {T}', source="the truncated normal's closed form")


# %% [markdown]
# ## Exercise 6 · adaptive instance normalization
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
    raise NotImplementedError("lesson 17, exercise adain: replace this line with your answer")


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
# ## Exercise 7 · style mixing
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
    raise NotImplementedError("lesson 17, exercise mix_styles: replace this line with your answer")


@mix_styles.check
def check_mix_styles(mix_styles):
    w1, w2 = rng().standard_normal((2, 3, 5))
    for crossover in range(5):
        got = call(mix_styles, leaf(w1), leaf(w2), crossover, 4)
        expected = np.stack([w1 if i < crossover else w2 for i in range(4)], axis=1)
        expect_close(got, expected, source=f"layer i from w1 when i < {crossover}, else from w2")


# %% [markdown]
# ## The demo: a small style-based GAN on the digits, trained BigGAN's way
#
# **Generator.** A mapping network (z, 32 numbers, normalized to unit mean square → three
# linear layers with LeakyReLU → w, 32 numbers) and a synthesis network: a learned 64×7×7
# constant, then four style layers, each a 3×3 convolution, LeakyReLU and your `adain` with a
# scale and bias computed from that layer's w: two at 7×7 (coarse), one at 14×14 and one at 28×28
# (fine), upsampling by 2 between them; a 1×1 convolution and tanh make the image.
#
# **Discriminator.** Two stride-2 convolutions and a linear layer, every weight normalized by
# your `spectral_normalize` (one power-iteration round per step, u kept between steps).
#
# **Training.** Your hinge loss (and −E[D(G(z))] for G), Adam with β = (0, 0.9) and D's learning
# rate 4× G's, an EMA of G (your `ema_update`, β = 0.995 after 100 steps: an average over the last
# few hundred of our 600 steps, where BigGAN averages over many thousands). About two minutes on
# two quiet cores.
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
class SNConv2d(nn.Module):
    """A convolution whose weight is divided by its spectral norm (your exercise 3) at every call."""

    def __init__(self, cin, cout, kernel_size, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size, stride, padding)
        u = np.random.default_rng(cout).standard_normal(cout)
        self.u = u / np.linalg.norm(u)      # power iteration's vector, kept from step to step

    def forward(self, x):
        weight, u = spectral_normalize(self.conv.weight, self.u)
        if self.training:
            self.u = u
        return F.conv2d(x, weight, self.conv.bias, self.conv.stride, self.conv.padding)


class SNLinear(SNConv2d):
    """A linear layer as a 1×1 convolution on (N, features, 1, 1), spectrally normalized."""

    def __init__(self, cin, cout):
        super().__init__(cin, cout, 1)

    def forward(self, x):
        return super().forward(x.reshape(x.shape[0], -1, 1, 1)).reshape(x.shape[0], -1)


class Discriminator(nn.Module):
    def __init__(self, width=32):
        super().__init__()
        self.body = nn.Sequential(SNConv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2),
                                  SNConv2d(width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2))
        self.head = SNLinear(2 * width * 7 * 7, 1)

    def forward(self, x):
        return self.head(self.body(x).flatten(1)).reshape(-1)


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
    """Hinge loss, spectral norm in D, D's lr 4× G's, Adam β = (0, 0.9), an EMA of G."""
    G, D = StyleGenerator(width=width), Discriminator(d_width)
    G_ema = copy.deepcopy(G).eval()
    opt_g = optim.Adam(G.parameters(), lr=1e-4, betas=(0.0, 0.9))
    opt_d = optim.Adam(D.parameters(), lr=4e-4, betas=(0.0, 0.9))
    data = digits('train')
    history, start, step = [], time.perf_counter(), 0
    while step < steps:
        for real, _ in DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True):
            fake = G(mg.randn(batch_size, 32))
            loss_d = hinge_discriminator_loss(D(real), D(fake.detach()))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            loss_g = -D(fake).mean()                 # G's side of the hinge game
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            ema_update(G_ema, G, decay=ema_decay if step >= ema_start else 0.0)
            history.append((loss_d.item(), loss_g.item()))
            step += 1
            if step % 200 == 0 or step == steps:
                print(f"  step {step}/{steps} ({time.perf_counter() - start:.0f} s): "
                      f"D {loss_d.item():.3f}, G {loss_g.item():.3f}")
            if step == steps:
                break
    return G.eval(), G_ema, np.array(history)


def show(ax, images, columns, title):
    ax.imshow(grid_array(images, columns=columns), cmap='gray', vmin=0, vmax=1)
    ax.set_title(title)
    ax.axis('off')


@lesson.demo
def demo():
    mg.manual_seed(0)
    # 1. the losses against the score, and how fast power iteration finds σ
    s = np.linspace(-3, 3, 301)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), layout='constrained')
    left.plot(s, np.maximum(0, 1 - s), label='hinge, real: max(0, 1 − s)')
    left.plot(s, np.maximum(0, 1 + s), label='hinge, fake: max(0, 1 + s)')
    left.plot(s, np.logaddexp(0, -s), '--', label='BCE, real: softplus(−s)')
    left.plot(s, np.logaddexp(0, s), '--', label='BCE, fake: softplus(s)')
    left.set(xlabel="D's score s", ylabel="D's loss", title='flat beyond the margin: no gradient there')
    left.legend(fontsize=8)
    W = np.random.default_rng(0).standard_normal((64, 32 * 16))
    true_sigma = np.linalg.svd(W, compute_uv=False)[0]
    u = np.random.default_rng(1).standard_normal(64)
    u /= np.linalg.norm(u)
    errors = []
    for _ in range(30):
        sigma, u, _ = power_iteration(W, u)
        errors.append(abs(sigma - true_sigma) / true_sigma)
    right.semilogy(range(1, 31), errors, 'o-')
    right.set(xlabel='rounds', ylabel='relative error of σ',
              title=f'power iteration on a 64×512 weight (σ = {true_sigma:.2f})')
    lesson.save(fig, 'hinge_and_power_iteration.png')

    # 2. train
    G, G_ema, history = train(steps=lesson.size(600, quick=4), batch_size=lesson.size(32, quick=8),
                              width=lesson.size(64, quick=8), d_width=lesson.size(32, quick=4),
                              ema_start=lesson.size(100, quick=1))

    # 3. the same z through G and through its average; truncation in z and in w
    z = mg.tensor(np.random.default_rng(2).standard_normal((8, 32)), dtype=mg.float32)
    with mg.no_grad():
        rows = [G(z), G_ema(z)]
        for T in (2.0, 1.0, 0.5):
            rows.append(G_ema(mg.tensor(truncated_normal((8, 32), T, np.random.default_rng(2)), dtype=mg.float32)))
        w_mean = G_ema.mapping(mg.randn(2000, 32)).mean(0, keepdim=True)
        w = G_ema.mapping(z)
        for psi in (0.7, 0.4, 0.0):
            w_truncated = w_mean + psi * (w - w_mean)
            rows.append(G_ema.synthesis(mix_styles(w_truncated, w_truncated, 4, 4)))
    fig, (ax, losses) = plt.subplots(1, 2, figsize=(12, 6.5), layout='constrained',
                                     gridspec_kw=dict(width_ratios=[1.3, 1]))
    show(ax, mg.cat(rows, 0), 8, 'rows: G; its EMA; EMA with z truncated at 2, 1, 0.5; w pulled to the '
                                 'mean, ψ = 0.7, 0.4, 0')
    losses.plot(history[:, 0], alpha=0.7, label='D (hinge)')
    losses.plot(history[:, 1], alpha=0.7, label='G (−E[D(G(z))])')
    losses.set(xlabel='step', title='losses')
    losses.legend()
    lesson.save(fig, 'samples_ema_truncation.png')

    # 4. style mixing: coarse styles (layers 0, 1) from the row's sample, fine ones from the column's
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
    lesson.save(fig, 'style_mixing.png')


# %%
if __name__ == '__main__':
    lesson.main()
