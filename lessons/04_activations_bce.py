# %% [markdown]
# # Lesson 4 · Activations and a stable binary cross-entropy
#
# A layer computes z = W a + b and then an **activation** g(z). g must be *nonlinear*: a stack of
# linear maps is one linear map, however deep. And it must be *differentiable* (almost
# everywhere), or backpropagation has nothing to pass on. The usual ones:
#
# - **ReLU** max(0, z): derivative 1 for z > 0, 0 for z < 0. Cheap and does not shrink gradients,
#   but a unit whose pre-activation is negative for *every* input outputs 0 and receives a zero
#   gradient for all its weights: it can never change again. One large update that pushes its bias
#   far down kills it for good (the **dying ReLU**).
# - **LeakyReLU** z for z > 0, a·z otherwise (a = 0.2 in GAN discriminators): the gradient is never
#   zero, so no unit dies.
# - **sigmoid** σ(z) = 1 / (1 + e^(−z)), in (0, 1): the discriminator's probability "real". Its
#   derivative σ(z)(1 − σ(z)) is at most 1/4 and nearly 0 once |z| > 5: the unit **saturates** and
#   its gradient vanishes.
# - **tanh** in (−1, 1), centred on 0, derivative 1 − tanh² ≤ 1: a generator's last layer for
#   images scaled to [−1, 1]. It saturates too.
#
# **Binary cross-entropy** scores a predicted probability h of the label y ∈ {0, 1}:
#
#     BCE(h, y) = −[ y·log h + (1 − y)·log(1 − h) ],   averaged over the batch.
#
# Read it by parts. If y = 1 only −log h counts: 0 when h = 1, growing without bound as h → 0.
# If y = 0 only −log(1 − h) counts, the mirror image. Each part is ≥ 0, and large exactly when
# the prediction is confidently wrong.
#
# **From logits.** With h = σ(z), both logs have closed forms through softplus(t) = log(1 + e^t):
# log σ(z) = −softplus(−z) and log(1 − σ(z)) = −softplus(z). Since softplus(−z) = softplus(z) − z,
#
#     BCE(σ(z), y) = softplus(z) − y·z,     d/dz = σ(z) − y.
#
# Computing σ first throws information away: in float32, σ(20) rounds to exactly 1, so
# log(1 − σ(20)) = log 0 = −inf, while softplus(20) − 0 = 20 is the right answer. And softplus
# itself needs care: e^t overflows for t > 88 in float32; softplus(t) = max(t, 0) + log(1 + e^(−|t|))
# never exponentiates a positive number. That is how minigan's
# `F.binary_cross_entropy_with_logits` works, and what you write here.
#
# In this lesson the exercises take and return minigan Tensors and use Tensor ops (`mg.where`,
# `mg.maximum`, `mg.log1p`, `mg.exp`, `x.abs()`, ...), so autograd gives their derivatives and
# the checks compare those too.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan import nn, optim
from _checks import answer_and_grads, call, engine_grads, expect_close, leaf, rng
from _course import Lesson

lesson = Lesson('04_activations_bce', 'Activations and a stable BCE')


# %% [markdown]
# ## Exercise 1 · LeakyReLU

# %%
@lesson.exercise(hint="mg.where(condition, a, b) takes a where the condition holds and b elsewhere; "
                      "keep to Tensor ops so autograd can differentiate the result.")
def leaky_relu(x, negative_slope=0.2):
    """LeakyReLU(x) = x where x > 0, negative_slope · x elsewhere, elementwise.

    x: a Tensor of any shape. Returns a Tensor of the same shape, built with Tensor ops.
    """
    raise NotImplementedError("lesson 4, exercise leaky_relu: replace this line with your answer")


@leaky_relu.check
def check_leaky_relu(leaky_relu):
    x = rng().standard_normal((4, 6))
    g = rng().standard_normal((4, 6)) + 2
    for slope in (0.2, 0.01):
        out, (grad,) = answer_and_grads(lambda t: call(leaky_relu, t, slope), [x], g)
        expect_close(out, F.leaky_relu(leaf(x), slope), source="F.leaky_relu")
        expect_close(grad, engine_grads(lambda t: F.leaky_relu(t, slope), (x,), g)[0],
                     what='its gradient', source="minigan's backward of F.leaky_relu")


# %% [markdown]
# ## Exercise 2 · which ReLU units are dead?
#
# Given the pre-activations z of a layer for a whole data set (one row per example, one column
# per unit), a ReLU unit is dead when z ≤ 0 in its column for every example: it outputs 0 for all
# of them and no gradient reaches its weights.

# %%
@lesson.exercise(hint="A unit is a column; it is dead when all of its entries are <= 0: "
                      "(z <= 0).all(axis=0).")
def dead_units(pre_activations):
    """Which ReLU units get no gradient from any example.

    pre_activations: NumPy array (N examples, H units). Returns a boolean array (H,).
    """
    raise NotImplementedError("lesson 4, exercise dead_units: replace this line with your answer")


