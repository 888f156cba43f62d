# %% [markdown]
# # Lesson 7 · Batch normalization
#
# As a network trains, the inputs of every layer keep changing their scale and centre, because
# the layers before it keep changing. **Batch normalization** re-centres and re-scales them, one
# channel at a time, with the statistics of the current batch. For a channel with values z over
# the batch (and over the pixels, for images):
#
#     μ = mean(z),   σ² = mean((z − μ)²)   (the biased variance),
#     ẑ = (z − μ) / √(σ² + ε),            y = γ·ẑ + β.
#
# ẑ has mean 0 and variance ≈ 1; γ and β are learned per channel, so the layer can still output
# any scale and centre it needs. (ε = 1e-5 keeps a constant channel from dividing by zero.) It lets
# deeper networks train faster with larger learning rates; DCGAN's generator and discriminator use
# it in almost every layer.
#
# **Train versus eval.** In training, μ and σ² come from the batch. At test time there may be one
# example, and its output should not depend on which other examples share its batch. So while
# training, the layer also keeps **running** estimates,
#
#     running ← (1 − momentum)·running + momentum·(batch statistic),   momentum = 0.1,
#
# (torch and minigan store the *unbiased* batch variance, n/(n − 1)·σ², in running_var), and in
# `eval()` mode normalizes with those instead. Forgetting `model.eval()` before sampling, or
# normalizing a batch of one in training mode, are classic bugs.
#
# **Backward.** ẑ_i depends on every z_j of the batch through μ and σ, so its backward has three
# terms, not one. With g = dL/dy and ĝ = γ·g (the gradient reaching ẑ), writing ⟨·⟩ for the mean
# over the normalized axes:
#
#     dL/dz = (ĝ − ⟨ĝ⟩ − ẑ·⟨ĝ·ẑ⟩) / √(σ² + ε),    dL/dγ = Σ g·ẑ,    dL/dβ = Σ g.
#
# The two subtracted terms are what μ and σ pass back: without them you would get only ĝ/σ.
#
# **Second derivatives.** WGAN-GP penalizes the critic's input gradient, (‖∇ₓD(x)‖ − 1)², and its
# training step differentiates that penalty: it needs the derivative *of the backward*. minigan
# writes every backward in Tensor ops, so it can be differentiated again; you will check yours.
#
# **Why a WGAN-GP critic leaves batch norm out.** The penalty asks that D, as a function of *one*
# input x_i, have gradient norm 1. With batch norm, D's output for x_i depends on all the others
# in the batch (through μ and σ): ∂D(x)_i/∂x_j ≠ 0 for j ≠ i, and the usual one-line penalty
# `grad(D(x̂).sum(), x̂)` silently adds those cross terms into each sample's "gradient". The
# WGAN-GP paper uses layer normalization (per sample) in the critic, or none. Exercise 5 measures
# the coupling.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan import nn
from _checks import call, called, describe, engine_grads, expect_close, expect_equal, leaf, rng
from _course import Lesson

lesson = Lesson('07_batch_norm', 'Batch normalization')


def channel_dims(x):
    """The axes batch norm averages over: the batch and every axis after the channels."""
    return (0,) + tuple(range(2, x.ndim))


def per_channel(v, x):
    """A (C,) vector shaped to broadcast along x's channel axis: (1, C, 1, ...)."""
    return v.reshape((1, -1) + (1,) * (x.ndim - 2))


# %% [markdown]
# ## Exercise 1 · the forward pass in training mode
#
# Tensor ops, so that autograd can differentiate it. `channel_dims(x)` and `per_channel(v, x)`
# above handle the axes for (N, C) and (N, C, H, W) inputs alike.

# %%
@lesson.exercise(hint="Mean and biased variance over channel_dims(x) with keepdim=True (so they "
                      "broadcast back); normalize with mg.sqrt(var + eps); scale and shift with "
                      "per_channel(gamma, x) and per_channel(beta, x).")
