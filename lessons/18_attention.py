# %% [markdown]
# # Lesson 18 · Attention, and a self-attention GAN
#
# A convolution mixes each position with its neighbours only: to relate two far-apart parts of an
# image (the two ends of a 7's stroke), information must hop through many layers. A recurrent
# network reading a sentence has the same problem in time, and works one word after the other.
# **Attention** lets every position look at every other in one step, with weights it computes
# from the content itself.
#
# **Scaled dot-product attention.** Each position i emits a *query* qᵢ; each position j a *key*
# kⱼ and a *value* vⱼ (all learned linear maps of the inputs). Position i's output is an average
# of the values, weighted by how well its query matches each key:
#
#     A = softmax(Q Kᵀ / √d)      (L, S): row i is a distribution over the S keys
#     out = A V                   (L, d_v)
#
# Why divide by √d: if the entries of q and k have unit variance, q·k is a sum of d such products
# and has variance d. Large logits push the softmax into a one-hot corner where its gradient
# vanishes; dividing by √d brings the logits back to unit variance whatever d is. A **mask**
# removes some pairs before the softmax (a logit of −∞ gets weight 0): a causal mask lets
# position i see only j ≤ i; a padding mask hides the padding of short sequences.
#
# **Multi-head attention.** One softmax can only average in one way. With h heads the model
# projects the inputs h times into d/h dimensions, attends within each head separately (one head
# may follow position, another content), joins the heads' outputs and projects them once more:
#
#     headᵢ = Attention(Q W_qⁱ, K W_kⁱ, V W_vⁱ),      out = [head₁ … head_h] W_o.
#
# **Positional encoding.** Attention treats its inputs as a set: permute the positions and the
# outputs permute the same way. Word order matters ("did not win, was satisfied" against "did
# win, was not satisfied"), so the position is added to each input. The transformer's encoding
# uses sines and cosines of geometrically spaced frequencies ωᵢ = 10000^(−2i/d):
#
#     PE[pos, 2i] = sin(pos·ωᵢ),      PE[pos, 2i + 1] = cos(pos·ωᵢ).
#
# Each pair of dimensions is a point turning on a circle at its own speed, so moving k positions
# along is the *same rotation* of every pair whatever the starting position: a relative offset
# is a linear map of the encoding, which attention can learn. Slow pairs tell far positions apart
# where fast pairs have wrapped around.
#
# **Residual connections.** A transformer adds each attention block's output to its input,
# x + Attention(x), so the block learns a correction, and the input (and its gradient) passes
# straight through.
#
# **SAGAN** (Zhang et al. 2019) puts a self-attention block into both networks of a GAN, over the
# positions of a feature map: each of the H·W positions attends to all others. Its output enters
# through a residual with a learned scale γ that *starts at 0*, so the network first learns
# local, convolutional structure and lets attention in gradually.

# %%
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
from _checks import (answer_and_grads, called, call, engine_grads, expect_close, expect_equal, leaf,
                     rng)
from _course import Lesson

lesson = Lesson('18_attention', 'Attention, and a self-attention GAN')

# %% [markdown]
# ## Exercise 1 · scaled dot-product attention
#
# For batches: q (..., L, d), k (..., S, d), v (..., S, d_v). A boolean mask (L, S), if given,
# says with True which pairs may attend (torch's convention for
# `F.scaled_dot_product_attention`); the others get a logit of −∞ *before* the softmax:
# `mg.where(mask, scores, float('-inf'))`. Return the weights too.

# %%
@lesson.exercise(hint="scores = q @ k.transpose(-2, -1) / math.sqrt(d) with d = q.shape[-1]; mask with "
                      "mg.where(mask, scores, float('-inf')); weights = mg.softmax(scores, -1) (over the "
                      "keys); return weights @ v, weights.")
def attention(q, k, v, mask=None):
    """(out, weights): weights = softmax(q kᵀ / √d [masked]) over the keys, out = weights v.

    q: Tensor (..., L, d); k: (..., S, d); v: (..., S, d_v); mask: None or a bool Tensor (L, S),
    True where query i may look at key j. Returns (Tensor (..., L, d_v), Tensor (..., L, S)).
    """
    raise NotImplementedError("lesson 18, exercise attention: replace this line with your answer")


