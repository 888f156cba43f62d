# %% [markdown]
# # Lesson 8 · Generative models: the variational autoencoder, and the GAN beside it
#
# A *discriminative* model learns p(y | x): given a digit, which one is it. A *generative* model
# learns p(x) itself, well enough to draw new x: new digits that were never in the data. Both
# families this course studies do it the same way at sampling time: draw a **latent** code z from
# a simple distribution, N(0, I), and map it through a network to an image. They differ in how
# the network is trained.
#
# **Autoencoders.** An encoder compresses x into a short code z and a decoder rebuilds x from it;
# both train to make the rebuild match. Good codes, but nothing says where in code space the
# digits live: a random z usually falls between them and decodes to a smudge.
#
# **Variational autoencoders** make the code a distribution. The encoder returns, for each x, a
# mean μ(x) and a log-variance log σ²(x): the code of x is "somewhere in N(μ, diag σ²)". Training
# maximizes the **evidence lower bound** (ELBO) on log p(x):
#
#     log p(x) ≥ E_{z ~ q(z|x)}[ log p(x | z) ] − KL( q(z|x) ‖ N(0, I) ).
#
# The first term rewards good reconstructions from a code drawn near μ(x); the second pulls every
# q(z|x) toward N(0, I), so the codes of the data fill the space a sampler draws from, without
# holes. We minimize the negative ELBO, per example:
#
# - **reconstruction**: the decoder outputs one logit per pixel; a pixel's intensity t = (x + 1)/2
#   in [0, 1] is scored by the binary cross-entropy from logits of lesson 4, summed over the 784
#   pixels;
# - **KL**, in closed form for a diagonal Gaussian against N(0, I):
#   KL = ½ Σ_d (μ_d² + σ_d² − 1 − log σ_d²), zero exactly when μ = 0 and σ = 1.
#
# **The reparameterization trick.** "Draw z from N(μ, σ²)" has no gradient with respect to μ and
# σ. Write the draw as z = μ + σ·ε with ε ~ N(0, I) drawn independently: the randomness sits in ε,
# and z is a differentiable function of μ and σ. (σ = exp(½ log σ²): the network outputs
# log σ², which may be any real number.)
#
# **VAE versus GAN.** A VAE has an encoder (every image gets a code: reconstructions, latent
# walks between real digits), trains stably on a likelihood bound, and covers every mode of the
# data; its samples are blurry, because a pixel-wise likelihood averages over what the code leaves
# uncertain. A GAN (lessons 9 and 10) has no encoder and no likelihood: a discriminator judges its
# samples, which makes them sharp, at the price of unstable training and mode collapse. Lesson 10
# trains a DCGAN on these same digits: compare its sample grid with this lesson's.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
from minigan import nn, optim
from minigan.data import digits
from minigan.utils.data import DataLoader, TensorDataset
from _checks import answer_and_grads, call, expect_close, leaf, rng
from _course import Lesson

lesson = Lesson('08_vae', 'Generative models: VAE vs GAN')

# %% [markdown]
# ## Exercise 1 · the reparameterization trick

# %%
@lesson.exercise(hint="σ = exp(½ log σ²): mu + mg.exp(0.5 * log_var) * eps. Use Tensor ops, so that "
                      "gradients reach mu and log_var.")
def reparameterize(mu, log_var, eps):
    """z = μ + σ·ε with σ = exp(½·log σ²): a draw from N(μ, σ²) that is differentiable in μ and log σ².

    mu, log_var: Tensors (N, D); eps: Tensor (N, D) of standard normal noise (given, so the
    result is reproducible). Returns a Tensor (N, D).
    """
    raise NotImplementedError("lesson 8, exercise reparameterize: replace this line with your answer")


@reparameterize.check
def check_reparameterize(reparameterize):
    r = rng()
    mu, log_var, eps, g = r.standard_normal((4, 3, 5))
    out, (d_mu, d_log_var) = answer_and_grads(lambda a, b, c: call(reparameterize, a, b, c),
                                              [mu, log_var, eps], g, wrt=(0, 1))
    sigma = np.exp(0.5 * log_var)
    expect_close(out, mu + sigma * eps, source="μ + exp(½ log σ²)·ε")
    expect_close(d_mu, g, what='dL/dμ', source="∂z/∂μ = 1")
    expect_close(d_log_var, g * eps * 0.5 * sigma, what='dL/dlog σ²', source="∂z/∂log σ² = ½σε")


# %% [markdown]
# ## Exercise 2 · the KL term

# %%
@lesson.exercise(hint="0.5 * (mu**2 + exp(log_var) - 1 - log_var), summed over the latent axis "
                      "(dim 1): one number per example.")