def batch_norm_train(x, gamma, beta, eps=1e-5):
    """y = γ·(x − μ)/√(σ² + ε) + β, with μ and the biased σ² of each channel over the batch (and pixels).

    x: Tensor (N, C) or (N, C, H, W); gamma, beta: Tensors (C,). Returns a Tensor of x's shape.
    """
    raise NotImplementedError("lesson 7, exercise batch_norm_train: replace this line with your answer")


@batch_norm_train.check
def check_batch_norm_train(batch_norm_train):
    r = rng()
    for shape in [(8, 3), (4, 3, 5, 5)]:
        x = r.standard_normal(shape) * 3 + 2
        x[:, 1] = 0.5 + 1e-3 * x[:, 1]      # a channel with variance ~1e-5: where ε goes matters
        gamma, beta = r.uniform(0.5, 2, 3), r.standard_normal(3)
        got = call(batch_norm_train, leaf(x), leaf(gamma), leaf(beta))
        expect_close(got, F.batch_norm(leaf(x), None, None, leaf(gamma), leaf(beta), training=True),
                     source="F.batch_norm(training=True)")


# %% [markdown]
# ## Exercise 2 · running statistics

# %%
@lesson.exercise(hint="Batch mean and *unbiased* variance per channel (x.var(axis=dims, ddof=1)); "
                      "then (1 - momentum) * old + momentum * batch, for both.")
def update_running_stats(running_mean, running_var, x, momentum=0.1):
    """The new (running_mean, running_var) after one training batch x.

    running ← (1 − momentum)·running + momentum·batch statistic, with the batch mean and the
    *unbiased* batch variance of each channel. running_mean, running_var: NumPy arrays (C,);
    x: NumPy array (N, C) or (N, C, H, W). Returns a pair of (C,) arrays.
    """
    raise NotImplementedError("lesson 7, exercise update_running_stats: replace this line with your answer")


@update_running_stats.check
def check_update_running_stats(update_running_stats):
    r = rng()
    for shape, momentum in [((6, 4), 0.1), ((3, 4, 2, 2), 0.3)]:
        x = r.standard_normal(shape) * 2 + 1
        mean0, var0 = r.standard_normal(4), r.uniform(0.5, 2, 4)
        got = call(update_running_stats, mean0.copy(), var0.copy(), x, momentum)
        expect_equal(len(got), 2, what="the number of arrays returned")
        ref_mean, ref_var = leaf(mean0), leaf(var0)
        F.batch_norm(leaf(x), ref_mean, ref_var, training=True, momentum=momentum)   # updates in place
        expect_close(got[0], ref_mean, what='running_mean', source="F.batch_norm's update")
        expect_close(got[1], ref_var, what='running_var', source="F.batch_norm's update")


# %% [markdown]
# ## Exercise 3 · evaluation mode

# %%
@lesson.exercise(hint="Exactly the training formula, but μ and σ² are running_mean and running_var "
                      "(shaped with per_channel), not the batch's statistics.")
def batch_norm_eval(x, running_mean, running_var, gamma, beta, eps=1e-5):
    """y = γ·(x − running_mean)/√(running_var + ε) + β: no batch statistics at all.

    x: Tensor (N, C) or (N, C, H, W); the others: Tensors (C,). Returns a Tensor of x's shape.
    """
    raise NotImplementedError("lesson 7, exercise batch_norm_eval: replace this line with your answer")


@batch_norm_eval.check
def check_batch_norm_eval(batch_norm_eval):
    r = rng()
    for shape in [(5, 3), (2, 3, 4, 4)]:
        x = r.standard_normal(shape)
        mean, var = r.standard_normal(3), np.array([1e-4, 0.5, 3.0])   # a tiny variance: ε matters
        gamma, beta = r.uniform(0.5, 2, 3), r.standard_normal(3)
        args = [leaf(a) for a in (x, mean, var, gamma, beta)]
        got = call(batch_norm_eval, *args)
        ref = F.batch_norm(args[0], args[1], args[2], args[3], args[4], training=False)
        expect_close(got, ref, source="F.batch_norm(training=False)")


