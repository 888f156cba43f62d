# %% [markdown]
# # Lesson 17 · BigGAN's tricks
#
# Two lines of work pushed GANs from blurry thumbnails to photographs. BigGAN (Brock et al. 2019)
# scaled a class-conditional GAN up and collected the tricks that kept it stable; StyleGAN (Karras
# et al. 2019) rethought how the generator uses its noise. This lesson builds BigGAN's tricks; its
# second part, lesson 17b, builds StyleGAN's ideas and trains a small style-based GAN with them.
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

# %%
import copy
import math

import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
from minigan import nn
from _checks import answer_and_grads, called, call, expect, expect_close, expect_equal, leaf, rng
from _course import Lesson

lesson = Lesson('17_biggan', "BigGAN's tricks")

# %% [markdown]
# ## Exercise 1 · the hinge loss
#
# The discriminator's side: each real score pays for falling short of 1, each fake score for
# rising above −1, averaged over its batch. (The generator's side, −E[D(G(z))], is one line:
# `mg.losses.hinge_generator_loss`.)

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
# ## The demo: each trick on its own
#
# **hinge_and_power_iteration.png**: the hinge loss beside BCE as functions of D's score (flat
# beyond the margin: no gradient there), and the relative error of your power iteration's σ on
# a 64×512 weight, round by round.
#
# **ema_and_truncation.png**: on the left, the simplest game that circles: x minimizes and y
# maximizes f(x, y) = x·y, by alternating gradient steps (lr 0.1). The pair never settles: it
# goes round the equilibrium (0, 0) on a closed orbit of about 63 steps, the way G's weights
# circle in the adversarial game. Your `ema_update` (β = 0.99, an average over about 100 steps,
# a bit more than one orbit) spirals in to the middle. On the right, 100,000 draws of your
# `truncated_normal` at T = 2, 1 and 0.5 against N(0, 1), and N(0, 1) clipped to ±1, whose
# tails pile up at the edges instead.
#
# Lesson 17b puts the tricks to work: a small style-based GAN on the digits, trained with the
# hinge loss and a spectrally normalized D, sampled from an EMA of G and truncated.

# %%
def plot_hinge_and_power_iteration():
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
    print(f"  power iteration: σ within {errors[0]:.1%} after 1 round, {errors[9]:.2%} after 10")
    return fig


def circling_game(steps, lr=0.1, decay=0.99):
    """Alternating gradient steps on f(x, y) = x·y from (1, 0), x descending, y ascending; the
    pair is held as a Linear(1, 1)'s (weight, bias) so that your ema_update can average it.
    Returns the path of the pair and of its average, arrays (steps + 1, 2)."""
    player = nn.Linear(1, 1)
    with mg.no_grad():
        player.weight.fill_(1.0)
        player.bias.fill_(0.0)
    average = copy.deepcopy(player)
    x, y = player.weight, player.bias
    path, averaged = [(1.0, 0.0)], [(1.0, 0.0)]
    for _ in range(steps):
        with mg.no_grad():
            x.sub_(lr * y.reshape(1, 1))       # ∂f/∂x = y
            y.add_(lr * x.reshape(1))          # ∂f/∂y = x, at the new x: the players take turns
        ema_update(average, player, decay)
        path.append((x.item(), y.item()))
        averaged.append((average.weight.item(), average.bias.item()))
    return np.array(path), np.array(averaged)


def plot_ema_and_truncation(steps):
    path, averaged = circling_game(steps)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6), layout='constrained')
    left.plot(*path.T, lw=0.8, label='the players (x, y)')
    left.plot(*averaged.T, lw=1.5, label='their average (your ema_update, β = 0.99)')
    left.plot(0, 0, 'k+', ms=12, label='the equilibrium')
    left.set(xlabel='x (minimizes x·y)', ylabel='y (maximizes x·y)', aspect='equal',
             title=f'{steps} alternating steps: the players circle, the average settles')
    left.legend(fontsize=8, loc='lower left')
    bins = np.linspace(-3.2, 3.2, 129)
    right.hist(np.random.default_rng(0).standard_normal(100_000), bins, histtype='step', color='0.5',
               label='N(0, 1)')
    for T in (2.0, 1.0, 0.5):
        right.hist(truncated_normal((100_000,), T, np.random.default_rng(0)), bins, histtype='step',
                   label=f'your truncated_normal, T = {T}')
    right.hist(np.clip(np.random.default_rng(0).standard_normal(100_000), -1, 1), bins, histtype='step',
               ls=':', color='black', label='N(0, 1) clipped to ±1')
    right.set(xlabel='z', ylabel='draws', yscale='log', title='redrawn, not clipped')
    right.legend(fontsize=8)
    last = len(path) // 5                  # the last fifth of the run
    print(f"  over the last {last} steps the players stay {np.hypot(*path[-last:].T).mean():.2f} from "
          f"the equilibrium, their average {np.hypot(*averaged[-last:].T).mean():.3f}")
    return fig


@lesson.demo
def demo():
    lesson.save(plot_hinge_and_power_iteration(), 'hinge_and_power_iteration.png')
    lesson.save(plot_ema_and_truncation(lesson.size(600, quick=100)), 'ema_and_truncation.png')


# %%
if __name__ == '__main__':
    lesson.main()