def kl_to_standard_normal(mu, log_var):
    """KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_d (μ_d² + σ_d² − 1 − log σ_d²) for each row.

    mu, log_var: Tensors (N, D). Returns a Tensor (N,), built with Tensor ops.
    """
    raise NotImplementedError("lesson 8, exercise kl_to_standard_normal: replace this line with your answer")


def kl_by_integration(mu, log_var):
    """KL(q ‖ p) = ∫ q log(q/p) dz, one latent dimension at a time (the dimensions are independent),
    by the trapezoid rule on a fine grid: knows nothing of the closed form."""
    total = np.zeros(mu.shape[0])
    for n, d in np.ndindex(mu.shape):
        s = np.exp(0.5 * log_var[n, d])
        z = np.linspace(mu[n, d] - 12 * s, mu[n, d] + 12 * s, 20001)
        log_q = -0.5 * ((z - mu[n, d]) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)
        log_p = -0.5 * z ** 2 - 0.5 * np.log(2 * np.pi)
        f = np.exp(log_q) * (log_q - log_p)
        total[n] += np.sum((f[1:] + f[:-1]) * np.diff(z)) / 2
    return total


@kl_to_standard_normal.check
def check_kl_to_standard_normal(kl_to_standard_normal):
    r = rng()
    mu, log_var = r.standard_normal((4, 3)), r.uniform(-2, 1.5, (4, 3))
    mu[0], log_var[0] = 0, 0                  # q = p: KL = 0
    got = call(kl_to_standard_normal, leaf(mu), leaf(log_var))
    expect_close(got, kl_by_integration(mu, log_var), atol=1e-6, rtol=1e-6,
                 source="∫ q log(q/p) dz by the trapezoid rule")


# %% [markdown]
# ## Exercise 3 · the loss: the negative ELBO
#
# Per example: the reconstruction BCE summed over pixels, plus the KL; then the mean over the
# batch. Images x are in [−1, 1]; the BCE targets are the intensities (x + 1)/2.

# %%
@lesson.exercise(hint="F.binary_cross_entropy_with_logits(logits, (x + 1) / 2, reduction='none'), "
                      "summed over every axis but the batch, plus your KL per example; then .mean().")
def negative_elbo(x, logits, mu, log_var):
    """mean over the batch of [ Σ_pixels BCE(logits, (x + 1)/2) + KL(N(μ, σ²) ‖ N(0, I)) ].

    x: Tensor (N, 1, 28, 28) in [−1, 1]; logits: the decoder's output, Tensor of x's shape;
    mu, log_var: Tensors (N, D). Returns a 0-d Tensor.
    """
    raise NotImplementedError("lesson 8, exercise negative_elbo: replace this line with your answer")


@negative_elbo.check
def check_negative_elbo(negative_elbo):
    r = rng()
    x = r.uniform(-1, 1, (3, 1, 28, 28))
    x[:, :, :10] = -1                                  # some black background, like a digit
    logits, mu, log_var = r.standard_normal((3, 1, 28, 28)) * 2, r.standard_normal((3, 4)), r.uniform(-1, 1, (3, 4))
    got = call(negative_elbo, leaf(x), leaf(logits), leaf(mu), leaf(log_var))
    t = (x + 1) / 2
    bce = np.logaddexp(0, logits) - t * logits         # softplus(z) - t·z, per pixel (lesson 4)
    ref = (bce.reshape(3, -1).sum(1) + kl_by_integration(mu, log_var)).mean()
    expect_close(got, ref, atol=1e-6, rtol=1e-6, source="NumPy: Σ softplus(z) − t·z, plus ∫ q log(q/p)")


# %% [markdown]
# ## Exercise 4 · a walk in latent space

# %%
@lesson.exercise(hint="t = np.linspace(0, 1, steps)[:, None]; (1 - t) * z0 + t * z1: both ends "
                      "included.")
def latent_walk(z0, z1, steps):
    """Points evenly spaced on the segment from z0 to z1, both included: z_k = (1 − t_k)·z0 + t_k·z1.

    z0, z1: NumPy arrays (D,); steps >= 2. Returns an array (steps, D) whose first row is z0 and
    last row is z1.
    """
    raise NotImplementedError("lesson 8, exercise latent_walk: replace this line with your answer")


@latent_walk.check
def check_latent_walk(latent_walk):
    r = rng()
    z0, z1 = r.standard_normal(6), r.standard_normal(6)
    for steps in (2, 7):
        got = call(latent_walk, z0, z1, steps)
        expect_close(got, np.linspace(z0, z1, steps), source="np.linspace(z0, z1, steps)")