@dead_units.check
def check_dead_units(dead_units):
    z = rng().standard_normal((50, 12))
    z[:, [2, 7]] -= 10        # two dead units
    z[:, 5] = -np.abs(z[:, 5])
    z[3, 5] = 0.1             # unit 5 is alive for one example: that is enough to learn
    z[:, 9] = np.abs(z[:, 9]) - 0.1   # unit 9: negative for most, not all, examples
    got = call(dead_units, z)
    # dead means: ReLU's backward hands its column a zero gradient for every example
    no_gradient = (engine_grads(F.relu, (z,), np.ones_like(z))[0] == 0).all(axis=0)
    expect_close(np.asarray(got, dtype=float), no_gradient.astype(float),
                 source="columns where minigan's ReLU backward passes 0 everywhere")


# %% [markdown]
# ## Exercise 3 · BCE by its two parts
#
# The textbook formula on probabilities h (not logits yet).

# %%
@lesson.exercise(hint="Write the y = 1 part and the y = 0 part with mg.log, add them, put the minus "
                      "sign in front and average with .mean().")
def bce(h, y):
    """Binary cross-entropy of probabilities: mean of −[y log h + (1 − y) log(1 − h)].

    h: Tensor of probabilities in (0, 1); y: Tensor of labels in [0, 1], same shape.
    Returns a 0-d Tensor, built with Tensor ops.
    """
    raise NotImplementedError("lesson 4, exercise bce: replace this line with your answer")


@bce.check
def check_bce(bce):
    r = rng()
    h = r.uniform(0.02, 0.98, (5, 4))
    y = np.where(r.uniform(size=(5, 4)) < 0.5, 1.0, 0.0)
    y[0] = [0.2, 0.5, 0.9, 1.0]           # soft labels too
    out, (grad,) = answer_and_grads(lambda a, b: call(bce, a, b), [h, y], 1.0)
    expect_close(out, F.binary_cross_entropy(leaf(h), leaf(y)), source="F.binary_cross_entropy")
    ref = engine_grads(lambda a: F.binary_cross_entropy(a, leaf(y)), (h,), 1.0)[0]
    expect_close(grad, ref, what='dBCE/dh', source="minigan's backward of F.binary_cross_entropy")


# %% [markdown]
# ## Exercise 4 · a softplus that never overflows

# %%
@lesson.exercise(hint="Split off the positive part: max(t, 0) + log(1 + e^(-|t|)), with mg.maximum, "
                      "mg.log1p, mg.exp and t.abs(); then exp only ever sees numbers <= 0.")
def softplus(t):
    """softplus(t) = log(1 + e^t), computed as max(t, 0) + log(1 + e^(−|t|)) so nothing overflows.

    t: Tensor of any shape. Returns a Tensor of the same shape, built with Tensor ops.
    """
    raise NotImplementedError("lesson 4, exercise softplus: replace this line with your answer")


@softplus.check
def check_softplus(softplus):
    t = np.array([-1e4, -300.0, -20.0, -1.5, 0.3, 2.0, 20.0, 300.0, 1e4])
    g = np.linspace(0.5, 1.5, t.size)
    out, (grad,) = answer_and_grads(lambda a: call(softplus, a), [t], g)
    expect_close(out, np.logaddexp(0.0, t), source="NumPy's logaddexp(0, t)")
    sigmoid = 0.5 * (1 + np.tanh(t / 2))          # σ(t), written so it cannot overflow
    expect_close(grad, g * sigmoid, what='its gradient', source="the closed form σ(t)")


# %% [markdown]
# ## Exercise 5 · BCE from logits
#
# Combine: mean of softplus(z) − y·z. Check yourself: at z = 0 the loss is log 2 for any y.

# %%
@lesson.exercise(hint="softplus(z) - y * z, averaged (use your softplus from exercise 4). Its "
                      "gradient is σ(z) - y over the batch size: bounded at any logit.")
def bce_with_logits(z, y):
    """BCE(σ(z), y) without computing σ: the mean of softplus(z) − y·z.

    z: Tensor of logits (any real numbers); y: Tensor of labels in [0, 1], same shape.
    Returns a 0-d Tensor, finite for every finite z, built with Tensor ops.
    """
    raise NotImplementedError("lesson 4, exercise bce_with_logits: replace this line with your answer")


@bce_with_logits.check
def check_bce_with_logits(bce_with_logits):
    z = np.array([[-1e4, -40.0, -3.0, -0.5], [0.0, 0.7, 4.0, 40.0], [1e4, -2.0, 2.0, 25.0]])
    y = np.array([[1.0, 0.0, 1.0, 0.3], [1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]])
    out, (grad,) = answer_and_grads(lambda a, b: call(bce_with_logits, a, b), [z, y], 1.0)
    expect_close(out, F.binary_cross_entropy_with_logits(leaf(z), leaf(y)),
                 source="F.binary_cross_entropy_with_logits")
    ref = engine_grads(lambda a: F.binary_cross_entropy_with_logits(a, leaf(y)), (z,), 1.0)[0]
    expect_close(grad, ref, what='dBCE/dz', source="minigan's backward of F.binary_cross_entropy_with_logits")


