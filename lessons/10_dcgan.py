# %% [markdown]
# # Lesson 10 · DCGAN: a convolutional GAN that draws digits
#
# Lesson 9's GAN used fully connected layers on points in the plane. Images have structure a
# fully connected layer ignores: a stroke is a stroke wherever it sits. Convolutions (lesson 5)
# share one small filter across every position, and transposed convolutions (lesson 6) grow a
# small map into a larger one. Early GANs built from them were notoriously hard to train; the
# **DCGAN** paper (Radford, Metz and Chintala, 2016) found a set of rules under which they train
# reliably, and most image GANs since start from them:
#
# 1. **No pooling, no upsampling layers: strided convolutions.** D halves the resolution with
#    stride-2 convolutions, G doubles it with stride-2 transposed convolutions: each network
#    learns its own way down or up. With a 4×4 kernel and padding 1, a stride-2 layer maps
#    s → 2s (G) and 2s → s (D) exactly: (s − 1)·2 − 2·1 + 4 = 2s. A kernel that the stride
#    divides (4 = 2·2) also gives every output pixel of a transposed convolution the same number
#    of contributions, which keeps the checkerboard of lesson 6 away.
# 2. **Batch normalization** (lesson 7) in both networks, except on G's output and D's input
#    layer: it keeps every layer's activations at a sane scale, so gradients flow through a deep
#    G from the start. A convolution followed by batch norm needs no bias: the normalization
#    subtracts the mean, bias included, and adds its own shift β.
# 3. **ReLU in G, tanh at its output**: the images live in [−1, 1], tanh's range, and a bounded
#    output lets G saturate the background to exactly "black" quickly. **LeakyReLU(0.2) in D**:
#    a dead unit of D (lesson 4) would pass no gradient to G.
# 4. **Weights from N(0, 0.02²)**, biases 0, batch-norm scales γ from N(1, 0.02²): small
#    weights start G near a constant image and D near indifference, and the whole game moves
#    slowly and together. And Adam with lr 2e-4 and β1 = 0.5 (not 0.9): a shorter memory of
#    old gradients, because the other player keeps changing the loss surface.
#
# Here, for 28 × 28 digits, with w channels in the middle:
#
#     G:  z (N, Z) → Linear → (2w, 7, 7) → BN → ReLU → ConvT 4×4/2 → (w, 14, 14) → BN → ReLU
#                  → ConvT 4×4/2 → (1, 28, 28) → tanh
#     D:  x (N, 1, 28, 28) → Conv 4×4/2 → (w, 14, 14) → LeakyReLU → Conv 4×4/2 → (2w, 7, 7)
#                  → BN → LeakyReLU → flatten → Linear → one logit
#
# The game and its losses are lesson 9's: D minimizes the BCE of real against fake, G the
# non-saturating −log D(G(z)). D returns a *logit*, not a probability: the losses apply the
# sigmoid inside a stable BCE (lesson 4). You write the rules above as code; the demo trains
# your networks on the 4,500 digits of `minigan.data.digits`.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan import nn, optim
from minigan.data import digits
from minigan.gan.classifier import DigitScorer
from minigan.gan.models import ConvDiscriminator, ConvGenerator
from minigan.utils.data import DataLoader
from _checks import Mismatch, call, called, expect, expect_close, expect_equal, rng
from _course import Lesson

lesson = Lesson('10_dcgan', 'DCGAN on the digits')


# %% [markdown]
# ## Exercise 1 · DCGAN's initialization
#
# `nn.init.normal_(tensor, mean, std)` and `nn.init.zeros_(tensor)` fill a parameter in place;
# `module.modules()` walks every layer of a network, nested ones included.

# %%
@lesson.exercise(hint="for layer in module.modules(): if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, "
                      "nn.Linear)): normal_(weight, 0, 0.02); if a BatchNorm1d/2d: normal_(weight, 1, 0.02); "
                      "and zeros_ on every bias that is not None.")
def dcgan_init_(module):
    """DCGAN's initialization, in place: every Conv2d, ConvTranspose2d and Linear weight from
    N(0, 0.02²); every BatchNorm1d / BatchNorm2d scale γ (its .weight) from N(1, 0.02²); every
    bias (where a layer has one) set to 0.

    module: an nn.Module (layers nested at any depth). Returns the same module.
    """
    raise NotImplementedError("lesson 10, exercise dcgan_init_: replace this line with your answer")


def init_test_network():
    """Layers of every kind DCGAN initializes, biases set to 1 (so that zeroing them shows)."""
    net = nn.Sequential(nn.Conv2d(16, 64, 4), nn.BatchNorm2d(64),
                        nn.Sequential(nn.ConvTranspose2d(64, 32, 4), nn.BatchNorm2d(32)),
                        nn.Linear(512, 256), nn.BatchNorm1d(256))
    with mg.no_grad():
        for name, p in net.named_parameters():
            if name.endswith('bias'):
                p.fill_(1.0)
    return net