@attention.check
def check_attention(attention):
    r = rng()
    q, k, v = r.standard_normal((2, 3, 4, 8)), r.standard_normal((2, 3, 6, 8)), r.standard_normal((2, 3, 6, 5))
    g = r.standard_normal((2, 3, 4, 5))
    causal = np.tril(np.ones((4, 6), dtype=bool))
    for mask in (None, causal):
        masked = '' if mask is None else ', causal mask'
        out, grads = answer_and_grads(
            lambda a, b, c: call(attention, a, b, c, None if mask is None else mg.tensor(mask))[0],
            [q, k, v], g, wrt=(0, 1, 2))

        def reference(a, b, c):
            return F.scaled_dot_product_attention(a, b, c, attn_mask=None if mask is None else mg.tensor(mask))
        expect_close(out, reference(leaf(q), leaf(k), leaf(v)), source=f"F.scaled_dot_product_attention{masked}")
        for name, mine, theirs in zip(('dL/dq', 'dL/dk', 'dL/dv'), grads, engine_grads(reference, (q, k, v), g)):
            expect_close(mine, theirs, what=name, source=f"minigan's backward of scaled_dot_product_attention{masked}")
        _, weights = attention(leaf(q), leaf(k), leaf(v), None if mask is None else mg.tensor(mask))
        weights = weights.detach().numpy()
        expect_close(weights.sum(-1), np.ones((2, 3, 4)), what='the sum of each row of weights',
                     source="a softmax over the keys: every row sums to 1")
        if mask is not None:
            expect_close(weights * ~causal, np.zeros_like(weights), what='the weights where the mask is False',
                         source="0: a masked pair gets no weight")


# %% [markdown]
# ## Exercise 2 · multi-head attention, with `nn.MultiheadAttention`'s weights
#
# Batch first: query (N, L, E), key and value (N, S, E). The projection weights are stacked as
# `nn.MultiheadAttention` stores them: `in_proj_weight` (3E, E) holds W_q, W_k, W_v one under the
# other (x @ Wᵀ + b, as `F.linear`), `in_proj_bias` (3E,) likewise. Then split E into h heads of
# E/h: (N, L, E) → (N, L, h, E/h) → (N, h, L, E/h), attend in every head at once with your
# `attention` (it batches over the leading dims), undo the split, and apply the output projection.
# Return the weights averaged over the heads, as the module does.

# %%
@lesson.exercise(hint="q, k, v = F.linear(query, W[:E], b[:E]), ... for the three blocks; split with "
                      ".reshape(N, L, h, E // h).transpose(1, 2); after attention, .transpose(1, 2)."
                      "reshape(N, L, E); F.linear(out, out_proj_weight, out_proj_bias); weights.mean(1).")
def multi_head_attention(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias):
    """(out (N, L, E), weights (N, L, S) averaged over the heads), as nn.MultiheadAttention(E,
    num_heads, batch_first=True) computes from these weights.

    query (N, L, E), key and value (N, S, E): Tensors; in_proj_weight (3E, E), in_proj_bias (3E,),
    out_proj_weight (E, E), out_proj_bias (E,).
    """
    raise NotImplementedError("lesson 18, exercise multi_head_attention: replace this line with your answer")


@multi_head_attention.check
def check_multi_head_attention(multi_head_attention):
    r = rng()
    module = nn.MultiheadAttention(8, 2, batch_first=True).double()
    with mg.no_grad():                        # random biases too (the module starts them at 0)
        module.in_proj_bias.copy_(leaf(r.standard_normal(24)))
        module.out_proj.bias.copy_(leaf(r.standard_normal(8)))
    query, key = r.standard_normal((3, 4, 8)), r.standard_normal((3, 5, 8))
    value = r.standard_normal((3, 5, 8))
    for q, kv in ((query, (key, value)), (query, (query, query))):
        args = [leaf(q), leaf(kv[0]), leaf(kv[1])]
        got = call(multi_head_attention, *args, 2, module.in_proj_weight, module.in_proj_bias,
                   module.out_proj.weight, module.out_proj.bias)
        expect_equal(len(got), 2, what="the number of results")
        with mg.no_grad():
            out, weights = module(*args)
        expect_close(got[0], out, source="nn.MultiheadAttention(8, 2, batch_first=True) with these weights")
        expect_close(got[1], weights, what='the weights',
                     source="nn.MultiheadAttention's attention weights, averaged over the heads")