# %% [markdown]
# ## Demo
#
# The four activations and their derivatives (from autograd); BCE's two parts; your BCE from
# logits beside the naive one in float32; and dying ReLUs: a small network trained with a large
# learning rate, counting the hidden units that get no gradient at all.

# %%
def plot_activations():
    z = mg.linspace(-6, 6, 601, requires_grad=True)
    named = [('ReLU', F.relu), ('LeakyReLU(0.2), yours', leaky_relu), ('sigmoid', mg.sigmoid),
             ('tanh', mg.tanh)]
    fig, axes = plt.subplots(2, 4, figsize=(14, 5.5), sharex=True)
    for (name, g), top, bottom in zip(named, axes[0], axes[1]):
        out = g(z)
        (slope,) = mg.grad([out.sum()], [z])
        top.plot(z.numpy(), out.numpy(), color='tab:blue')
        bottom.plot(z.numpy(), slope.numpy(), color='tab:red')
        top.set_title(name)
        for ax in (top, bottom):
            ax.axhline(0, color='0.8', lw=0.8)
            ax.axvline(0, color='0.8', lw=0.8)
    axes[0, 0].set_ylabel('g(z)')
    axes[1, 0].set_ylabel("g'(z), by autograd")
    for ax in axes[1]:
        ax.set_xlabel('z')
    axes[1, 2].annotate('saturated:\ngradient ≈ 0', xy=(5, 0.01), xytext=(1.5, 0.15),
                        arrowprops=dict(arrowstyle='->'))
    return fig


def count_silent_units(activation, steps, lr=0.1):
    """Train 2 -> 64 -> 1 on a smooth 2-D function with Adam at a large learning rate; after each
    step, the fraction of hidden units whose incoming weights got exactly zero gradient."""
    mg.manual_seed(0)
    r = np.random.default_rng(0)
    x = r.uniform(-2, 2, (256, 2))
    X, Y = mg.tensor(x, dtype=mg.float32), mg.tensor(np.sin(2 * x[:, :1]) * np.cos(x[:, 1:]), dtype=mg.float32)
    hidden, out = nn.Linear(2, 64), nn.Linear(64, 1)
    opt = optim.Adam(list(hidden.parameters()) + list(out.parameters()), lr=lr)
    silent = []
    for _ in range(steps):
        pre = hidden(X)
        loss = F.mse_loss(out(activation(pre)), Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        silent.append(float((hidden.weight.grad.numpy() == 0).all(axis=1).mean()))
    return silent, pre.detach().numpy()


@lesson.demo
def demo():
    lesson.save(plot_activations(), 'activations.png')

    fig, (parts, logits, dying) = plt.subplots(1, 3, figsize=(15, 4.2))
    h = np.linspace(0.001, 0.999, 500)
    parts.plot(h, -np.log(h), label='y = 1:  −log h')
    parts.plot(h, -np.log(1 - h), label='y = 0:  −log(1 − h)')
    parts.set(xlabel='predicted probability h', ylabel='loss', ylim=(0, 7), title='BCE by its two parts')
    parts.legend()

    z = np.linspace(-120, 120, 481).astype(np.float32)
    zt, zeros = mg.tensor(z), mg.zeros(z.size)
    with np.errstate(divide='ignore', invalid='ignore'):  # log(0) is the point being made
        naive = [bce(mg.sigmoid(zt[i:i + 1]), zeros[i:i + 1]).item() for i in range(z.size)]
    stable = [bce_with_logits(zt[i:i + 1], zeros[i:i + 1]).item() for i in range(z.size)]
    logits.plot(z, stable, lw=3, alpha=0.5, label='yours, from logits: softplus(z)')
    finite = np.isfinite(naive)
    logits.plot(z, np.where(finite, naive, np.nan), 'k--', label='your bce(σ(z), 0)')
    first_inf = z[(z > 0) & ~finite][0]
    logits.axvline(first_inf, color='tab:red', lw=0.8)
    logits.text(first_inf + 3, 60, f"from z ≈ {first_inf:.0f}\nσ(z) rounds to 1:\nlog(1 − 1) = −inf",
                color='tab:red')
    print(f"  bce(σ(z), 0) in float32 is not finite for {int((~finite).sum())} of {z.size} logits "
          f"(nan below z ≈ {z[(z < 0) & ~finite].max():.0f}: 0·log 0; inf from z ≈ {first_inf:.0f})")
    logits.set(xlabel='logit z (label y = 0)', ylabel='loss', title='BCE in float32')
    logits.legend(loc='upper left')

    steps = lesson.size(300, quick=40)
    for name, activation in [('ReLU', F.relu), ('LeakyReLU(0.2)', lambda t: leaky_relu(t, 0.2))]:
        silent, pre = count_silent_units(activation, steps)
        dying.plot(100 * np.array(silent), label=name)
        if name == 'ReLU':
            print(f"  after {steps} steps {int(dead_units(pre).sum())} of 64 ReLU units are dead "
                  "(your dead_units)")
    dying.set(xlabel='Adam step (lr 0.1)', ylabel='% hidden units with zero gradient',
              title='dying ReLU')
    dying.legend()
    lesson.save(fig, 'bce_and_dying_relu.png')


# %%
if __name__ == '__main__':
    lesson.main()