def expect_drawn_from(name, values, mean, std):
    """values look like draws of N(mean, std²): sample mean and std within a few standard errors."""
    n = values.size
    m, s = values.mean(), values.std()
    expect(abs(m - mean) < 5 * std / np.sqrt(n) + 1e-12 and abs(s - std) < 6 * std / np.sqrt(2 * n),
           f"{name}: {n} values with mean {m:.4g} and std {s:.4g}; expected draws of "
           f"N({mean}, {std}²) (mean {mean}, std {std})")


@dcgan_init_.check
def check_dcgan_init_(dcgan_init_):
    net = init_test_network()
    called("dcgan_init_(net), net = Sequential(Conv2d, BatchNorm2d, Sequential(ConvTranspose2d, BatchNorm2d), "
           "Linear, BatchNorm1d), every bias set to 1 first")
    expect(dcgan_init_(net) is net, "dcgan_init_ must return the module it was given (it works in place)")
    for name, layer in net.named_modules():
        name = f"layer {name} ({type(layer).__name__})"
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            expect_drawn_from(f"the weight of {name}", layer.weight.numpy(), 0.0, 0.02)
        elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            expect_drawn_from(f"the scale γ of {name}", layer.weight.numpy(), 1.0, 0.02)
        else:
            continue
        expect_equal(float(np.abs(layer.bias.numpy()).max()), 0.0, what=f"the largest |bias| of {name}",
                     source="every bias starts at 0")


# %% [markdown]
# ## Exercise 2 · G's block: double the resolution

# %%
@lesson.exercise(hint="nn.Sequential(nn.ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False), "
                      "nn.BatchNorm2d(out_channels), nn.ReLU()): kernel 4, stride 2, padding 1.")
def generator_block(in_channels, out_channels):
    """One up-sampling block of DCGAN's G: a 4×4 transposed convolution with stride 2 and
    padding 1 and no bias, batch norm, ReLU — as an nn.Sequential.

    Maps (N, in_channels, s, s) to (N, out_channels, 2s, 2s).
    """
    raise NotImplementedError("lesson 10, exercise generator_block: replace this line with your answer")


def only_layer(block, kind, block_name):
    """The one layer of type ``kind`` in ``block`` (a Mismatch if there is none or several)."""
    found = [m for m in block.modules() if isinstance(m, kind)]
    expect(len(found) == 1, f"{block_name} has {len(found)} {kind.__name__} layers; expected exactly one")
    return found[0]


def expect_dcgan_conv(conv, block_name):
    expect(tuple(conv.weight.shape[2:]) == (4, 4) and tuple(conv.stride) == (2, 2) and tuple(conv.padding) == (1, 1),
           f"{block_name}'s {type(conv).__name__} has kernel {tuple(conv.weight.shape[2:])}, stride "
           f"{tuple(conv.stride)}, padding {tuple(conv.padding)}; DCGAN's is kernel 4, stride 2, padding 1")


@generator_block.check
def check_generator_block(generator_block):
    block = call(generator_block, 6, 4)
    conv = only_layer(block, nn.ConvTranspose2d, 'the block')
    expect_dcgan_conv(conv, 'the block')
    expect(conv.bias is None, "the transposed convolution has a bias: batch norm right after it subtracts "
                              "the mean, bias included, so it is a wasted parameter (bias=False)")
    for size in (7, 14):
        x = mg.tensor(rng().standard_normal((3, 6, size, size)), dtype=mg.float32)
        called(f"generator_block(6, 4) on x: Tensor (3, 6, {size}, {size}), in train mode")
        expected = F.relu(F.batch_norm(F.conv_transpose2d(x, conv.weight, None, stride=2, padding=1),
                                       None, None, training=True))
        expect_close(block(x), expected, atol=1e-4, rtol=1e-4,
                     source="relu(batch_norm(conv_transpose2d(x, the block's weight, stride 2, padding 1)))")


# %% [markdown]
# ## Exercise 3 · D's block: halve the resolution

# %%
@lesson.exercise(hint="nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=not batch_norm), then "
                      "nn.BatchNorm2d(out_channels) only if batch_norm, then nn.LeakyReLU(0.2) (its default "
                      "slope is 0.01).")
def discriminator_block(in_channels, out_channels, batch_norm=True):
    """One down-sampling block of DCGAN's D: a 4×4 convolution with stride 2 and padding 1
    (with a bias only when no batch norm follows), batch norm when ``batch_norm``, LeakyReLU
    with slope 0.2 — as an nn.Sequential.

    Maps (N, in_channels, 2s, 2s) to (N, out_channels, s, s).
    """
    raise NotImplementedError("lesson 10, exercise discriminator_block: replace this line with your answer")