# %% [markdown]
# ## Exercise 3 · sinusoidal positional encoding

# %%
@lesson.exercise(hint="pos = np.arange(length)[:, None]; omega = 10000.0 ** (-np.arange(0, d_model, 2) / "
                      "d_model); pe[:, 0::2] = np.sin(pos * omega); pe[:, 1::2] = np.cos(pos * omega).")
def positional_encoding(length, d_model):
    """PE (length, d_model): PE[p, 2i] = sin(p·ωᵢ), PE[p, 2i + 1] = cos(p·ωᵢ), ωᵢ = 10000^(−2i/d_model).

    d_model is even. Returns a NumPy array.
    """
    raise NotImplementedError("lesson 18, exercise positional_encoding: replace this line with your answer")


@positional_encoding.check
def check_positional_encoding(positional_encoding):
    length, d = 50, 16
    pe = np.asarray(call(positional_encoding, length, d), dtype=np.float64)
    expect_equal(pe.shape, (length, d), what="the shape")
    expect_close(pe[0], np.tile([0.0, 1.0], d // 2), what='PE[0]', source="sin 0 = 0, cos 0 = 1")
    # moving k positions turns pair i by the angle k·ωᵢ, the same at every position p
    omega = 10000.0 ** (-np.arange(0, d, 2) / d)
    for k in (1, 7, 20):
        c, s = np.cos(k * omega), np.sin(k * omega)
        sines, cosines = pe[:-k, 0::2], pe[:-k, 1::2]
        turned = np.empty((length - k, d))
        turned[:, 0::2] = sines * c + cosines * s       # sin(a + b)
        turned[:, 1::2] = cosines * c - sines * s       # cos(a + b)
        expect_close(pe[k:], turned, atol=1e-9, what=f'PE[p + {k}]',
                     source=f"PE[p] with every pair i rotated by {k}·ωᵢ (the relative-offset property)")


# %% [markdown]
# ## Exercise 4 · the SAGAN block
#
# On a feature map x (N, C, H, W), over its P = H·W positions: queries f = x W_fᵀ and keys
# g = x W_gᵀ in C' = C/8 dimensions, values h = x W_hᵀ in C (1×1 convolutions are matrix
# products at every position), attention weights β = softmax(f gᵀ) over the key positions (SAGAN
# does not divide by √C'), output o = β h back to (N, C, H, W), and the residual y = x + γ·o.
# Flatten the positions with `x.reshape(N, C, P).transpose(1, 2)`: (N, P, C), one row per
# position, rows in reading order.

# %%
@lesson.exercise(hint="xs = x.reshape(N, C, H * W).transpose(1, 2); f, g, h = xs @ w_f.T, xs @ w_g.T, "
                      "xs @ w_h.T; beta = mg.softmax(f @ g.transpose(1, 2), -1); o = (beta @ h).transpose(1, 2)."
                      "reshape(N, C, H, W); return x + gamma * o, beta.")
def self_attention_2d(x, w_f, w_g, w_h, gamma):
    """(y, β): SAGAN's self-attention over the positions of x, y = x + γ·o.

    x: Tensor (N, C, H, W); w_f, w_g: Tensors (C', C); w_h: (C, C); gamma: a Tensor of shape ()
    or (1,). β: (N, P, P) with P = H·W, row i over all positions j. Returns (Tensor (N, C, H, W),
    Tensor (N, P, P)).
    """
    raise NotImplementedError("lesson 18, exercise self_attention_2d: replace this line with your answer")


@self_attention_2d.check
def check_self_attention_2d(self_attention_2d):
    r = rng()
    x = r.standard_normal((2, 8, 3, 4))
    w_f, w_g, w_h = r.standard_normal((2, 8)) / 3, r.standard_normal((2, 8)) / 3, r.standard_normal((8, 8)) / 3
    g = r.standard_normal(x.shape)
    out, (d_x, d_gamma) = answer_and_grads(
        lambda a, gam: call(self_attention_2d, a, leaf(w_f), leaf(w_g), leaf(w_h), gam)[0],
        [x, np.array([0.7])], g, wrt=(0, 1))

    def reference(a, gam):
        positions = a.reshape(2, 8, 12).transpose(1, 2)
        o = F.scaled_dot_product_attention(positions @ leaf(w_f).T, positions @ leaf(w_g).T,
                                           positions @ leaf(w_h).T, scale=1.0)
        return a + gam * o.transpose(1, 2).reshape(2, 8, 3, 4)
    expect_close(out, reference(leaf(x), leaf([0.7])),
                 source="x + γ·F.scaled_dot_product_attention(..., scale=1) over the 12 positions")
    for name, mine, theirs in zip(('dL/dx', 'dL/dγ'), (d_x, d_gamma),
                                  engine_grads(reference, (x, np.array([0.7])), g)):
        expect_close(mine, theirs, what=name, source="minigan's backward of the same block")
    called("self_attention_2d(x, w_f, w_g, w_h, gamma=0)")
    y, beta = self_attention_2d(leaf(x), leaf(w_f), leaf(w_g), leaf(w_h), leaf([0.0]))
    expect_close(y, x, what='y with γ = 0', source="x itself: the block starts as the identity")
    expect_equal(tuple(beta.shape), (2, 12, 12), what="the shape of β")


# %% [markdown]
# ## The demo
#
# Three pictures. **Positional encoding**: the encoding of 64 positions in 64 dimensions, and the
# dot products PE[p]·PE[q], which depend on p − q alone (the relative-offset property seen from
# attention's side). **Scaling**: the spread of q·k for random unit-variance vectors, and how
# peaked the softmax of 16 such logits is, with and without the 1/√d.
#
# **A self-attention GAN on the digits.** A small DCGAN whose generator has your SAGAN block at
# 14×14 (196 positions, each attending to all), and whose discriminator has one too, trained
# with the non-saturating loss and Adam (2e-4, β₁ = 0.5) for about two minutes on two quiet
# cores. The picture shows samples, γ of both blocks during training (it starts at 0 and grows as
# the networks find attention useful), and, for one generated digit, where a few positions look:
# the rows of β as 14×14 maps.
#
# Things to try: start γ at 1 instead of 0; remove the block from D; a block at 7×7 too.

# %%
class SelfAttention2d(nn.Module):
    """SAGAN's block with learned 1×1 projections (C → C/8, C/8, C) and γ starting at 0."""

    def __init__(self, channels):
        super().__init__()
        inner = max(1, channels // 8)
        self.w_f = nn.Parameter(mg.randn(inner, channels) / math.sqrt(channels))
        self.w_g = nn.Parameter(mg.randn(inner, channels) / math.sqrt(channels))
        self.w_h = nn.Parameter(mg.randn(channels, channels) / math.sqrt(channels))
        self.gamma = nn.Parameter(mg.zeros(1))
        self.last_attention = None

    def forward(self, x):
        y, beta = self_attention_2d(x, self.w_f, self.w_g, self.w_h, self.gamma)
        self.last_attention = beta.detach()
        return y


class Generator(nn.Module):
    def __init__(self, latent_dim=32, width=32):
        super().__init__()
        self.latent_dim, w = latent_dim, width
        self.fc = nn.Sequential(nn.Linear(latent_dim, 2 * w * 49), nn.Unflatten(1, (2 * w, 7, 7)),
                                nn.BatchNorm2d(2 * w), nn.ReLU())
        self.up = nn.Sequential(nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.BatchNorm2d(w), nn.ReLU())
        self.attention = SelfAttention2d(w)
        self.out = nn.Sequential(nn.ConvTranspose2d(w, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.out(self.attention(self.up(self.fc(z))))


class Discriminator(nn.Module):
    def __init__(self, width=32):
        super().__init__()
        w = width
        self.down = nn.Sequential(nn.Conv2d(1, w, 4, 2, 1), nn.LeakyReLU(0.2))
        self.attention = SelfAttention2d(w)
        self.rest = nn.Sequential(nn.Conv2d(w, 2 * w, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(),
                                  nn.Linear(2 * w * 49, 1))

    def forward(self, x):
        return self.rest(self.attention(self.down(x))).reshape(-1)


def train(steps, batch_size, width):
    G, D = Generator(width=width), Discriminator(width)
    opt_g = optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    gammas, step, start = [], 0, time.perf_counter()
    while step < steps:
        for real, _ in DataLoader(digits('train'), batch_size=batch_size, shuffle=True, drop_last=True):
            fake = G(mg.randn(batch_size, G.latent_dim))
            loss_d = mg.losses.bce_discriminator_loss(D(real), D(fake.detach()))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            loss_g = mg.losses.bce_generator_loss(D(fake))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            gammas.append((G.attention.gamma.item(), D.attention.gamma.item()))
            step += 1
            if step % 200 == 0 or step == steps:
                print(f"  step {step}/{steps} ({time.perf_counter() - start:.0f} s): D {loss_d.item():.3f}, "
                      f"G {loss_g.item():.3f}, γ in G {gammas[-1][0]:+.3f}, in D {gammas[-1][1]:+.3f}")
            if step == steps:
                break
    return G.eval(), np.array(gammas)


@lesson.demo
def demo():
    mg.manual_seed(0)
    # 1. positional encoding, and its dot products
    pe = positional_encoding(64, 64)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout='constrained')
    image = left.imshow(pe, cmap='RdBu', aspect='auto', vmin=-1, vmax=1)
    left.set(xlabel='dimension (sin, cos, sin, cos, ... slower to the right)', ylabel='position',
             title='sinusoidal positional encoding')
    fig.colorbar(image, ax=left)
    image = right.imshow(pe @ pe.T, cmap='viridis')
    right.set(xlabel='position q', ylabel='position p', title='PE[p] · PE[q]: a function of p − q')
    fig.colorbar(image, ax=right)
    lesson.save(fig, 'positional_encoding.png')

    # 2. why 1/√d: the spread of q·k and how peaked a softmax of 16 logits gets
    r = np.random.default_rng(0)
    dims = [4, 16, 64, 256, 1024]
    spread, peak = {False: [], True: []}, {False: [], True: []}
    for d in dims:
        logits = (r.standard_normal((400, 16, d)) * r.standard_normal((400, 1, d))).sum(-1)
        for scaled in (False, True):
            s = logits / math.sqrt(d) if scaled else logits
            spread[scaled].append(s.std())
            p = np.exp(s - s.max(-1, keepdims=True))
            peak[scaled].append((p / p.sum(-1, keepdims=True)).max(-1).mean())
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), layout='constrained')
    for scaled, label in ((False, 'q·k'), (True, 'q·k / √d')):
        left.loglog(dims, spread[scaled], 'o-', label=label)
        right.semilogx(dims, peak[scaled], 'o-', label=label)
    left.set(xlabel='d', ylabel='standard deviation of the logits', title='the logits grow as √d')
    right.set(xlabel='d', ylabel='mean of the largest weight', title='a softmax of 16 logits: one-hot without scaling')
    left.legend()
    right.legend()
    lesson.save(fig, 'attention_scaling.png')

    # 3. the self-attention GAN
    G, gammas = train(steps=lesson.size(600, quick=3), batch_size=lesson.size(32, quick=8),
                      width=lesson.size(32, quick=8))
    with mg.no_grad():
        samples = G(mg.randn(64, G.latent_dim))
        one = G(mg.randn(1, G.latent_dim))
    beta = G.attention.last_attention[0].numpy()                     # (196, 196)
    queries = [(4, 7), (7, 7), (10, 4), (10, 10)]                    # (row, column) at 14×14
    fig = plt.figure(figsize=(14, 6), layout='constrained')
    left, middle, right = fig.subfigures(1, 3, width_ratios=[1.3, 1, 1.1])
    ax = left.subplots()
    ax.imshow(grid_array(samples, columns=8), cmap='gray', vmin=0, vmax=1)
    ax.set_title('samples')
    ax.axis('off')
    ax = middle.subplots()
    ax.plot(gammas[:, 0], label='γ in G')
    ax.plot(gammas[:, 1], label='γ in D')
    ax.axhline(0, color='0.7', linewidth=0.8)
    ax.set(xlabel='step', title='the attention gates, from 0')
    ax.legend()
    axes = right.subplots(3, 2)
    axes[0, 0].imshow(one[0, 0].numpy(), cmap='gray')
    axes[0, 0].set_title('a sample')
    axes[0, 1].axis('off')
    for ax, (row, col) in zip(axes.flat[2:], queries):
        ax.imshow(beta[row * 14 + col].reshape(14, 14), cmap='magma')
        ax.plot(col, row, 'c+', markersize=12, markeredgewidth=2)
        ax.set_title(f'where ({row}, {col}) looks', fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    lesson.save(fig, 'sagan.png')


# %%
if __name__ == '__main__':
    lesson.main()
