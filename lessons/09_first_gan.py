# %% [markdown]
# # Lesson 9 · Your first GAN: the minimax game
#
# A GAN has two networks. The **generator** G turns noise z ~ N(0, I) into a sample G(z); the
# distribution of those samples is the *model* distribution p_model. The **discriminator** D
# reads a sample x and returns D(x) in (0, 1), its belief that x came from the data rather than
# from G. Neither network ever sees a density: D sees samples, G sees D's verdicts.
#
# **The game.** Both play on one number, the value
#
#     V(D, G) = E_{x ~ p_data}[ log D(x) ] + E_{z}[ log(1 − D(G(z))) ].
#
# D wants V large: that is the binary cross-entropy of lesson 4 with label 1 for data and 0 for
# fakes, sign flipped. G wants V small, and only the second term depends on it. Training
# alternates: a step of D with G held still, then a step of G through D held still.
#
# **The best D for a fixed G.** Write the expectations as one integral over x:
# V = ∫ [ p_data(x) log D(x) + p_model(x) log(1 − D(x)) ] dx. D can choose its value at each x
# separately, and a·log y + b·log(1 − y) is largest at y = a / (a + b) (set the derivative
# a/y − b/(1 − y) to zero). So
#
#     D*(x) = p_data(x) / (p_data(x) + p_model(x)):
#
# 1 where only data lives, 0 where only fakes do, ½ where the two densities agree.
#
# **What G minimizes.** Put D* back into V. With the mixture m = (p_data + p_model)/2 each log
# becomes log(p / 2m), and the two integrals are Kullback-Leibler divergences to m:
#
#     V(G, D*) = KL(p_data ‖ m) + KL(p_model ‖ m) − log 4 = 2·JS(p_data ‖ p_model) − log 4,
#
# where JS, the **Jensen-Shannon divergence**, is the average KL of the two distributions to
# their mixture. JS ≥ 0, with 0 exactly when p_model = p_data: there the game ends, D* = ½
# everywhere and V = −log 4. JS is also at most log 2, reached as soon as the two distributions
# do not overlap at all, and then it stays at log 2 *however far apart they are*: a G whose
# samples miss the data by a little or by a lot sees the same value. Lesson 11 comes back to that.
#
# **Saturating or not.** With D = σ(f) for a logit f, G's term log(1 − σ(f)) has the derivative
# −σ(f) in f. Early in training D rejects the fakes easily, f ≪ 0, σ(f) ≈ 0: the gradient
# vanishes exactly when G has the most to learn. The usual fix changes G's objective, not the
# game's fixed point: G *minimizes* −log D(G(z)) = −log σ(f), whose derivative −(1 − σ(f)) tends
# to −1 there. The first is the **saturating** loss, the second the **non-saturating** one.
#
# You will compute D* and JS on densities you can see, write both generator losses from logits
# (lesson 4's softplus keeps them finite), and write the training step that the demo uses to
# teach a GAN the eight-mode ring of `minigan.data`.

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan import nn, optim
from minigan.data import mixture, mixture_geometry
from minigan.gan.metrics import mixture_metrics
from _checks import answer_and_grads, call, called, engine_grads, expect_close, leaf, rng
from _course import Lesson

lesson = Lesson('09_first_gan', 'Your first GAN')


# %% [markdown]
# ## Exercise 1 · the optimal discriminator

# %%
@lesson.exercise(hint="Maximize a·log y + b·log(1 - y) over y at each point: y = a / (a + b), with "
                      "a = p_data and b = p_model. Elementwise NumPy, no loop.")
def optimal_discriminator(p_data, p_model):
    """D*(x) = p_data(x) / (p_data(x) + p_model(x)): the D that maximizes V for a fixed G.

    p_data, p_model: NumPy arrays of the two densities at the same points (any shape, >= 0, never
    both 0 at one point). Returns an array of that shape with values in [0, 1].
    """
    raise NotImplementedError("lesson 9, exercise optimal_discriminator: replace this line with your answer")


