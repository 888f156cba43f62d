# %% [markdown]
# # Lesson 16 · Image-to-image translation without pairs: CycleGAN
#
# Lesson 15 learned thin → bold digits from pairs (a, b), b the true translation of a. Usually
# nobody has those: the same scene as a photo and as a painting, the same horse as a zebra.
# CycleGAN (Zhu et al. 2017) learns from two unrelated piles of images, one per domain. Here: thin
# digits, and bold digits drawn from *other* images (`minigan.data.strokes('train')`).
#
# **Two GANs.** A generator G_AB: A → B with a discriminator D_B (is this a real bold digit?),
# and G_BA: B → A with D_A. Adversarial terms alone would let G_AB output *any* plausible bold
# digit, unrelated to its input: with unpaired data, nothing ties an output to its input.
#
# **Cycle consistency** does: a round trip must come back where it started,
#
#     L_cyc = E|G_BA(G_AB(a)) − a| + E|G_AB(G_BA(b)) − b|      (weight λ_cyc = 10),
#
# so G_AB must keep enough of a in its output for G_BA to rebuild it: the translation becomes
# (nearly) invertible. An optional **identity** term asks a generator to leave alone an image that
# is already in its output domain, E|G_AB(b) − b| + E|G_BA(a) − a| (weight λ_id·λ_cyc, λ_id = 0.5
# in the paper): on photos it keeps colours from drifting.
#
# **Training details from the paper.** The adversarial loss is least squares (G wants D's score
# at 1: E[(D(G(a)) − 1)²]; D wants 1 on real images and 0 on fakes), which gives steadier
# gradients than the log loss. Each discriminator is fed from a **history pool** of up to 50
# generated images, half of each batch from the past, so that D does not forget what G produced a
# few steps ago and G cannot oscillate back to it. (The paper also keeps the learning rate
# constant for 100 epochs and then decays it linearly to 0 over 100 more.)
#
# **Limits.** Nothing in the losses says *which* bold digit is right; the cycle only makes the
# mapping invertible, and a generator may hide information in faint details to pass the cycle.
# CycleGAN changes colour and texture well, fails at geometric changes (a cat into a dog), and
# stays behind a model trained on pairs wherever pairs can be had. The demo measures that gap.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
from minigan import nn, optim
from minigan.data import strokes
from minigan.gan.metrics import cycle_l1, held_out_l1
from minigan.gan.models import PatchDiscriminator, init_normal
from minigan.utils.data import DataLoader
from minigan.viz import grid_array
from _checks import call, expect_close, expect_equal, leaf, rng
from _course import Lesson

lesson = Lesson('16_cyclegan', 'Image-to-image without pairs: CycleGAN')

# %% [markdown]
# ## Exercise 1 · cycle consistency
#
# Both round trips, each an L1 distance to where it started. With unpaired data this is what
# ties an output to its input.

# %%
@lesson.exercise(hint="(G_ba(G_ab(a)) - a).abs().mean() + (G_ab(G_ba(b)) - b).abs().mean(): A → B → A "
                      "for a, B → A → B for b.")
def cycle_loss(G_ab, G_ba, a, b):
    """E|G_BA(G_AB(a)) − a| + E|G_AB(G_BA(b)) − b|, each a mean over all elements.

    G_ab, G_ba: callables, images -> images of the same shape; a, b: Tensors (N, C, H, W), images
    of domain A and of domain B (unrelated to each other). Returns a 0-d Tensor.
    """
    raise NotImplementedError("lesson 16, exercise cycle_loss: replace this line with your answer")


# Stand-ins for the networks in the checks: simple maps whose composition is easy in NumPy.
def toy_G_ab(x):
    return mg.tanh(1.5 * x + 0.4)


def toy_G_ba(x):
    return 0.8 * x - 0.2


def toy_D_a(x):
    return 0.6 * x + 0.1


def toy_D_b(x):
    return -0.5 * x + 0.3


def np_G_ab(x):
    return np.tanh(1.5 * x + 0.4)


def np_G_ba(x):
    return 0.8 * x - 0.2


