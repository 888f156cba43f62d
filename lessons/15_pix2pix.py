# %% [markdown]
# # Lesson 15 · Image-to-image translation with pairs: Pix2Pix
#
# So far a generator has turned noise into an image. An image-to-image generator turns an image
# into another image: a sketch into a photo, a map into an aerial view, a day scene into night.
# Here the two domains are digits: **A**, thin strokes as written, and **B**, the same digit
# drawn with a pen one pixel wider on every side (`minigan.data.strokes`).
#
# **When pairs exist.** If every input a comes with its true translation b, training could simply
# minimize the pixel error ‖G(a) − b‖₁. Alone that tends to blur: where the right answer is
# uncertain, the L1 optimum is a median that hedges between the options. Pix2Pix (Isola et al.
# 2017) adds a *conditional* discriminator that sees the input beside the output, D(a ⊕ y) (⊕
# joins the channels), and learns to tell (a, b) from (a, G(a)). The generator minimizes
#
#     L_G = −E[log D(a ⊕ G(a))] + λ·E|G(a) − b|,     λ = 100,
#
# the L1 term getting the picture roughly right, the adversarial term making it sharp. Because D
# sees the input, it judges whether the output fits *this* input, not merely whether it looks
# like some bold digit. D itself minimizes the usual BCE on real pairs (label 1) and fake pairs
# (label 0), halved so that it learns a little slower than G.
#
# Two architectural choices go with it:
#
# - a **U-Net** generator: an encoder that halves the resolution at every level, a decoder that
#   doubles it back, and *skip connections* that hand each decoder level the encoder's features
#   of the same size. Input and output share their fine structure (here, where every stroke is),
#   and a skip lets it bypass the bottleneck instead of squeezing through it.
# - a **PatchGAN** discriminator: fully convolutional, so it outputs a grid of logits, each
#   judging one patch of the input (its *receptive field*), and the loss is the mean over the
#   grid. The L1 term already takes care of the low frequencies; the critic only has to judge
#   local texture, which a small patch critic does with few weights, on any image size.
#
# Lesson 16 drops the pairs: CycleGAN.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan import nn, optim
from minigan.data import strokes
from minigan.gan.metrics import held_out_l1
from minigan.gan.models import PatchDiscriminator, init_normal
from minigan.utils.data import DataLoader
from minigan.viz import grid_array
from _checks import called, call, expect, expect_close, expect_equal, leaf, rng
from _course import Lesson

lesson = Lesson('15_pix2pix', 'Image-to-image with pairs: Pix2Pix')


def softplus(x):
    """log(1 + eˣ) without overflow (lesson 4): the BCE of a logit against the label 0."""
    return np.logaddexp(0, x)


def seeded(module, seed=0):
    """``module`` in float64 with weights drawn from N(0, 0.5²) by a fixed NumPy seed."""
    r = np.random.default_rng(seed)
    module = module.double()
    for p in module.parameters():
        p.data.copy_(leaf(0.5 * r.standard_normal(p.shape)))
    return module


# %% [markdown]
# ## Exercise 1 · a U-Net's skip connection
#
# A two-level U-Net on a 28×28 digit: `down1` (28 → 14), `down2` (14 → 7, the bottleneck),
# `up2` (7 → 14) and `up1` (14 → 28). `up1` does not get only `up2`'s output: it gets it joined,
# along the channels, with `down1`'s output of the same size. Join them in this order,
# `[decoder features, encoder features]`: the channel order is how `up1`'s weights were built.

# %%
@lesson.exercise(hint="e1 = down1(x); d2 = up2(down2(e1)); then up1 of mg.cat([d2, e1], 1): the "
                      "skip joins along the channel axis (dim 1), decoder features first.")
def unet_forward(x, down1, down2, up2, up1):
    """A two-level U-Net: e1 = down1(x), e2 = down2(e1), d2 = up2(e2), output up1(d2 ⊕ e1).

    x: Tensor (N, C, H, W); down1, down2, up2, up1: callables (layers). ⊕ concatenates along
    the channels (dim 1), d2 first. Returns up1's output.
    """
    raise NotImplementedError("lesson 15, exercise unet_forward: replace this line with your answer")