@optimal_discriminator.check
def check_optimal_discriminator(optimal_discriminator):
    r = rng()
    a, b = r.uniform(0.0, 2.0, (2, 7))
    a[0], b[1] = 0.0, 0.0                    # only fakes here, only data there
    got = call(optimal_discriminator, a, b)
    # brute force: the y in (0, 1) that makes a·log y + b·log(1 − y) largest, on a fine grid
    y = np.linspace(0, 1, 200001)[:, None]
    with np.errstate(divide='ignore', invalid='ignore'):
        v = np.where(a > 0, a * np.log(y), 0) + np.where(b > 0, b * np.log1p(-y), 0)
    expect_close(got, y[np.argmax(v, axis=0), 0], atol=1e-5,
                 source="the best y of a·log y + b·log(1 − y) on a grid of 200,001 values")


# %% [markdown]
# ## Exercise 2 · the Jensen-Shannon divergence
#
# On a grid of points spaced dx apart a density becomes an array p with Σ p·dx = 1, and an
# integral ∫ f dx becomes Σ f·dx. A term p·log(p/m) where p = 0 counts 0 (the limit of t log t).

# %%
@lesson.exercise(hint="m = (p + q) / 2; JS = ½·Σ p·log(p/m)·dx + ½·Σ q·log(q/m)·dx, where a term with "
                      "p = 0 (or q = 0) counts 0: np.where(p > 0, p * np.log(p / m), 0).")
def js_divergence(p, q, dx):
    """JS(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m) with m = (p + q)/2, for densities on a grid.

    p, q: NumPy arrays (n,) of two densities sampled dx apart (each sums to 1/dx). Returns a
    float in [0, log 2], in nats.
    """
    raise NotImplementedError("lesson 9, exercise js_divergence: replace this line with your answer")


def entropy_on_grid(p, dx):
    """H(p) = −Σ p·log p·dx, with 0·log 0 = 0."""
    with np.errstate(divide='ignore', invalid='ignore'):
        return -np.sum(np.where(p > 0, p * np.log(p), 0.0)) * dx