# %% [markdown]
# ## Exercise 4 · the backward, twice differentiable
#
# Write dL/dx from the formula above with Tensor ops. The check compares it with minigan's
# backward, then runs `mg.gradcheck` on your function itself: that compares *its* derivatives
# (batch norm's second derivatives) with finite differences, which works only if your backward is
# built from differentiable Tensor ops and is not cut from the graph (no `.detach()`, no NumPy).

# %%
@lesson.exercise(hint="Recompute μ, σ² and x̂ from x with Tensor ops, as in exercise 1; ĝ is "
                      "per_channel(gamma, x) * grad_out; each ⟨·⟩ is .mean(channel_dims(x), "
                      "keepdim=True).")
def batch_norm_backward(x, gamma, grad_out, eps=1e-5):
    """dL/dx of y = batch_norm_train(x, γ, β): (ĝ − ⟨ĝ⟩ − x̂·⟨ĝ·x̂⟩) / √(σ² + ε), with ĝ = γ·grad_out.

    ⟨·⟩ is the mean over channel_dims(x). x, grad_out: Tensors (N, C) or (N, C, H, W); gamma:
    Tensor (C,). Returns a Tensor of x's shape, built with Tensor ops.
    """
    raise NotImplementedError("lesson 7, exercise batch_norm_backward: replace this line with your answer")


@batch_norm_backward.check
def check_batch_norm_backward(batch_norm_backward):
    r = rng()
    x, g = r.standard_normal((6, 3)) * 2 + 1, r.standard_normal((6, 3))
    gamma = r.uniform(0.5, 2, 3)
    got = call(batch_norm_backward, leaf(x), leaf(gamma), leaf(g))
    ref = engine_grads(lambda t: F.batch_norm(t, None, None, leaf(gamma), None, training=True), (x,), g)[0]
    expect_close(got, ref, source="minigan's backward of F.batch_norm")
    small = [leaf(r.standard_normal((4, 2)), requires_grad=True) for _ in range(2)]
    called(f"mg.gradcheck(lambda x, g: batch_norm_backward(x, gamma, g), x: {describe(small[0])}, "
           f"g: {describe(small[1])})")
    mg.gradcheck(lambda a, b: batch_norm_backward(a, leaf(gamma[:2]), b), small)


# %% [markdown]
# ## Exercise 5 · how much one sample's output depends on another's input
#
# For a critic D mapping a batch x (N, D) to scores (N, 1), compute the matrix
# M[i, j] = ‖∂D(x)_i / ∂x_j‖: one backward pass per output row i (`mg.grad` of D(x)[i, 0] with
# respect to x gives all j at once; take the norm of each row of that gradient). Without batch
# norm M is diagonal; with it, it is not.

# %%
@lesson.exercise(hint="Make x a Tensor that requires grad and run the critic once; for each i take "
                      "mg.grad of out[i, 0] with respect to it (retain_graph=True: the graph is "
                      "reused); row i of M is np.linalg.norm of that gradient along axis 1.")
def cross_sample_gradients(critic, x):
    """M[i, j] = ‖∂ critic(x)[i, 0] / ∂ x[j]‖₂, for a batch x.

    critic: a minigan Module (N, D) -> (N, 1) in float64; x: NumPy array (N, D) float64.
    Returns a NumPy array (N, N).
    """
    raise NotImplementedError("lesson 7, exercise cross_sample_gradients: replace this line with your answer")


def critic(norm_layer, seed=0):
    """A small float64 critic 3 -> 16 -> 1 with the given normalization after its first layer."""
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 16), norm_layer, nn.LeakyReLU(0.2), nn.Linear(16, 1)).double()