@discriminator_block.check
def check_discriminator_block(discriminator_block):
    for batch_norm in (True, False):
        block = call(discriminator_block, 3, 5, batch_norm=batch_norm)
        conv = only_layer(block, nn.Conv2d, f'the block with batch_norm={batch_norm}')
        expect_dcgan_conv(conv, 'the block')
        expect((conv.bias is None) == batch_norm,
               f"with batch_norm={batch_norm} the convolution {'has' if conv.bias is not None else 'has no'} "
               f"bias; expected {'none (batch norm removes it)' if batch_norm else 'one'}")
        x = mg.tensor(rng().standard_normal((4, 3, 14, 14)), dtype=mg.float32)
        called(f"discriminator_block(3, 5, batch_norm={batch_norm}) on x: Tensor (4, 3, 14, 14), in train mode")
        h = F.conv2d(x, conv.weight, conv.bias, stride=2, padding=1)
        if batch_norm:
            h = F.batch_norm(h, None, None, training=True)
        expect_close(block(x), F.leaky_relu(h, 0.2), atol=1e-4, rtol=1e-4,
                     source=f"leaky_relu({'batch_norm(' if batch_norm else ''}conv2d(x, the block's "
                            f"weights, stride 2, padding 1){')' if batch_norm else ''}, 0.2)")


# %% [markdown]
# ## Exercise 4 · the generator
#
# `nn.Unflatten(1, (C, H, W))` reshapes (N, C·H·W) to (N, C, H, W) inside an nn.Sequential.

# %%
@lesson.exercise(hint="nn.Sequential(nn.Linear(latent_dim, 2 * width * 7 * 7, bias=False), nn.Unflatten(1, "
                      "(2 * width, 7, 7)), nn.BatchNorm2d(2 * width), nn.ReLU(), generator_block(2 * width, width), "
                      "nn.ConvTranspose2d(width, 1, 4, 2, 1), nn.Tanh()): no batch norm on the output.")
def dcgan_generator(latent_dim, width):
    """DCGAN's G for 28 × 28 digits, as an nn.Sequential:

        z (N, latent_dim) → Linear (no bias) → (N, 2·width, 7, 7) → BN → ReLU
          → generator_block(2·width, width) → (N, width, 14, 14)
          → ConvTranspose2d(width, 1, 4, 2, 1) (with bias) → (N, 1, 28, 28) → tanh

    Returns the module; its output is in (−1, 1), the range of the digits.
    """
    raise NotImplementedError("lesson 10, exercise dcgan_generator: replace this line with your answer")


def copy_parameters(source, target, what):
    """Copy ``source``'s parameters into ``target``, in order; a Mismatch lists the shapes if the two
    networks do not have the same parameters."""
    got = [tuple(p.shape) for p in source.parameters()]
    expected = [tuple(p.shape) for p in target.parameters()]
    if got != expected:
        raise Mismatch(f"{what} has parameters of shapes\n  {got}\nexpected (in this order)\n  {expected}\n"
                       "(a missing or extra batch norm, or a bias that should not be there, shows here)")
    with mg.no_grad():
        for p, q in zip(source.parameters(), target.parameters()):
            q.copy_(p)


@dcgan_generator.check
def check_dcgan_generator(dcgan_generator):
    G = call(dcgan_generator, 8, 4)
    reference = ConvGenerator(latent_dim=8, width=4)
    copy_parameters(G, reference, "your generator")
    z = mg.tensor(rng().standard_normal((5, 8)), dtype=mg.float32)
    called("G = dcgan_generator(8, 4); G(z) with z: Tensor (5, 8), in train mode")
    expect_close(G(z), reference(z), atol=1e-4, rtol=1e-4,
                 source="minigan.gan.models.ConvGenerator(latent_dim=8, width=4) with your weights")


# %% [markdown]
# ## Exercise 5 · the discriminator

# %%
@lesson.exercise(hint="nn.Sequential(discriminator_block(1, width, batch_norm=False), discriminator_block(width, "
                      "2 * width), nn.Flatten(), nn.Linear(2 * width * 7 * 7, 1)): no batch norm on the input "
                      "layer, and no sigmoid at the end.")
def dcgan_discriminator(width):
    """DCGAN's D for 28 × 28 digits, as an nn.Sequential:

        x (N, 1, 28, 28) → discriminator_block(1, width, batch_norm=False) → (N, width, 14, 14)
          → discriminator_block(width, 2·width) → (N, 2·width, 7, 7) → flatten → Linear → (N, 1)

    Returns the module; its output is a logit per image (no sigmoid: the loss applies it).
    """
    raise NotImplementedError("lesson 10, exercise dcgan_discriminator: replace this line with your answer")