def gaussian(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


@js_divergence.check
def check_js_divergence(js_divergence):
    x = np.linspace(-12, 12, 4801)
    dx = x[1] - x[0]
    cases = [('N(0, 1) and N(1.5, 0.7²)', gaussian(x, 0, 1), gaussian(x, 1.5, 0.7)),
             ('two boxes that do not overlap', (abs(x + 4) < 1) / 2.0, (abs(x - 4) < 1) / 2.0),
             ('two boxes that half overlap', (abs(x) < 1) / 2.0, (abs(x - 1) < 1) / 2.0)]
    for name, p, q in cases:
        called(f"js_divergence(p, q, dx) for {name}, on a grid of {x.size} points")
        m = (p + q) / 2
        # JS is also the entropy of the mixture minus the mean entropy of the parts
        expect_close(js_divergence(p, q, dx), entropy_on_grid(m, dx) - (entropy_on_grid(p, dx) + entropy_on_grid(q, dx)) / 2,
                     atol=1e-8, source="H(m) − ½H(p) − ½H(q)")
        expect_close(js_divergence(p, p, dx), 0.0, atol=1e-12, what='JS(p ‖ p)', source="0: a distribution against itself")


# %% [markdown]
# ## Exercise 3 · the saturating generator loss
#
# From here on the exercises take and return minigan Tensors, written in Tensor ops, so autograd
# differentiates them and the checks compare gradients too. Logits can be huge: D is often very
# sure. log(1 − σ(f)) = −softplus(f) (lesson 4), and `F.softplus(f)` computes softplus safely.

# %%
@lesson.exercise(hint="log(1 - σ(f)) = -softplus(f), so the loss is -F.softplus(fake_logits).mean(). "
                      "Computing mg.sigmoid first gives log(0) = -inf once σ(f) rounds to 1.")
def saturating_generator_loss(fake_logits):
    """The minimax game's own G loss: E[log(1 − D(G(z)))] with D = σ(f), to minimize.

    fake_logits f: Tensor (N,) of D's logits on a fake batch. Returns a 0-d Tensor, finite for
    every finite f.
    """
    raise NotImplementedError("lesson 9, exercise saturating_generator_loss: replace this line with your answer")


LOGITS = np.array([-1e3, -40.0, -8.0, -1.0, 0.0, 0.5, 3.0, 40.0, 1e3])   # D rejects ... D accepts


def check_generator_loss(answer, saturating):
    out, (grad,) = answer_and_grads(lambda f: call(answer, f), [LOGITS], 1.0)
    reference = lambda f: mg.losses.bce_generator_loss(f, saturating=saturating)  # noqa: E731
    expect_close(out, reference(leaf(LOGITS)), source=f"mg.losses.bce_generator_loss(saturating={saturating})")
    expect_close(grad, engine_grads(reference, (LOGITS,), 1.0)[0], what='dL/df',
                 source="minigan's backward of mg.losses.bce_generator_loss")


@saturating_generator_loss.check
def check_saturating_generator_loss(saturating_generator_loss):
    check_generator_loss(saturating_generator_loss, saturating=True)


# %% [markdown]
# ## Exercise 4 · the non-saturating generator loss

# %%
@lesson.exercise(hint="-log σ(f) = softplus(-f): the loss is F.softplus(-fake_logits).mean(). It is "
                      "a loss to minimize, so it is positive, and large while D rejects the fakes.")
def non_saturating_generator_loss(fake_logits):
    """The loss G minimizes in practice: −E[log D(G(z))] with D = σ(f).

    fake_logits f: Tensor (N,) of D's logits on a fake batch. Returns a 0-d Tensor, finite for
    every finite f.
    """
    raise NotImplementedError("lesson 9, exercise non_saturating_generator_loss: replace this line with your answer")


@non_saturating_generator_loss.check
def check_non_saturating_generator_loss(non_saturating_generator_loss):
    check_generator_loss(non_saturating_generator_loss, saturating=False)


# %% [markdown]
# ## Exercise 5 · one training step
#
# First D: a real batch and a fake batch, D's loss −E[log D(x)] − E[log(1 − D(G(z)))]
# (`mg.losses.bce_discriminator_loss(real_logits, fake_logits)` computes it from logits), and a
# step of D's optimizer. The fakes are **detached** for this step: D's loss must not send
# gradients into G. Then G: its non-saturating loss (exercise 4) on D's logits of the fakes,
# computed by the D that has just been updated, and a step of G's optimizer. Each optimizer's
# gradients are zeroed right before its backward pass.

# %%
@lesson.exercise(hint="fake = G(z); loss_d = mg.losses.bce_discriminator_loss(D(real), D(fake.detach())); "
                      "opt_d.zero_grad(); loss_d.backward(); opt_d.step(); then loss_g = "
                      "non_saturating_generator_loss(D(fake)) and the same three calls with opt_g.")
def train_step(G, D, opt_g, opt_d, real, z):
    """One step of GAN training: a D step, then a G step through the updated D.

    G: module z (N, Z) -> samples (N, ...); D: module samples -> logits (N,) or (N, 1);
    opt_g, opt_d: their optimizers; real: Tensor of a real batch; z: Tensor (N, Z) of noise.
    Returns (loss_d, loss_g) as Python floats (use .item()).
    """
    raise NotImplementedError("lesson 9, exercise train_step: replace this line with your answer")


def tiny_gan(dtype=mg.float64):
    """A G (3 -> 2) and a D (2 -> 5 -> 1) in float64, the same weights on every call."""
    mg.manual_seed(1)
    G = nn.Sequential(nn.Linear(3, 4, dtype=dtype), nn.Tanh(), nn.Linear(4, 2, dtype=dtype))
    D = nn.Sequential(nn.Linear(2, 5, dtype=dtype), nn.LeakyReLU(0.2), nn.Linear(5, 1, dtype=dtype))
    return G, D


def reference_step(G, D, real, z, lr):
    """What one step with plain SGD must do, written with mg.grad and no optimizer."""
    fake = G(z)
    loss_d = mg.losses.bce_discriminator_loss(D(real), D(fake.detach()))
    with mg.no_grad():
        for p, g in zip(D.parameters(), mg.grad(loss_d, list(D.parameters()))):
            p.sub_(lr * g)
    loss_g = mg.losses.bce_generator_loss(D(fake))
    with mg.no_grad():
        for p, g in zip(G.parameters(), mg.grad(loss_g, list(G.parameters()))):
            p.sub_(lr * g)
    return loss_d.item(), loss_g.item()


def expect_same_networks(got, expected, name):
    for (key, p), q in zip(got.named_parameters(), expected.parameters()):
        expect_close(p, q, atol=1e-10, what=f"{name}'s {key} after the step",
                     source="a step written with mg.grad")


@train_step.check
def check_train_step(train_step):
    r = rng()
    real, z = leaf(r.standard_normal((6, 2))), leaf(r.standard_normal((6, 3)))
    G, D = tiny_gan()
    G_ref, D_ref = copy.deepcopy(G), copy.deepcopy(D)
    lr = 0.5
    opt_g, opt_d = optim.SGD(G.parameters(), lr=lr), optim.SGD(D.parameters(), lr=lr)
    losses = call(train_step, G, D, opt_g, opt_d, real, z)
    expected = reference_step(G_ref, D_ref, real, z, lr)
    expect_same_networks(D, D_ref, 'D')
    expect_same_networks(G, G_ref, 'G')
    expect_close(np.asarray(losses, dtype=float), np.array(expected), atol=1e-10,
                 what='(loss_d, loss_g)', source="the losses before each update")


# %% [markdown]
# ## The demo
#
# Two figures. **theory.png**: a data density with two bumps, a model density, and your D*
# between them; your JS as the model slides past the data (flat at log 2 while they do not
# overlap), beside V(G, D*) integrated with your D*, which should sit exactly at 2·JS − log 4;
# and the slope of each of your generator losses against D(G(z)).
#
# **training.png**: a GAN learns ring8, eight narrow Gaussians on the unit circle (σ = 0.01), with
# your `train_step`: two-layer networks, Adam (lr 5e-4, β1 = 0.5), batches of 100. Each panel
# shows 2,500 samples of G over D's belief D(x) (yellow: "real"). Watch D's picture guide the
# samples, and notice the thin bridges between the modes: G is a continuous map of a connected
# noise space, so it cannot jump from one mode to the next without drawing a path. About half a
# minute on two cores; the count of covered modes is printed (PacGAN's test: a mode is covered
# when at least one sample lies within 3σ of its centre).

# %%
def plot_theory():
    x = np.linspace(-10, 10, 4001)
    dx = x[1] - x[0]
    p_data = 0.5 * gaussian(x, -1.5, 0.5) + 0.5 * gaussian(x, 1.5, 0.5)
    p_model = gaussian(x, 0.5, 1.2)
    fig, (densities, divergence, slopes) = plt.subplots(1, 3, figsize=(16, 4.3), layout='constrained')
    densities.fill_between(x, p_data, alpha=0.3, label='p_data')
    densities.fill_between(x, p_model, alpha=0.3, label='p_model')
    twin = densities.twinx()
    twin.plot(x, optimal_discriminator(p_data, p_model), 'k', label='D*(x), yours')
    twin.axhline(0.5, color='0.6', ls=':', lw=1)
    twin.set(ylim=(0, 1.05), ylabel='D*(x)')
    densities.set(xlim=(-5, 5), xlabel='x', ylabel='density', title='the best discriminator for this G')
    densities.legend(loc='upper left')
    twin.legend(loc='upper right')

    shifts = np.linspace(-7, 7, 141)
    js, value = [], []
    for mu in shifts:
        q = gaussian(x, mu, 0.5)
        p = gaussian(x, 0.0, 0.5)
        d = optimal_discriminator(p, q)
        with np.errstate(divide='ignore', invalid='ignore'):   # terms under 1e-300 underflow: left out
            v = np.sum(np.where((p > 0) & (d > 0), p * np.log(d), 0)
                       + np.where((q > 0) & (d < 1), q * np.log(1 - d), 0)) * dx
        js.append(js_divergence(p, q, dx))
        value.append(v)
    divergence.plot(shifts, js, lw=3, alpha=0.5, label='JS(p_data ‖ p_model), yours')
    divergence.plot(shifts, (np.array(value) + np.log(4)) / 2, 'k--', label='(V(G, D*) + log 4) / 2, with your D*')
    divergence.axhline(np.log(2), color='tab:red', lw=0.8)
    divergence.text(-7, np.log(2) - 0.07, 'log 2: flat, no gradient for G', color='tab:red')
    divergence.set(xlabel='mean of p_model = N(μ, 0.5²); p_data = N(0, 0.5²)', ylabel='nats',
                   title='what G minimizes: the Jensen-Shannon divergence')
    divergence.legend(loc='lower right', fontsize=8)

    f = mg.linspace(-12, 12, 481, dtype=mg.float64, requires_grad=True)
    d_of_fake = mg.sigmoid(f).detach().numpy()
    for name, loss, style in [('saturating: log(1 − D)', saturating_generator_loss, 'tab:orange'),
                              ('non-saturating: −log D', non_saturating_generator_loss, 'tab:blue')]:
        (slope,) = mg.grad([loss(f) * f.shape[0]], [f])    # the mean's 1/N undone: per-sample slopes
        slopes.semilogx(d_of_fake, np.abs(slope.numpy()), color=style, label=name)
    slopes.axvspan(1e-5, 0.05, color='0.9')
    slopes.text(1.5e-5, 0.5, "early training:\nD rejects the fakes", fontsize=9)
    slopes.set(xlim=(1e-5, 1), xlabel='D(G(z))', ylabel='|dL/d logit|, by autograd',
               title="G's two losses, and their slopes")
    slopes.legend(loc='center right')
    return fig


def make_networks(hidden, latent_dim):
    G = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                      nn.Linear(hidden, 2))
    D = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                      nn.Linear(hidden, 1))
    return G, D


