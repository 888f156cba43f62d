# %% [markdown]
# # Lesson 11 · Mode collapse and the Wasserstein loss
#
# **Modes and mode collapse.** A mode is a peak of a distribution: the eight bumps of ring8, or
# the ten digit classes (each with its own sub-peaks: slanted sevens, crossed sevens). A G that
# draws *one* perfect seven fools a D that has not yet learned to object to "only sevens". D then
# learns that sevens are fake; G, following D's gradient, moves its whole output to whatever D
# currently likes best, say ones; and so on. Nothing in the two alternating updates rewards G for
# *covering* the data: each step only asks it to make its current samples look more real. This
# **mode collapse**, with G hopping from mode to mode, is the most common way a GAN fails.
#
# **Why the BCE game makes it worse.** Lesson 9 showed that against the best D, G minimizes the
# Jensen-Shannon divergence, and JS is stuck at log 2 whenever the two distributions do not
# overlap: a G whose samples land near the data and one whose samples land far away get the same
# value and no gradient. Once D is good, its sigmoid saturates on the fakes and the signal G
# needs is flat (the saturating loss) or points at whatever D currently scores highest.
#
# **The earth mover's distance.** Picture p_model as a pile of earth and p_data as a hole of the
# same volume. A *transport plan* says how much earth goes from each x to each y; its cost is
# the mass moved times the distance it travels. The earth mover's (or Wasserstein-1) distance is
# the cost of the cheapest plan:
#
#     W(p, q) = min over plans γ of E_{(x, y) ~ γ} ‖x − y‖.
#
# Two point masses at 0 and θ: JS = log 2 for every θ ≠ 0, but W = |θ|, which keeps growing, and
# keeps telling G which way to go, however far apart they are. In one dimension the cheapest
# plan never crosses paths: sort both samples and match them in order. For two samples of n
# points each, W = (1/n) Σ_i |a_(i) − b_(i)|, with a_(i) the i-th smallest.
#
# **The critic.** For higher dimensions the Kantorovich-Rubinstein duality turns the minimum over
# plans into a maximum over functions:
#
#     W(p_data, p_model) = max over 1-Lipschitz c of  E_{x ~ p_data}[c(x)] − E_{x ~ p_model}[c(x)].
#
# **1-Lipschitz** means |c(x) − c(y)| ≤ ‖x − y‖: the slope of c is at most 1 everywhere, i.e.
# ‖∇c(x)‖ ≤ 1. Without that condition the maximum is infinite (scale any c up). So a WGAN's
# second network is a **critic** c, not a classifier: no sigmoid, any real score, trained to
# *maximize* E[c(real)] − E[c(fake)], i.e. to minimize E[c(fake)] − E[c(real)]; and G minimizes
# −E[c(G(z))]. This is the **W-loss**. The critic is trained several steps per G step (5), so
# that it stays close to the maximizer and its score difference close to W.
#
# **Keeping the critic 1-Lipschitz.** Two ways:
#
# - **Weight clipping** (the first WGAN): after every critic step, clamp every parameter to
#   [−c, c], c = 0.01. Bounded weights bound the slope, but crudely: the critic's capacity is
#   capped, most weights pile up at ±c, and c itself is a delicate knob.
# - **Gradient penalty** (WGAN-GP): a function is 1-Lipschitz exactly when ‖∇c‖ ≤ 1 everywhere;
#   the optimal critic has ‖∇c‖ = 1 along the straight lines between matched real and fake
#   points. So add λ·E[(‖∇_x̂ c(x̂)‖₂ − 1)²], λ = 10, at points x̂ = εx + (1 − ε)G(z) drawn on
#   those lines (ε ~ U[0, 1], one per pair). The penalty contains a gradient, and the critic's
#   step needs the gradient *of* it with respect to the critic's weights: a backward pass through
#   a backward pass. `mg.grad(..., create_graph=True)` builds the first gradient as a graph of
#   Tensor ops, which the second backward differentiates (minigan's backward rules are written in
#   Tensor ops for exactly this). And no batch norm in the critic: the penalty is per sample,
#   while batch norm makes each sample's score depend on the others in its batch.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
from minigan import nn, optim
from minigan.data import mixture, mixture_geometry
from minigan.gan.metrics import linear_sum_assignment, mode_histogram
from _checks import answer_and_grads, call, called, engine_grads, expect, expect_close, leaf, rng
from _course import Lesson
from _wasserstein_kit import mlp, plot_critic_row, plot_emd_vs_js, plot_mode_shares, plot_samples