@cycle_loss.check
def check_cycle_loss(cycle_loss):
    a, b = rng().standard_normal((2, 3, 1, 4, 4))
    got = call(cycle_loss, toy_G_ab, toy_G_ba, leaf(a), leaf(b))
    ref = np.abs(np_G_ba(np_G_ab(a)) - a).mean() + np.abs(np_G_ab(np_G_ba(b)) - b).mean()
    expect_close(got, ref, source="NumPy, with G_ab(x) = tanh(1.5x + 0.4) and G_ba(x) = 0.8x − 0.2")


# %% [markdown]
# ## Exercise 2 · CycleGAN's generator loss
#
# Both generators train together on one loss: each fools the other domain's discriminator
# (least squares: D's output pulled to 1), both round trips come back (your `cycle_loss`), and
# each leaves an image of its own output domain unchanged:
#
#     L = E[(D_B(G_AB(a)) − 1)²] + E[(D_A(G_BA(b)) − 1)²]
#       + λ_cyc · cycle_loss + λ_id · λ_cyc · (E|G_AB(b) − b| + E|G_BA(a) − a|)
#
# (CycleGAN's code uses the plain mean squared error here; `minigan.losses.lsgan_generator_loss`
# has the LSGAN paper's extra ½.)

# %%
@lesson.exercise(hint="D_b judges G_ab's output (a fake B), D_a judges G_ba's. Identity: G_ab is "
                      "given a real b and should return it unchanged, G_ba a real a. The identity "
                      "weight is lambda_identity * lambda_cycle.")
def cyclegan_generator_loss(G_ab, G_ba, D_a, D_b, a, b, lambda_cycle=10.0, lambda_identity=0.5):
    """Adversarial (least squares) + λ_cyc·cycle + λ_id·λ_cyc·identity, for both directions.

    G_ab, G_ba: generators; D_a, D_b: critics of domains A and B (images -> patch scores); a, b:
    Tensors (N, C, H, W). Returns a 0-d Tensor (see the formula above).
    """
    raise NotImplementedError("lesson 16, exercise cyclegan_generator_loss: replace this line with your answer")


@cyclegan_generator_loss.check
def check_cyclegan_generator_loss(cyclegan_generator_loss):
    a, b = rng().standard_normal((2, 3, 1, 4, 4))
    fake_b, fake_a = np_G_ab(a), np_G_ba(b)
    adversarial = ((-0.5 * fake_b + 0.3 - 1) ** 2).mean() + ((0.6 * fake_a + 0.1 - 1) ** 2).mean()
    cycle = np.abs(np_G_ba(fake_b) - a).mean() + np.abs(np_G_ab(fake_a) - b).mean()
    identity = np.abs(np_G_ab(b) - b).mean() + np.abs(np_G_ba(a) - a).mean()
    for lam_c, lam_id in ((10.0, 0.5), (2.0, 0.0), (4.0, 0.25)):
        got = call(cyclegan_generator_loss, toy_G_ab, toy_G_ba, toy_D_a, toy_D_b, leaf(a), leaf(b),
                   lambda_cycle=lam_c, lambda_identity=lam_id)
        expect_close(got, adversarial + lam_c * cycle + lam_id * lam_c * identity,
                     source="NumPy, with toy maps for the generators and the critics")


# %% [markdown]
# ## Exercise 3 · the history pool
#
# The pool keeps up to `size` generated images. For each new image, in order:
#
# - while the pool holds fewer than `size` images, store the new one and hand it to D;
# - once full, flip a coin: if `coins[i] > 0.5`, hand D the stored image at `slots[i]` and put the
#   new one in its place; otherwise hand D the new image and store nothing.
#
# So once warm, about half of each batch D sees comes from the past. (The coins and slots are
# given, drawn by the caller, so the result is reproducible.)

# %%
@lesson.exercise(hint="Loop over the images with their index i; `pool` is a Python list you modify "
                      "in place (append, or swap pool[slots[i]]). Collect the images for D in a list "
                      "and return mg.stack(chosen). size == 0: return the images as they are.")
def history_pool_query(pool, images, size, coins, slots):
    """The images D sees this step, drawn from ``images`` and the pool; updates ``pool`` in place.

    pool: a list of Tensors (C, H, W), the stored images (at most ``size``); images: Tensor
    (N, C, H, W) of new fakes (detached); coins: floats in [0, 1), one per image; slots: ints in
    [0, size), one per image. Returns a Tensor (N, C, H, W).
    """
    raise NotImplementedError("lesson 16, exercise history_pool_query: replace this line with your answer")