def belief_map(D, span=1.5, n=120):
    """σ(D(x)) on an n × n grid over [−span, span]²."""
    t = np.linspace(-span, span, n, dtype=np.float32)
    grid = np.stack(np.meshgrid(t, t), -1).reshape(-1, 2)
    with mg.no_grad():
        return mg.sigmoid(D(mg.tensor(grid))).numpy().reshape(n, n)


@lesson.demo
def demo():
    lesson.save(plot_theory(), 'theory.png')

    mg.manual_seed(0)
    steps, hidden, latent_dim, batch = lesson.size(2500, quick=30), lesson.size(256, quick=16), 2, 100
    G, D = make_networks(hidden, latent_dim)
    opt_g = optim.Adam(G.parameters(), lr=5e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(D.parameters(), lr=5e-4, betas=(0.5, 0.999))
    shown = np.unique(np.linspace(0, steps, 6).astype(int)[1:])
    snapshots, history = [], []
    for step in range(1, steps + 1):
        history.append(train_step(G, D, opt_g, opt_d, mixture('ring8', batch), mg.randn(batch, latent_dim)))
        if step in shown:
            with mg.no_grad():
                samples = G(mg.randn(2500, latent_dim))
            snapshots.append((step, samples.numpy(), belief_map(D), mixture_metrics(samples, 'ring8')))

    centres, sigma = mixture_geometry('ring8')
    fig, axes = plt.subplots(1, len(snapshots) + 1, figsize=(3.3 * (len(snapshots) + 1), 3.4))
    for ax, (step, samples, belief, metrics) in zip(axes, snapshots):
        ax.imshow(belief, origin='lower', extent=(-1.5, 1.5, -1.5, 1.5), vmin=0, vmax=1, cmap='viridis')
        ax.scatter(samples[:, 0], samples[:, 1], s=1, color='white', alpha=0.4)
        ax.scatter(centres[:, 0], centres[:, 1], marker='+', color='red', s=30, lw=0.8)
        ax.set_title(f"step {step}: {metrics['modes']} of 8 modes", fontsize=10)
        ax.set(xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), xticks=[], yticks=[])   # stray early samples stay out
    history = np.array(history)
    axes[-1].plot(history[:, 0], lw=0.6, label='loss_d')
    axes[-1].plot(history[:, 1], lw=0.6, label='loss_g')
    axes[-1].axhline(np.log(4), color='0.5', ls=':', lw=1)
    axes[-1].axhline(np.log(2), color='0.5', ls='--', lw=1)
    axes[-1].set(xlabel='step', title='losses (log 4 and log 2: their values\nwhen D is ½ everywhere)')
    axes[-1].legend(fontsize=8)
    lesson.save(fig, 'training.png')
    final = snapshots[-1][3]
    print(f"  after {steps} steps: {final['modes']} of 8 modes covered, {final['high_quality']:.0%} of "
          f"samples within 3σ = {3 * sigma} of a mode")


# %%
if __name__ == '__main__':
    lesson.main()