@unet_forward.check
def check_unet_forward(unet_forward):
    down1, down2 = seeded(nn.Conv2d(1, 3, 4, 2, 1), 1), seeded(nn.Conv2d(3, 5, 4, 2, 1), 2)
    up2, up1 = seeded(nn.ConvTranspose2d(5, 3, 4, 2, 1), 3), seeded(nn.ConvTranspose2d(6, 2, 4, 2, 1), 4)
    x = leaf(rng().standard_normal((2, 1, 8, 8)), requires_grad=True)
    got = call(unet_forward, x, down1, down2, up2, up1)
    e1 = down1(x)
    expect_close(got, up1(mg.cat([up2(down2(e1)), e1], 1)), source="up1(cat([up2(down2(e1)), e1], 1))")
    # with the bottleneck cut (down2 outputs zeros), the image still reaches the output: the skip
    with mg.no_grad():
        down2.weight.zero_()
        down2.bias.zero_()
    called("unet_forward with down2's weights and bias set to 0 (the bottleneck carries nothing)")
    (g,) = mg.grad([unet_forward(x, down1, down2, up2, up1).sum()], [x], allow_unused=True)
    expect(g is not None and np.abs(g.numpy()).sum() > 0,
           "with the bottleneck cut, the output no longer depends on the input: where is the skip?")


# %% [markdown]
# ## Exercise 2 · how big is a patch?
#
# Every logit of a PatchGAN sees a square of the input, its receptive field. One 3×3 convolution
# sees 3 pixels across; a second 3×3 on top sees 3 of the first's outputs, 5 pixels. Stride
# spreads that out: after a stride-2 layer, neighbouring outputs are 2 input pixels apart, so
# every extra pixel a later layer sees costs 2 input pixels. Going from the output back to the
# input, one layer (kernel k, stride s) turns a field of r pixels into (r − 1)·s + k.

# %%
@lesson.exercise(hint="Start from r = 1 (one output logit) and walk the layers from the LAST to "
                      "the first: r = (r - 1) * stride + kernel at each.")
def patch_receptive_field(layers):
    """The receptive field (in input pixels, along one side) of one output of a stack of convs.

    layers: [(kernel_size, stride), ...] from the input to the output. Padding moves a field but
    does not change its size. Returns an int: 16 for PatchGAN at 28² ([(4, 2), (4, 1), (4, 1)]),
    70 for the paper's critic at 256².
    """
    raise NotImplementedError("lesson 15, exercise patch_receptive_field: replace this line with your answer")


def measured_receptive_field(layers, size=96):
    """Measure it with the engine: convolve with all-ones kernels and see which input pixels
    the gradient of one central output reaches."""
    x = leaf(np.zeros((1, 1, size, size)), requires_grad=True)
    h = x
    for k, s in layers:
        h = F.conv2d(h, leaf(np.ones((1, 1, k, k))), stride=s)
    i = h.shape[-1] // 2
    (g,) = mg.grad([h[0, 0, i, i]], [x])
    rows = np.nonzero(np.abs(g.numpy()[0, 0]).sum(1))[0]
    return int(rows[-1] - rows[0] + 1)


@patch_receptive_field.check
def check_patch_receptive_field(patch_receptive_field):
    for layers in ([(3, 1)], [(3, 1), (3, 1)], [(4, 2), (4, 1), (4, 1)], [(3, 2), (3, 2), (5, 1)],
                   [(4, 2), (4, 2), (4, 2), (4, 1), (4, 1)]):
        got = call(patch_receptive_field, layers)
        expect_equal(got, measured_receptive_field(layers), what=f"patch_receptive_field({layers})",
                     source="the span of one output's gradient on the input, all-ones kernels")


# %% [markdown]
# ## Exercise 3 · Pix2Pix's discriminator loss
#
# Real pairs (a ⊕ b) are labelled 1, fake pairs (a ⊕ G(a)) 0, with the BCE from logits averaged
# over the patch grid. The D step must not move G, so the fake goes in **detached**; and Pix2Pix
# halves D's loss, which slows D down relative to G.

# %%
@lesson.exercise(hint="0.5 * (BCE of D(cat([a, b], 1)) against 1 + BCE of D(cat([a, fake.detach()], 1)) "
                      "against 0), each the mean over D's grid: F.binary_cross_entropy_with_logits "
                      "with mg.ones_like / mg.zeros_like targets, or minigan.losses.")