@history_pool_query.check
def check_history_pool_query(history_pool_query):
    def batch(*values):   # image i is filled with its label, so we can tell which came back
        return leaf(np.array(values, dtype=np.float64)[:, None, None, None] * np.ones((1, 1, 2, 2)))

    def labels(images):
        return [float(np.asarray(im.numpy() if isinstance(im, mg.Tensor) else im).reshape(-1)[0]) for im in images]

    pool = []
    steps = [((1, 2), (0.9, 0.9), (0, 0), [1, 2], [1, 2]),              # filling: stored and used
             ((3, 4, 5), (0.9, 0.9, 0.1), (0, 1, 2), [3, 2, 5], [1, 4, 3]),   # fills, swaps, passes
             ((6, 7), (0.7, 0.7), (1, 1), [4, 6], [1, 7, 3])]              # swaps twice in one slot
    for values, coins, slots, expected, expected_pool in steps:
        got = call(history_pool_query, pool, batch(*values), 3, list(coins), list(slots))
        expect_equal(labels(got), [float(v) for v in expected],
                     what=f"the images handed to D for new images {list(values)} (each shown by its value)",
                     source=f"coins {list(coins)}, slots {list(slots)}, pool size 3")
        expect_equal(labels(pool), [float(v) for v in expected_pool], what="the pool afterwards")
    empty = []
    got = call(history_pool_query, empty, batch(8, 9), 0, [0.9, 0.9], [0, 0])
    expect_equal((labels(got), empty), ([8.0, 9.0], []), what="(images for D, pool) with size 0")


# %% [markdown]
# ## The demo: thin ↔ bold digits without pairs
#
# The task is local (a stroke grows or shrinks by a pixel), so both generators are three 3×3
# convolutions at full resolution, small enough for a CPU; the paper's ResNet generator
# (`minigan.gan.models.ResnetGenerator`) learns the same, several times slower. The critics are
# `minigan.gan.models.PatchDiscriminator` (16×16 patches). Everything else is the paper's, with
# your losses and your pool, except one choice: λ_id = 0.1, not 0.5. The identity term assumes
# that a bold digit, translated to bold, stays as it is, and here that is false (bold(bold(x)) is
# bolder still): at 0.5 it fights the very change we want. About two minutes on two quiet cores; with
# more steps the outputs get cleaner.
#
# Then the same generator is trained on the *pairs*, with the plain L1 loss to the true target,
# for a third of the steps: what pairs buy. Both translate held-out thin digits, and
# `minigan.gan.metrics.held_out_l1` measures the mean absolute error to the true bold digits,
# with "copy the input" as the baseline.
#
# Things to try: `lambda_identity=0.5`; `lambda_cycle=0` (now G_AB may draw any bold digit);
# `pool_size=0`; more steps.

# %%
def local_generator(width=16):
    """Three 3×3 convolutions at full resolution (a receptive field of 7 pixels), tanh output."""
    def conv(cin, cout):
        return nn.Conv2d(cin, cout, 3, padding=1, padding_mode='reflect')
    return init_normal(nn.Sequential(conv(1, width), nn.InstanceNorm2d(width), nn.ReLU(),
                                     conv(width, width), nn.InstanceNorm2d(width), nn.ReLU(),
                                     conv(width, 1), nn.Tanh()))


def adam(*modules):
    return optim.Adam([p for m in modules for p in m.parameters()], lr=2e-4, betas=(0.5, 0.999))


def batches(data, batch_size):
    """Shuffled batches, epoch after epoch, for as long as the caller takes them."""
    while True:
        yield from DataLoader(data, batch_size=batch_size, shuffle=True)


def pool_draw(pool, fakes, pool_size):
    """Your pool, with its coins and slots drawn from minigan's generator."""
    n = fakes.shape[0]
    return history_pool_query(pool, fakes, pool_size, mg.rand(n).tolist(),
                              mg.randint(0, max(pool_size, 1), (n,)).tolist())