# %% [markdown]
# ## The model, and the demo
#
# Encoder 784 → 400 → (μ, log σ²) in 16 dimensions; decoder 16 → 400 → 784 logits. The demo trains
# it with Adam for a few epochs on the 4,500 training digits (about a minute on two cores), then
# saves reconstructions of held-out digits, samples from N(0, I), latent walks between held-out
# digits, and the two terms of the loss during training.
#
# Things to try: `VAE(latent_dim=8)` gives less faithful reconstructions but more digit-like
# samples (fewer empty regions in a smaller code space); more epochs sharpen both.

# %%
class VAE(nn.Module):
    def __init__(self, latent_dim=16, hidden=400):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU())
        self.to_mu, self.to_log_var = nn.Linear(hidden, latent_dim), nn.Linear(hidden, latent_dim)
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 784),
                                     nn.Unflatten(1, (1, 28, 28)))

    def encode(self, x):
        h = self.encoder(x)
        return self.to_mu(h), self.to_log_var(h)

    def decode(self, z):
        """Logits of the pixel intensities, (N, 1, 28, 28)."""
        return self.decoder(z)

    def forward(self, x):
        mu, log_var = self.encode(x)
        z = reparameterize(mu, log_var, mg.randn_like(mu))
        return self.decode(z), mu, log_var


def to_image(logits):
    """Decoder logits -> images in [−1, 1] (the mean intensity σ(logit), rescaled)."""
    return mg.sigmoid(logits) * 2 - 1


def train(model, epochs, subset=None, batch_size=128):
    """Adam on the negative ELBO; returns the mean reconstruction and KL terms of each epoch."""
    data = digits('train')
    if subset:   # every k-th digit: the data set is stored class by class
        data = TensorDataset(*(t[::len(data) // subset] for t in data.tensors))
    loader = DataLoader(data, batch_size=batch_size, shuffle=True)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    history = []
    for epoch in range(epochs):
        totals = np.zeros(2)
        for x, _ in loader:
            logits, mu, log_var = model(x)
            loss = negative_elbo(x, logits, mu, log_var)
            opt.zero_grad()
            loss.backward()
            opt.step()
            kl = kl_to_standard_normal(mu, log_var).mean().item()
            totals += np.array([loss.item() - kl, kl]) * len(x)
        history.append(totals / len(data))
        print(f"  epoch {epoch + 1}/{epochs}: reconstruction {history[-1][0]:.1f}, KL {history[-1][1]:.1f} "
              "(nats per digit)")
    return np.array(history)


def grid(ax, images, rows, title):
    """(rows·cols, 1, 28, 28) images in [−1, 1] as one picture."""
    images = np.asarray(images)[:, 0]
    cols = len(images) // rows
    tiled = images.reshape(rows, cols, 28, 28).transpose(0, 2, 1, 3).reshape(rows * 28, cols * 28)
    ax.imshow(tiled, cmap='gray', vmin=-1, vmax=1)
    ax.set_title(title)
    ax.axis('off')


@lesson.demo
def demo():
    mg.manual_seed(0)
    model = VAE()
    history = train(model, epochs=lesson.size(12, quick=1), subset=lesson.size(None, quick=900))
    model.eval()
    test = digits('test')
    x = mg.stack([test[i][0] for i in range(0, 500, 50)])                 # one of each digit
    with mg.no_grad():
        mu, _ = model.encode(x)
        recon = to_image(model.decode(mu))
        samples = to_image(model.decode(mg.randn(40, model.latent_dim)))
        pairs = [(0, 5), (1, 7), (3, 8), (4, 9)]
        walks = np.concatenate([latent_walk(mu[a].numpy(), mu[b].numpy(), 10) for a, b in pairs])
        walked = to_image(model.decode(mg.tensor(walks, dtype=mg.float32)))

    fig = plt.figure(figsize=(16, 7.5), layout='constrained')
    top, bottom = fig.subfigures(2, 1, height_ratios=[0.75, 1])
    left, right = top.subplots(1, 2, gridspec_kw=dict(width_ratios=[2.5, 1]))
    grid(left, np.concatenate([x.numpy(), recon.numpy()]), 2, 'held-out digits (top) and their reconstructions')
    right.plot(history[:, 0], 'o-', label='reconstruction (BCE, summed)')
    right.plot(history[:, 1], 's-', label='KL')
    right.set(xlabel='epoch', ylabel='nats per digit', title='the two terms of the loss')
    right.legend()
    a, b = bottom.subplots(1, 2)
    grid(a, samples.numpy(), 4, 'samples: decode z ~ N(0, I)')
    grid(b, walked.numpy(), 4, 'latent walks between held-out digits (your latent_walk)')
    lesson.save(fig, 'vae.png')


# %%
if __name__ == '__main__':
    lesson.main()