def pix2pix_discriminator_loss(D, a, b, fake):
    """½·[BCE(D(a ⊕ b), 1) + BCE(D(a ⊕ fake), 0)], fake detached; BCEs averaged over D's grid.

    D: a patch critic, (N, 2C, H, W) -> logits (N, 1, h, w); a, b, fake: Tensors (N, C, H, W)
    (input, true target, G's output). ⊕: concatenation along dim 1, input first. Returns a
    0-d Tensor.
    """
    raise NotImplementedError("lesson 15, exercise pix2pix_discriminator_loss: replace this line with your answer")


@pix2pix_discriminator_loss.check
def check_pix2pix_discriminator_loss(pix2pix_discriminator_loss):
    r = rng()
    D = seeded(nn.Conv2d(2, 1, 3, padding=1))
    a, b, f = r.standard_normal((3, 2, 1, 6, 6))
    fake = leaf(f, requires_grad=True)
    got = call(pix2pix_discriminator_loss, D, leaf(a), leaf(b), fake)
    with mg.no_grad():
        real_logits = D(leaf(np.concatenate([a, b], 1))).numpy()
        fake_logits = D(leaf(np.concatenate([a, f], 1))).numpy()
    expect_close(got, 0.5 * (softplus(-real_logits).mean() + softplus(fake_logits).mean()),
                 source="NumPy: ½(mean softplus(−D(a⊕b)) + mean softplus(D(a⊕fake)))")
    expect(got.requires_grad, "the loss does not depend on D's weights through the graph")
    (g,) = mg.grad([got], [fake], allow_unused=True)
    expect(g is None or not np.abs(g.numpy()).any(),
           "D's loss sends a gradient into G's output: detach the fake (fake.detach()) in the D step")


# %% [markdown]
# ## Exercise 4 · Pix2Pix's generator loss
#
# The non-saturating adversarial term, −log D(a ⊕ G(a)) averaged over the grid (the BCE against
# the label 1, with the fake *not* detached: the gradient must reach G), plus λ times the mean
# absolute error to the true target.

# %%
@lesson.exercise(hint="BCE of D(cat([a, fake], 1)) against 1 (mean over the grid), plus "
                      "lambda_l1 * (fake - b).abs().mean(). No detach here.")
def pix2pix_generator_loss(D, a, b, fake, lambda_l1=100.0):
    """BCE(D(a ⊕ fake), 1) + λ·mean|fake − b|: fool the critic, and stay near the true target.

    D, a, b, fake as in exercise 3 (fake = G(a), still attached to G's graph). Returns a 0-d Tensor.
    """
    raise NotImplementedError("lesson 15, exercise pix2pix_generator_loss: replace this line with your answer")


@pix2pix_generator_loss.check
def check_pix2pix_generator_loss(pix2pix_generator_loss):
    r = rng()
    D = seeded(nn.Conv2d(2, 1, 3, padding=1))
    a, b, f = r.standard_normal((3, 2, 1, 5, 5))
    with mg.no_grad():
        fake_logits = D(leaf(np.concatenate([a, f], 1))).numpy()
    for lam in (100.0, 3.0):
        got = call(pix2pix_generator_loss, D, leaf(a), leaf(b), leaf(f), lambda_l1=lam)
        expect_close(got, softplus(-fake_logits).mean() + lam * np.abs(f - b).mean(),
                     source=f"NumPy: mean softplus(−D(a⊕fake)) + {lam:g}·mean|fake − b|")
    called("gradcheck of pix2pix_generator_loss with respect to fake (float64, lambda_l1=3)")
    mg.gradcheck(lambda t: pix2pix_generator_loss(D, leaf(a), leaf(b), t, lambda_l1=3.0),
                 (leaf(f, requires_grad=True),))


# %% [markdown]
# ## The demo: thin → bold digits
#
# A small U-Net (your `unet_forward`: 28 → 14 → 7 → 14 → 28, one skip) against
# `minigan.gan.models.PatchDiscriminator` (16×16 patches, exercise 2), trained with your two
# losses on the paired training digits, Adam (2e-4, β₁ = 0.5) as in the paper: about a minute on two
# quiet cores. It then translates held-out thin digits, and `minigan.gan.metrics.held_out_l1`
# measures the mean absolute error to their true bold versions, against the baseline "copy the
# input". A last picture shows what one logit of the critic looks at: a 16×16 patch.
#
# Things to try: `lambda_l1=0` (a GAN alone: bold, but is it *this* digit?); the critic with more
# layers (`PatchDiscriminator(2, width, n_layers=2)`: bigger patches); a U-Net without its skip
# (pass `up1` only d2, with `up1` built for `width` input channels).