@dcgan_discriminator.check
def check_dcgan_discriminator(dcgan_discriminator):
    D = call(dcgan_discriminator, 4)
    reference = ConvDiscriminator(width=4)
    copy_parameters(D, reference, "your discriminator")
    x = mg.tensor(rng().uniform(-1, 1, (5, 1, 28, 28)), dtype=mg.float32)
    called("D = dcgan_discriminator(4); D(x) with x: Tensor (5, 1, 28, 28), in train mode")
    got = D(x)
    expect(tuple(got.shape) in ((5,), (5, 1)), f"D(x) has shape {tuple(got.shape)}; expected one logit per image, (5, 1)")
    expect_close(got.reshape(5), reference(x), atol=1e-4, rtol=1e-4,
                 source="minigan.gan.models.ConvDiscriminator(width=4) with your weights")


# %% [markdown]
# ## The demo
#
# Your G and D, initialized by your `dcgan_init_`, play lesson 9's game on the digits: Adam
# (lr 2e-4, β1 = 0.5), batches of 64. A fixed set of 40 noise vectors is drawn at a few points
# of training, so you can watch the *same* z turn from a grey blur into blobs, strokes and
# digits; the losses are plotted, and the digit classifier shipped with minigan reads 500 of the
# final samples: a GAN that covers the ten classes has none near zero. About two minutes on two
# cores (1,200 steps at width 24, far fewer channels than the paper's; more steps and width 64
# give cleaner strokes when you have the time).

# %%
def grid(ax, images, rows, title):
    """(rows·cols, 1, 28, 28) images in [−1, 1] as one picture."""
    images = np.asarray(images)[:, 0]
    cols = len(images) // rows
    tiled = images.reshape(rows, cols, 28, 28).transpose(0, 2, 1, 3).reshape(rows * 28, cols * 28)
    ax.imshow(tiled, cmap='gray', vmin=-1, vmax=1)
    ax.set_title(title, fontsize=10)
    ax.axis('off')


def samples_of(G, z):
    """G's images for z in eval mode (batch norm's running statistics), then back to training."""
    G.eval()
    with mg.no_grad():
        images = G(z).numpy()
    G.train()
    return images


@lesson.demo
def demo():
    mg.manual_seed(0)
    steps, width, latent_dim, batch = lesson.size(1200, quick=4), lesson.size(24, quick=4), 64, 64
    G, D = dcgan_init_(dcgan_generator(latent_dim, width)), dcgan_init_(dcgan_discriminator(width))
    opt_g = optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    fixed_z = mg.randn(40, latent_dim)
    shown = sorted({0, steps // 8, steps // 3, steps})
    snapshots, history, step = {}, [], 0
    loader = DataLoader(digits('train'), batch_size=batch, shuffle=True, drop_last=True)
    while step < steps:
        for real, _ in loader:
            if step in shown:
                snapshots[step] = samples_of(G, fixed_z)
            fake = G(mg.randn(batch, latent_dim))
            loss_d = mg.losses.bce_discriminator_loss(D(real).reshape(batch), D(fake.detach()).reshape(batch))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            loss_g = mg.losses.bce_generator_loss(D(fake).reshape(batch))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            history.append((loss_d.item(), loss_g.item()))
            step += 1
            if step % 100 == 0:
                print(f"  step {step}/{steps}: loss_d {loss_d.item():.3f}, loss_g {loss_g.item():.3f}")
            if step == steps:
                break
    snapshots[steps] = samples_of(G, fixed_z)

    fig = plt.figure(figsize=(16, 7.5), layout='constrained')
    panels = fig.subplots(2, 3)
    for ax, s in zip(panels.flat, shown):
        grid(ax, snapshots[s], 4, f"the same 40 z after {s} steps")
    for ax in panels.flat[len(shown):4]:       # the quick size has fewer snapshots
        ax.axis('off')
    history = np.array(history)
    panels[1, 1].plot(history[:, 0], lw=0.6, label='loss_d')
    panels[1, 1].plot(history[:, 1], lw=0.6, label='loss_g')
    panels[1, 1].axhline(np.log(4), color='0.5', ls=':', lw=1)
    panels[1, 1].set(xlabel='step', title='losses (dotted: log 4, where D is ½ everywhere)')
    panels[1, 1].legend()

    G.eval()
    with mg.no_grad():
        counts = DigitScorer.load().class_counts(G(mg.randn(500, latent_dim)))
    panels[1, 2].bar(range(10), counts)
    panels[1, 2].axhline(50, color='0.5', ls=':', lw=1)
    panels[1, 2].set(xticks=range(10), xlabel='digit read by the classifier', ylabel='of 500 samples',
                     title='which digits G draws (dotted: a uniform 50 each)')
    lesson.save(fig, 'dcgan.png')
    print(f"  the classifier reads G's 500 samples as {dict(enumerate(counts))}")


# %%
if __name__ == '__main__':
    lesson.main()