def train_cyclegan(steps, batch_size, width, lambda_cycle=10.0, lambda_identity=0.1, pool_size=50):
    G_ab, G_ba = local_generator(width), local_generator(width)
    D_a, D_b = init_normal(PatchDiscriminator(1, width, 1)), init_normal(PatchDiscriminator(1, width, 1))
    opt_g, opt_d = adam(G_ab, G_ba), adam(D_a, D_b)
    pool_a, pool_b = [], []
    history, start = [], time.perf_counter()
    for _, (a, b) in zip(range(steps), batches(strokes('train'), batch_size)):
        loss_g = cyclegan_generator_loss(G_ab, G_ba, D_a, D_b, a, b, lambda_cycle, lambda_identity)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        with mg.no_grad():
            fake_a, fake_b = G_ba(b), G_ab(a)
        fake_a, fake_b = pool_draw(pool_a, fake_a, pool_size), pool_draw(pool_b, fake_b, pool_size)
        loss_d = (mg.losses.lsgan_discriminator_loss(D_a(a), D_a(fake_a)) +
                  mg.losses.lsgan_discriminator_loss(D_b(b), D_b(fake_b)))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        history.append((loss_d.item(), loss_g.item()))
    print(f"  CycleGAN: {steps} steps in {time.perf_counter() - start:.0f} s; last losses: D {history[-1][0]:.3f}, "
          f"G {history[-1][1]:.2f}")
    return G_ab.eval(), G_ba.eval(), np.array(history)


def train_paired(steps, batch_size, width):
    """The same generator, trained on the pairs with L1 to the true target: what pairs buy."""
    G = local_generator(width)
    opt, start = adam(G), time.perf_counter()
    for _, (a, b) in zip(range(steps), batches(strokes('train', paired=True), batch_size)):
        loss = (G(a) - b).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"  paired L1: {steps} steps in {time.perf_counter() - start:.0f} s")
    return G.eval()


@lesson.demo
def demo():
    mg.manual_seed(0)
    width = lesson.size(16, quick=4)
    steps = lesson.size(600, quick=3)
    G_ab, G_ba, history = train_cyclegan(steps, batch_size=8, width=width)
    paired = train_paired(steps // 3, batch_size=8, width=width)
    thin, bold = strokes('test').tensors
    every = lesson.size(1, quick=10)                    # quick: 50 of the 500 held-out digits
    thin, bold = thin[::every], bold[::every]
    scores = {'copy the input': held_out_l1(lambda x: x, thin, bold),
              'CycleGAN (unpaired)': held_out_l1(G_ab, thin, bold),
              'L1 on pairs': held_out_l1(paired, thin, bold)}
    for name, value in scores.items():
        print(f"  held-out mean |output − true bold|, {name}: {value:.3f}")
    print(f"  round trips: mean |G_BA(G_AB(a)) − a| = {cycle_l1(G_ab, G_ba, thin):.3f}, "
          f"mean |G_AB(G_BA(b)) − b| = {cycle_l1(G_ba, G_ab, bold):.3f}")

    one_of_each = thin.shape[0] // 10                   # the held-out digits are sorted by class
    a, b = thin[::one_of_each][:10], bold[::one_of_each][:10]
    with mg.no_grad():
        rows = [a, G_ab(a), G_ba(G_ab(a)), b, G_ba(b), G_ab(G_ba(b))]
    names = ['thin a', 'G_AB(a)', 'G_BA(G_AB(a))', 'bold b', 'G_BA(b)', 'G_AB(G_BA(b))']
    fig = plt.figure(figsize=(14, 5.4), layout='constrained')
    grid, right = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=[2.2, 1]))
    grid.imshow(grid_array(mg.cat(rows, 0), columns=10), cmap='gray', vmin=0, vmax=1)
    grid.set_yticks([16 + 30 * i for i in range(len(rows))], names)
    grid.set_xticks([])
    grid.set_title('held-out digits: both translations and both round trips')
    bars, losses = right.get_subplotspec().subgridspec(2, 1).subplots()
    right.remove()
    bars.barh(list(scores), list(scores.values()), color=['0.6', 'tab:orange', 'tab:blue'])
    bars.set(xlabel='mean |G_AB(a) − true bold| on held-out digits', title='how far from the truth')
    losses.plot(history[:, 0], label='D_A + D_B', alpha=0.8)
    losses.plot(history[:, 1], label='both generators', alpha=0.8)
    losses.set(xlabel='step', yscale='log', title='CycleGAN losses')
    losses.legend()
    lesson.save(fig, 'cyclegan.png')


# %%
if __name__ == '__main__':
    lesson.main()