# %%
class TinyUNet(nn.Module):
    """Two levels of the Pix2Pix U-Net: down 28 → 14 → 7, up 7 → 14 → 28, one skip at 14×14."""

    def __init__(self, width=32):
        super().__init__()
        w = width
        self.down1 = nn.Conv2d(1, w, 4, 2, 1)
        self.down2 = nn.Sequential(nn.LeakyReLU(0.2), nn.Conv2d(w, 2 * w, 4, 2, 1), nn.BatchNorm2d(2 * w))
        self.up2 = nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.BatchNorm2d(w))
        self.up1 = nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(2 * w, 1, 4, 2, 1), nn.Tanh())

    def forward(self, x):
        return unet_forward(x, self.down1, self.down2, self.up2, self.up1)


def batches(data, batch_size):
    """Shuffled batches, epoch after epoch, for as long as the caller takes them."""
    while True:
        yield from DataLoader(data, batch_size=batch_size, shuffle=True)


def train_pix2pix(steps, batch_size, width, lambda_l1=100.0):
    G, D = init_normal(TinyUNet(width)), init_normal(PatchDiscriminator(2, width, 1, norm='batch'))
    opt_g = optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    history, start = [], time.perf_counter()
    for _, (a, b) in zip(range(steps), batches(strokes('train', paired=True), batch_size)):
        fake = G(a)
        loss_d = pix2pix_discriminator_loss(D, a, b, fake)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = pix2pix_generator_loss(D, a, b, fake, lambda_l1)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        history.append((loss_d.item(), loss_g.item()))
    print(f"  {steps} steps in {time.perf_counter() - start:.0f} s; last losses: D {history[-1][0]:.3f}, "
          f"G {history[-1][1]:.2f}")
    return G.eval(), np.array(history)


@lesson.demo
def demo():
    mg.manual_seed(0)
    G, history = train_pix2pix(steps=lesson.size(500, quick=3), batch_size=16, width=lesson.size(32, quick=8))
    thin, bold = strokes('test').tensors
    every = lesson.size(1, quick=10)                    # quick: 50 of the 500 held-out digits
    thin, bold = thin[::every], bold[::every]
    copy, translated = held_out_l1(lambda x: x, thin, bold), held_out_l1(G, thin, bold)
    print(f"  held-out mean |output − true bold|: copy the input {copy:.3f}, Pix2Pix {translated:.3f}")

    one_of_each = thin.shape[0] // 10                   # the held-out digits are sorted by class
    pick, truth = thin[::one_of_each][:10], bold[::one_of_each][:10]
    with mg.no_grad():
        rows = mg.cat([pick, G(pick), truth], 0)
    fig = plt.figure(figsize=(13, 4.2), layout='constrained')
    grid, curves, patch = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=[3, 1.3, 0.8]))
    grid.imshow(grid_array(rows, columns=10), cmap='gray', vmin=0, vmax=1)
    grid.set_yticks([16, 46, 76], ['thin input', 'Pix2Pix', 'true bold'])
    grid.set_xticks([])
    grid.set_title(f"held-out digits; mean |output − truth| {translated:.3f} (copying the input: {copy:.3f})")
    curves.plot(history[:, 0], label='D', alpha=0.8)
    curves.plot(history[:, 1], label='G (adversarial + 100·L1)', alpha=0.8)
    curves.set(xlabel='step', yscale='log', title='losses')
    curves.legend()
    size = patch_receptive_field([(4, 2), (4, 1), (4, 1)])
    patch.imshow(pick[3, 0].numpy(), cmap='gray')
    patch.add_patch(plt.Rectangle((5.5, 5.5), size, size, fill=False, color='tab:red', linewidth=2))
    patch.set_title(f"one critic logit\nsees {size}×{size} pixels")
    patch.axis('off')
    lesson.save(fig, 'pix2pix.png')


# %%
if __name__ == '__main__':
    lesson.main()