def coupling_by_differences(D, x, h=1e-6):
    """M by central differences: perturb each x[j, d], see every output move."""
    N = x.shape[0]
    jac = np.zeros((N, N, x.shape[1]))
    for j, d in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[j, d] += h
        minus[j, d] -= h
        with mg.no_grad():
            jac[:, j, d] = (D(leaf(plus)).numpy()[:, 0] - D(leaf(minus)).numpy()[:, 0]) / (2 * h)
    return np.linalg.norm(jac, axis=2)


@cross_sample_gradients.check
def check_cross_sample_gradients(cross_sample_gradients):
    x = rng().standard_normal((5, 3))
    for name, layer in [('BatchNorm1d', nn.BatchNorm1d(16)), ('LayerNorm', nn.LayerNorm(16))]:
        D = critic(layer)
        got = call(cross_sample_gradients, D, x)
        expect_close(got, coupling_by_differences(D, x), atol=1e-6, rtol=1e-5,
                     what=f"M for a critic with {name}", source="central differences")


# %% [markdown]
# ## Demo
#
# Running statistics converging during training (your update beside `nn.BatchNorm1d`'s buffers),
# the gap between training-mode and eval-mode outputs, and the coupling matrix M of a critic with
# batch norm beside one with layer norm.

# %%
@lesson.demo
def demo():
    steps = lesson.size(200, quick=40)
    r = np.random.default_rng(0)
    true_mean, true_std = np.array([3.0, -1.0]), np.array([2.0, 0.5])
    layer = nn.BatchNorm1d(2).double()
    mean, var = np.zeros(2), np.ones(2)
    history = []
    for _ in range(steps):
        batch = r.standard_normal((16, 2)) * true_std + true_mean
        layer(leaf(batch))
        mean, var = update_running_stats(mean, var, batch)
        history.append((mean.copy(), var.copy(), layer.running_mean.numpy().copy()))
    ours = np.array([h[0] for h in history])
    layers = np.array([h[2] for h in history])
    fig, axes = plt.subplots(1, 4, figsize=(20, 4.3), layout='constrained')
    for c, color in enumerate(('tab:blue', 'tab:orange')):
        axes[0].plot(ours[:, c], color=color, label=f"channel {c}: your running mean")
        axes[0].plot(layers[:, c], 'k:', lw=1)
        axes[0].axhline(true_mean[c], color=color, ls='--', lw=0.8)
    axes[0].set(title="running mean (dotted: nn.BatchNorm1d's buffer)", xlabel='training step')
    axes[0].legend(fontsize=8)

    test = leaf(r.standard_normal((4, 2)) * true_std + true_mean)
    layer.eval()
    evaluated = layer(test).numpy()
    layer.train()
    trained = layer(test).numpy()
    axes[1].scatter(evaluated[:, 0], trained[:, 0], label='channel 0')
    axes[1].scatter(evaluated[:, 1], trained[:, 1], label='channel 1')
    axes[1].plot([-3, 3], [-3, 3], 'k:', lw=1)
    axes[1].set(title='4 test samples: eval vs train mode', xlabel='eval() output (running stats)',
                ylabel='train() output (stats of these 4)')
    axes[1].legend()

    x = np.random.default_rng(1).standard_normal((8, 3))
    for ax, (name, norm) in zip(axes[2:], [('BatchNorm1d', nn.BatchNorm1d(16)), ('LayerNorm', nn.LayerNorm(16))]):
        M = cross_sample_gradients(critic(norm), x)
        im = ax.imshow(M, cmap='viridis')
        off = M[~np.eye(len(M), dtype=bool)]
        ax.set(title=f"critic with {name}: ‖∂D(x)_i/∂x_j‖\nlargest off-diagonal {off.max():.2g}",
               xlabel='input j', ylabel='output i')
        fig.colorbar(im, ax=ax, fraction=0.046)
        print(f"  critic with {name}: largest cross-sample gradient {off.max():.3g}")
    lesson.save(fig, 'batch_norm.png')


# %%
if __name__ == '__main__':
    lesson.main()