lesson = Lesson('11_wasserstein', 'Mode collapse and the Wasserstein loss')


# %% [markdown]
# ## Exercise 1 · counting the modes G covers
#
# A sample *covers* mode k when k is its nearest mode and it lies within 3σ of that mode's
# centre (σ: the mixture's standard deviation); samples farther from every mode count for none.
# A G that has collapsed covers one mode, or a few.

# %%
@lesson.exercise(hint="Distances (N, K) by broadcasting samples[:, None, :] - centres[None, :, :]; the nearest "
                      "mode by argmin over axis 1; keep the samples whose nearest distance is <= 3 * sigma; "
                      "np.bincount(..., minlength=K).")
def mode_counts(samples, centres, sigma):
    """How many samples cover each mode: counts[k] = #{samples whose nearest centre is k and whose
    distance to it is at most 3σ}.

    samples: NumPy array (N, 2); centres: (K, 2); sigma: float. Returns an int array (K,).
    """
    raise NotImplementedError("lesson 11, exercise mode_counts: replace this line with your answer")


@mode_counts.check
def check_mode_counts(mode_counts):
    r = rng()
    for name in ('ring8', 'grid25'):
        centres, sigma = mixture_geometry(name)
        modes = r.integers(0, len(centres) // 2, 400)              # only half the modes: some get 0
        spread = r.uniform(0.5, 5.0, (400, 1)) * sigma              # some within 3σ, some beyond
        samples = centres[modes] + spread * r.standard_normal((400, 2)) / np.sqrt(2)
        got = call(mode_counts, samples, centres, sigma)
        expect_close(np.asarray(got), mode_histogram(samples, name)[0], atol=0, rtol=0,
                     source=f"minigan.gan.metrics.mode_histogram(samples, '{name}')")


# %% [markdown]
# ## Exercise 2 · the earth mover's distance in one dimension

# %%
@lesson.exercise(hint="Sort both samples (np.sort) and match them in order: np.mean(np.abs(np.sort(a) - "
                      "np.sort(b))). The i-th smallest goes to the i-th smallest.")
def emd_1d(a, b):
    """W(a, b) between two samples of n numbers each (every point of mass 1/n): the average
    distance each point of a travels when matched, in sorted order, to a point of b.

    a, b: NumPy arrays (n,). Returns a float >= 0.
    """
    raise NotImplementedError("lesson 11, exercise emd_1d: replace this line with your answer")


@emd_1d.check
def check_emd_1d(emd_1d):
    r = rng()
    a, b = r.standard_normal(7), r.standard_normal(7) * 2.5 + 0.3   # wider: the sorted samples cross
    # the definition: the cheapest of all n! matchings, found by an optimal assignment
    cost = np.abs(a[:, None] - b[None, :])
    rows, cols = linear_sum_assignment(cost)
    expect_close(call(emd_1d, a, b), cost[rows, cols].mean(), atol=1e-12,
                 source="the cheapest matching of a to b (minigan.gan.metrics.linear_sum_assignment)")
    expect_close(call(emd_1d, a, a + 3.0), 3.0, atol=1e-12, source="a sample moved by 3 is 3 away")


# %% [markdown]
# ## Exercise 3 · the W-loss
#
# Scores come straight from the critic: any real numbers, no sigmoid.

# %%
@lesson.exercise(hint="critic_loss = fake_scores.mean() - real_scores.mean() (the critic minimizes minus "
                      "its estimate of W); generator_loss = -fake_scores.mean().")
def wasserstein_losses(real_scores, fake_scores):
    """The W-loss: (the critic's loss E[c(fake)] − E[c(real)], G's loss −E[c(fake)]), both to
    minimize.

    real_scores, fake_scores: Tensors (N,) of critic scores. Returns a pair of 0-d Tensors,
    built with Tensor ops.
    """
    raise NotImplementedError("lesson 11, exercise wasserstein_losses: replace this line with your answer")


@wasserstein_losses.check
def check_wasserstein_losses(wasserstein_losses):
    r = rng()
    real, fake = r.standard_normal(6) * 3 + 1, r.standard_normal(6) * 3 - 1
    references = [('critic', mg.losses.wasserstein_critic_loss), ('generator',
                   lambda real_scores, fake_scores: mg.losses.wasserstein_generator_loss(fake_scores))]
    for i, (who, reference) in enumerate(references):
        out, grads = answer_and_grads(lambda a, b: call(wasserstein_losses, a, b)[i], [real, fake], 1.0, wrt=(0, 1))
        expect_close(out, reference(leaf(real), leaf(fake)), what=f"the {who}'s loss",
                     source=f"mg.losses.wasserstein_{who}_loss")
        expect_close(np.concatenate(grads), np.concatenate(engine_grads(reference, (real, fake), 1.0)),
                     what=f"d({who}'s loss)/d(real scores, fake scores)", source="minigan's backward of it")


# %% [markdown]
# ## Exercise 4 · weight clipping
#
# In place: the optimizer holds the very parameter Tensors of the critic, so a new Tensor bound
# to a local name changes nothing. An in-place change of a parameter is not part of the model's
# computation, so it is done under `with mg.no_grad():`.

# %%
@lesson.exercise(hint="with mg.no_grad(): for p in critic.parameters(): p.clamp_(-c, c). Every parameter, "
                      "biases included; `p = p.clamp(-c, c)` only rebinds the name p.")
def clip_weights_(critic, c):
    """WGAN's weight clipping: clamp every parameter of ``critic`` to [−c, c], in place.

    critic: an nn.Module; c > 0. Returns nothing.
    """
    raise NotImplementedError("lesson 11, exercise clip_weights_: replace this line with your answer")


def small_critic(dtype=mg.float64):
    """2 -> 8 -> 1 with tanh, float64, the same weights on every call (biases of either sign)."""
    mg.manual_seed(3)
    critic = nn.Sequential(nn.Linear(2, 8, dtype=dtype), nn.Tanh(), nn.Linear(8, 1, dtype=dtype))
    with mg.no_grad():
        critic[2].weight.mul_(5.0)   # input-gradient norms 0.8 to 1.1 at exercise 5's points
        critic[0].bias.mul_(4.0)
    return critic


@clip_weights_.check
def check_clip_weights_(clip_weights_):
    critic, reference = small_critic(), small_critic()
    before = list(critic.parameters())
    called("clip_weights_(critic, 0.2), critic = Sequential(Linear(2, 8), Tanh, Linear(8, 1))")
    clip_weights_(critic, 0.2)
    optim.clip_weights(reference, 0.2)
    for (name, p), q, same in zip(critic.named_parameters(), reference.parameters(), before):
        expect(p is same, f"critic's {name} is a new Tensor: clip the parameters in place, the optimizer "
                          "holds the old ones")
        expect(p.grad_fn is None and p.requires_grad, f"critic's {name} is no longer a trainable leaf: clip it "
                                                      "under mg.no_grad()")
        expect_close(p, q, atol=0, rtol=0, what=f"critic's {name}", source="minigan.optim.clip_weights")


# %% [markdown]
# ## Exercise 5 · the gradient penalty, by double backward
#
# `mg.grad(outputs, inputs, create_graph=True)` returns the gradients as Tensors that are
# themselves part of the graph. The interpolates x̂ are built from data, so they need
# `requires_grad_(True)` before the critic sees them, or there is nothing to differentiate at.

# %%
@lesson.exercise(hint="x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True); (g,) = mg.grad(critic(x_hat)"
                      ".sum(), x_hat, create_graph=True); norm = (g * g).sum(1).sqrt() per sample; "
                      "return ((norm - 1) ** 2).mean(). (The sum: each score depends on its own x̂ only.)")
def gradient_penalty(critic, real, fake, eps):
    """WGAN-GP's penalty E[(‖∇_x̂ c(x̂)‖₂ − 1)²] at x̂ = ε·real + (1 − ε)·fake, without the factor λ.

    critic: a module (N, D) -> scores (N, 1) or (N,); real, fake: Tensors (N, D); eps: Tensor
    (N, 1) of U[0, 1] draws, one per pair. The norm is per sample, over its D coordinates.
    Returns a 0-d Tensor that is differentiable with respect to the critic's weights.
    """
    raise NotImplementedError("lesson 11, exercise gradient_penalty: replace this line with your answer")


@gradient_penalty.check
def check_gradient_penalty(gradient_penalty):
    r = rng()
    real, fake = leaf(r.standard_normal((16, 2))), leaf(r.standard_normal((16, 2)) * 0.5 + 1.0)
    eps = leaf(r.uniform(0, 1, (16, 1)))
    critic = small_critic()
    called("gradient_penalty(critic, real, fake, eps), critic = Sequential(Linear(2, 8), Tanh, Linear(8, 1)) "
           "in float64, real, fake: Tensors (16, 2), eps: Tensor (16, 1)")
    got = gradient_penalty(critic, real, fake, eps)
    reference = mg.losses.gradient_penalty(critic, real, fake, weight=1.0, epsilon=eps)
    expect_close(got, reference, atol=1e-10, source="mg.losses.gradient_penalty(..., weight=1.0)")
    expect(isinstance(got, mg.Tensor) and got.requires_grad,
           "the penalty does not depend on the critic's weights through the graph: build the input "
           "gradient with mg.grad(..., create_graph=True), so that it can be differentiated again")
    weights = list(critic.parameters())
    mine = mg.grad(got, weights, allow_unused=True)
    theirs = mg.grad(reference, weights, allow_unused=True)   # the last bias moves no slope
    for (name, p), g, h in zip(critic.named_parameters(), mine, theirs):
        zero = np.zeros(tuple(p.shape))
        expect_close(zero if g is None else g, zero if h is None else h, atol=1e-10, what=f"d(penalty)/d {name}",
                     source="minigan's double backward of mg.losses.gradient_penalty")


# %% [markdown]
# ## The demo
#
# **emd_vs_js.png**: a sample of N(0, 0.2²) against the same sample moved by θ. Your EMD grows
# like |θ| at any distance; JS (on a grid, as in lesson 9) flattens at log 2 once they stop
# overlapping.
#
# **critics.png**: one critic trained alone, 600 steps, to tell ring8 (real) from a blob of
# fakes (G is not trained here), kept Lipschitz by your weight clipping or by your gradient
# penalty. For each: its score over the plane, its weights, and the norms of its input gradient
# at interpolates. Its estimate E[c(real)] − E[c(fake)] is printed beside the true W of the two
# samples (an optimal assignment of the points). The clipped critic's slopes are a few
# thousandths: its estimate is W scaled down by about as much, and most of its weights sit at
# ±0.01. The penalized one has slopes near 1 and estimates W closely (a little above it: the
# penalty is soft, and lets the slopes overshoot 1 by a few percent).
#
# **collapse_and_wgan_gp.png**: the same two networks (two hidden layers of 64) on ring8, from
# the same start, 1,000 G steps at lr 1e-3, in two games. G's samples at four points of
# training, and every few steps the share of them nearest each mode. Top, lesson 9's BCE game:
# the whole batch sits in one place, then moves on: D learns to reject where G is, and G follows
# D's gradient to wherever D is least sure, all of it at once. Bottom, your W-loss and gradient
# penalty, five critic steps per G step: the samples spread round the ring and settle on all
# eight modes, about an eighth on each. One run (seed 0), (modes hit, modes near) at steps 250,
# 500, 750 and 1,000: BCE (1, 1), (1, 1), (2, 1), (0, 0); WGAN-GP (8, 7), (8, 8), (7, 8), (8, 8).
#
# **λ on a toy.** λ = 10 is the published weight for images. On this ring we use 0.1, as the
# WGAN-GP authors' own toy code does: at λ = 10 these runs slosh round the ring, 0 to 2 modes at
# a time, the samples' mean distance from the centre swinging out to 2 (the modes are at 1); a
# PyTorch copy of the set-up does the same. Set `LAMBDA_RING = 10` and watch. The demo takes about two minutes on two cores.
#
# Things to try: `python -m minigan train gan --data ring8 --pack 2` lets D judge pairs of samples
# at once (PacGAN, another remedy proposed for collapse): compare the `modes` it reports.

# %%
LAMBDA_RING = 0.1   # the penalty's weight on ring8 (the demo's notes say why it is not 10)


def train_critic(lipschitz, steps, real, fake):
    """A critic trained alone on fixed real and fake points; ``lipschitz`` is 'clipping' or 'penalty'."""
    mg.manual_seed(0)
    critic = mlp(2, 64, 1, lambda: nn.LeakyReLU(0.2))
    if lipschitz == 'clipping':   # the WGAN paper's optimizer and c; lr raised for a 600-step demo
        opt = optim.RMSprop(critic.parameters(), lr=1e-3)
    else:
        opt = optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
    for _ in range(steps):
        real_scores, fake_scores = critic(real).reshape(-1), critic(fake).reshape(-1)
        loss = wasserstein_losses(real_scores, fake_scores)[0]
        if lipschitz == 'penalty':
            loss = loss + 10 * gradient_penalty(critic, real, fake, mg.rand(len(real), 1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if lipschitz == 'clipping':
            clip_weights_(critic, 0.01)
    return critic


def plot_critics(steps):
    mg.manual_seed(1)
    real, fake = mixture('ring8', 128), mg.randn(128, 2) * 0.15 + mg.tensor([0.3, -0.2])
    cost = np.sqrt(((real.numpy()[:, None] - fake.numpy()[None]) ** 2).sum(-1))
    rows, cols = linear_sum_assignment(cost)
    true_w = cost[rows, cols].mean()
    fig, axes = plt.subplots(2, 3, figsize=(14, 8.5), layout='constrained')
    for row, lipschitz in zip(axes, ('clipping', 'penalty')):
        critic = train_critic(lipschitz, steps, real, fake)
        estimate, slope = plot_critic_row(fig, row, critic, real, fake, lipschitz, true_w)
        print(f"  {lipschitz}: E[c(real)] − E[c(fake)] = {estimate:.4f} (the true W of the samples is "
              f"{true_w:.4f}); median ‖∇c(x̂)‖ = {slope:.3f}")
    return fig


def train_on_ring(game, steps, snapshots, every, hidden=64, batch=100, lr=1e-3):
    """G and D on ring8, each with two hidden layers of ``hidden`` units, from the same seed (so
    from the same G). game 'bce': lesson 9's game, one D step per G step, Adam β = (0.5, 0.999);
    'wgan-gp': your W-loss and gradient penalty (λ = LAMBDA_RING), five critic steps per G step,
    Adam β = (0.5, 0.9). Returns G's samples at ``snapshots`` and, every ``every`` steps, the
    share of 500 samples nearest each mode (your mode_counts)."""
    mg.manual_seed(0)
    centres, _ = mixture_geometry('ring8')
    G, D = mlp(2, hidden, 2, nn.ReLU), mlp(2, hidden, 1, lambda: nn.LeakyReLU(0.2))
    betas = (0.5, 0.999) if game == 'bce' else (0.5, 0.9)
    opt_g, opt_d = optim.Adam(G.parameters(), lr=lr, betas=betas), optim.Adam(D.parameters(), lr=lr, betas=betas)
    shots, near = {}, []
    for step in range(1, steps + 1):
        for _ in range(1 if game == 'bce' else 5):
            real, fake = mixture('ring8', batch), G(mg.randn(batch, 2)).detach()
            real_scores, fake_scores = D(real).reshape(-1), D(fake).reshape(-1)
            if game == 'bce':
                loss_d = mg.losses.bce_discriminator_loss(real_scores, fake_scores)
            else:
                loss_d = (wasserstein_losses(real_scores, fake_scores)[0]
                          + LAMBDA_RING * gradient_penalty(D, real, fake, mg.rand(batch, 1)))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
        fake_scores = D(G(mg.randn(batch, 2))).reshape(-1)
        loss_g = mg.losses.bce_generator_loss(fake_scores) if game == 'bce' else -fake_scores.mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        if step in snapshots or step % every == 0:
            with mg.no_grad():
                samples = G(mg.randn(1000 if step in snapshots else 500, 2)).numpy()
            if step in snapshots:
                shots[step] = samples
            if step % every == 0:
                near.append(mode_counts(samples, centres, np.inf) / len(samples))   # no radius: the nearest mode
    return shots, np.array(near)


def modes_hit_and_near(samples, centres, sigma):
    """With your mode_counts: the modes hit (a sample within 3σ: the precise test) and the modes
    near (at least 2% of the samples within 10σ = 0.1, a third of the way to the next mode)."""
    hit = mode_counts(samples, centres, sigma)
    near = mode_counts(samples, centres, 10 * sigma / 3)    # mode_counts looks within 3 of its sigma
    return int((hit > 0).sum()), int((near >= 0.02 * len(samples)).sum())


def plot_collapse_and_cure(steps):
    centres, sigma = mixture_geometry('ring8')
    snapshots = sorted({steps // 4, steps // 2, 3 * steps // 4, steps})
    every = max(steps // 60, 1)
    fig, axes = plt.subplots(2, len(snapshots) + 1, figsize=(3.3 * (len(snapshots) + 1.6), 7.4), layout='constrained',
                             gridspec_kw=dict(width_ratios=[1] * len(snapshots) + [1.6]))
    for row, (game, name) in zip(axes, (('bce', 'BCE GAN'), ('wgan-gp', f'WGAN-GP, λ = {LAMBDA_RING}'))):
        shots, near = train_on_ring(game, steps, snapshots, every)
        counts = [modes_hit_and_near(shots[s], centres, sigma) for s in snapshots]
        for ax, step, (hit, close) in zip(row, snapshots, counts):
            plot_samples(ax, shots[step], centres, f"{name}, step {step}\nmodes near: {close} of 8, hit: {hit}")
        plot_mode_shares(fig, row[-1], near, every, f'{name}: the mode each sample is nearest')
        print(f"  {name}: (modes hit, modes near) at steps {snapshots}: {counts}")
    return fig


@lesson.demo
def demo():
    lesson.save(plot_emd_vs_js(emd_1d), 'emd_vs_js.png')
    lesson.save(plot_critics(lesson.size(600, quick=10)), 'critics.png')
    lesson.save(plot_collapse_and_cure(lesson.size(1000, quick=8)), 'collapse_and_wgan_gp.png')


# %%
if __name__ == '__main__':
    lesson.main()
