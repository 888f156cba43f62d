"""Finished pieces for lesson 11's demos: JS on a grid, small networks on the plane, a critic's
score over a grid and its slopes, and pictures of samples and of the modes they sit near.

The lesson's exercises (the mode count, the EMD, the W-loss, clipping, the gradient penalty) are
what its demos are about; these are the parts they only use:

    gaussian(x, mean, std), js_on_grid(p, q, dx)   a normal density; JS of two densities on a grid
    plot_emd_vs_js(emd_1d)                          W (your emd_1d) and JS of a sample and its shift
    mlp(inputs, hidden, outputs, activation)        two hidden layers
    critic_map(critic, span, n)                     c(x) on an n×n grid over [−span, span]²
    input_gradient_norms(critic, real, fake)        ‖∇c(x̂)‖ at random interpolates
    plot_critic_row(fig, row, critic, real, fake, name, true_w)
                                                    a critic's score map, weights and slopes
    plot_samples(ax, samples, centres, title)       a scatter with the modes marked
    plot_mode_shares(fig, ax, shares, every, title) which mode each sample is nearest, over time
"""
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
from minigan import nn

SPAN = 1.6   # the pictures show [−1.6, 1.6]²: ring8's modes lie on the unit circle


def gaussian(x, mean, std):
    """The density of N(mean, std²) at x."""
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def js_on_grid(p, q, dx):
    """JS(p ‖ q) of two densities sampled on a grid of step dx (lesson 9's exercise, finished)."""
    m = (p + q) / 2
    with np.errstate(divide='ignore', invalid='ignore'):   # 0·log 0 counts 0
        return 0.5 * sum(np.sum(np.where(a > 0, a * np.log(a / m), 0.0)) * dx for a in (p, q))


def plot_emd_vs_js(emd_1d):
    """W (by ``emd_1d``, the learner's) and JS between N(0, 0.2²) and itself moved by θ, against θ."""
    x = np.linspace(-8, 8, 3201)
    sample = np.random.default_rng(0).normal(0, 0.2, 500)
    shifts = np.linspace(-4, 4, 81)
    emd = [emd_1d(sample, sample + t) for t in shifts]
    js = [js_on_grid(gaussian(x, 0, 0.2), gaussian(x, t, 0.2), x[1] - x[0]) for t in shifts]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(shifts, emd, label="earth mover's distance (your emd_1d)")
    ax.plot(shifts, js, label='Jensen-Shannon divergence')
    ax.axhline(np.log(2), color='0.6', ls=':', lw=1)
    ax.set(xlabel='θ: how far the model is moved from the data', ylabel='distance (nats for JS)',
           title='W keeps pointing home; JS goes flat at log 2')
    ax.legend()
    return fig


def mlp(inputs, hidden, outputs, activation):
    """inputs → hidden → hidden → outputs, ``activation()`` after each hidden layer."""
    return nn.Sequential(nn.Linear(inputs, hidden), activation(), nn.Linear(hidden, hidden), activation(),
                         nn.Linear(hidden, outputs))


def critic_map(critic, span=SPAN, n=100):
    """The critic's score on an n×n grid over [−span, span]², as an array (n, n) (rows: y)."""
    t = np.linspace(-span, span, n, dtype=np.float32)
    grid = np.stack(np.meshgrid(t, t), -1).reshape(-1, 2)
    with mg.no_grad():
        return critic(mg.tensor(grid)).numpy().reshape(n, n)


def input_gradient_norms(critic, real, fake):
    """‖∇ₓ c(x̂)‖ at x̂ = εx + (1 − ε)G(z), ε ~ U[0, 1] per pair: the critic's slopes, array (N,)."""
    eps = mg.rand(len(real), 1)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = mg.grad(critic(x_hat).sum(), x_hat)
    return np.sqrt((g.numpy() ** 2).sum(1))


def plot_critic_row(fig, row, critic, real, fake, name, true_w):
    """Three panels for one trained critic: its score over the plane with the points, a histogram
    of its parameters, and one of its slopes at interpolates (log scale, 1 marked). Returns
    (its estimate E[c(real)] − E[c(fake)], the median slope)."""
    with mg.no_grad():
        estimate = (critic(real).mean() - critic(fake).mean()).item()
    image = row[0].imshow(critic_map(critic), origin='lower', extent=(-SPAN, SPAN, -SPAN, SPAN), cmap='coolwarm')
    fig.colorbar(image, ax=row[0], shrink=0.8)
    row[0].scatter(*real.numpy().T, s=4, color='black', label='real')
    row[0].scatter(*fake.numpy().T, s=4, color='white', edgecolors='0.3', linewidths=0.3, label='fake')
    row[0].set_title(f"{name}: the critic's score c(x)\nE[c(real)] − E[c(fake)] = {estimate:.3f} "
                     f"(true W = {true_w:.3f})", fontsize=10)
    row[0].legend(loc='lower left', fontsize=8)
    weights = np.concatenate([p.numpy().ravel() for p in critic.parameters()])
    row[1].hist(weights, bins=60)
    row[1].set(title=f"{name}: the critic's {weights.size} parameters", xlabel='value')
    row[1].ticklabel_format(axis='x', style='sci', scilimits=(-2, 2))
    norms = input_gradient_norms(critic, real, fake)
    row[2].hist(norms, bins=np.logspace(-4, 1, 61))
    row[2].axvline(1, color='tab:red', lw=1)
    row[2].set(xscale='log', title=f"{name}: ‖∇c(x̂)‖ at interpolates (red: 1)", xlabel='norm (log scale)')
    return estimate, float(np.median(norms))


def plot_samples(ax, samples, centres, title):
    """Samples (N, 2) as faint dots, the modes' centres as red crosses."""
    ax.scatter(*samples.T, s=2, alpha=0.3)
    ax.scatter(*centres.T, marker='+', color='red', s=40)
    ax.set(xlim=(-SPAN, SPAN), ylim=(-SPAN, SPAN), xticks=[], yticks=[])
    ax.set_title(title, fontsize=10)


def plot_mode_shares(fig, ax, shares, every, title):
    """shares (T, K): at every ``every``-th step, the share of samples nearest each of K modes."""
    image = ax.imshow(shares.T, aspect='auto', origin='lower', cmap='magma', vmin=0, vmax=1,
                      extent=(every / 2, every * (len(shares) + 0.5), -0.5, shares.shape[1] - 0.5))
    fig.colorbar(image, ax=ax, shrink=0.8, label='share of samples')
    ax.set(xlabel='step', ylabel='mode', yticks=range(shares.shape[1]), title=title)
