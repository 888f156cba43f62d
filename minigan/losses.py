"""The GAN losses: each a few lines of engine ops, so autograd differentiates them (to any order).

A GAN trains two networks against each other: a generator G that maps noise z to samples G(z),
and a discriminator (or critic) D that scores samples. Each step of the training loop

    1. trains D on a real batch x and a fake batch G(z).detach()  (detached: this step moves D only)
           loss_D = <family>_discriminator_loss(D(x), D(G(z).detach())) [+ penalty]
    2. trains G through a frozen D on a fresh fake batch
           loss_G = <family>_generator_loss(D(G(z)))

The adversarial losses take D's raw outputs -- *logits* or scores, never probabilities. Each
function returns a scalar Tensor to *minimize*, except InfoGAN's bounds L_I, which are maximized.
``reduction='sum'`` sums where the formula averages (the mean, E, is the default).

Minimax BCE (Goodfellow et al. 2014). D(x) = σ(logit) is the probability that x is real; the game is
min_G max_D V = E_x[log D(x)] + E_z[log(1 − D(G(z)))]. For fixed G the best D is
D* = p_data / (p_data + p_model), and there V = 2·JS(p_data ‖ p_model) − log 4: G minimizes a
Jensen-Shannon divergence. G's own term, log(1 − D(G(z))), *saturates*: when D confidently
rejects the fakes (early in training) its gradient vanishes, so G instead maximizes log D(G(z))
(the non-saturating loss; same fixed point, strong gradients). All terms are computed from logits
with log σ(a) = −softplus(−a), log(1 − σ(a)) = −softplus(a): stable for any logit.

Conditional GANs. A cGAN feeds the label y to both networks, D(x, y) and G(z, y), and keeps the
losses above unchanged. ACGAN instead gives D an auxiliary classifier head; its cross-entropy on
the true labels of real images and on the labels G was asked for (``acgan_class_loss``) is added to
*both* the D and the G objective, so G learns to make images of the requested class.

LSGAN (Mao et al. 2017) replaces the log loss by squared distances to targets (1 for real, 0 for
fake); it does not saturate either. For fixed G the best output is again p_data / (p_data + p_model).
CycleGAN trains its discriminators with it.

Wasserstein (Arjovsky et al. 2017). A *critic* f (unbounded scores, no sigmoid) estimates the
earth mover's distance W(p_data, p_model) = sup over 1-Lipschitz f of E_data[f] − E_model[f]. The
critic maximizes that difference (so minimizes E[f(fake)] − E[f(real)]), usually several critic
steps per G step, and G minimizes −E[f(G(z))]. The sup is over 1-Lipschitz functions, so the
critic must be kept Lipschitz:
  * weight clipping (the original WGAN): clamp every critic weight to [−c, c] after each critic
    step with ``minigan.optim.clip_weights(critic, 0.01)``; crude, and it limits capacity;
  * the gradient penalty (WGAN-GP, Gulrajani et al. 2017): ``gradient_penalty`` pushes
    ‖∇D‖ toward 1 on points between real and fake samples; added to the critic loss (λ = 10);
  * spectral normalization (``minigan.nn.utils.spectral_norm``), usually with the hinge loss
    (``hinge_discriminator_loss``, as in SNGAN and BigGAN);
  * R1 (Mescheder et al. 2018): ``r1_penalty`` penalizes ‖∇D‖² on real data only (zero-centred),
    added to the discriminator loss of any of the families above (StyleGAN's choice).
The penalties differentiate D's gradient, so they are built with ``grad(..., create_graph=True)``:
their backward runs through the backward of D and reaches D's weights.

CycleGAN (Zhu et al. 2017) translates between two domains with G: X → Y and F: Y → X and no
paired data. Besides an LSGAN loss per direction it asks F(G(x)) ≈ x and G(F(y)) ≈ y
(``cycle_consistency_loss``, weight λ = 10) and, optionally, G(y) ≈ y for an image that is already
in G's output domain (``identity_loss``, weight λ/2).

InfoGAN (Chen et al. 2016) feeds G a code c besides the noise and wants the code to stay readable
from the image: it maximizes the mutual information I(c; G(z, c)). That is intractable, but an
auxiliary network Q(c | x) (a head on D) gives the variational lower bound
L_I = E[log Q(c | G(z, c))] + H(c) ≤ I(c; G(z, c)). Training subtracts λ·L_I from both the D/Q and
G objectives (λ = 1 for categorical codes; smaller for continuous ones).
"""
import math

from . import backend, creation
from . import functional as F
from .autograd import grad
from .checks import number
from .errors import ArgumentError, ArgumentTypeError, DTypeError, DimError, GraphError, ShapeError
from .tensor import Tensor, enable_grad, is_grad_enabled

LOG_2PI = math.log(2 * math.pi)


# ----------------------------------------------------------------------------- minimax BCE
def bce_discriminator_loss(real_logits, fake_logits, reduction='mean'):
    """−E[log D(x)] − E[log(1 − D(G(z)))] = E[softplus(−r)] + E[softplus(f)].

    real_logits r and fake_logits f: D's logits (any shapes; they need not match) on a real and
    a fake batch. Minimizing it maximizes GAN's value function V(D, G).
    """
    r, f = _scores('bce_discriminator_loss', real_logits=real_logits, fake_logits=fake_logits)
    return _reduce(_softplus(-r), reduction) + _reduce(_softplus(f), reduction)


def bce_generator_loss(fake_logits, saturating=False, reduction='mean'):
    """G's loss from D's logits f on a fake batch.

    non-saturating (default):  −E[log D(G(z))]     = E[softplus(−f)]
    saturating:                 E[log(1 − D(G(z)))] = −E[softplus(f)]   (the minimax game's own term)

    As D(G(z)) → 0 the saturating gradient dL/df = −σ(f) vanishes like e^f, while the
    non-saturating one, −σ(−f), tends to −1 (per sample, before the mean).
    """
    (f,) = _scores('bce_generator_loss', fake_logits=fake_logits)
    if saturating:
        return -_reduce(_softplus(f), reduction)
    return _reduce(_softplus(-f), reduction)


def _softplus(x):
    """log(1 + eˣ) for every x: F.softplus without its linear cut-off above 20 (which returns x
    itself, a 2e-9 step in the value that finite differences near 20 would see)."""
    return F.softplus(x, threshold=math.inf)


# ----------------------------------------------------------------------------- conditional
def acgan_class_loss(class_logits, labels, reduction='mean'):
    """−E[log softmax(l)[y]]: the cross-entropy of ACGAN's auxiliary classifier.

    class_logits l: (N, K) logits over K classes; labels y: (N,) integer class indices in [0, K).
    ACGAN adds it to D's loss (on the real images with their labels, and on the fakes with the
    labels G was given) and to G's loss (on the fakes).
    """
    _check_class_indices('acgan_class_loss', class_logits, labels, 'class_logits', 'labels')
    return F.cross_entropy(class_logits, labels, reduction=_checked(reduction))


# ----------------------------------------------------------------------------- least squares
def lsgan_discriminator_loss(real_out, fake_out, reduction='mean'):
    """½E[(r − 1)²] + ½E[f²]: D's outputs r (real) and f (fake) pulled to the targets 1 and 0.

    The ½ is the LSGAN paper's (Mao et al. 2017, eq. 2 with a = 0, b = 1); CycleGAN's code uses
    the plain mean squared error, which is this loss times 2 (same minimizer, twice the gradient).
    For fixed G the minimizing output is D*(x) = p_data(x) / (p_data(x) + p_model(x)).
    """
    r, f = _scores('lsgan_discriminator_loss', real_out=real_out, fake_out=fake_out)
    return (_reduce((r - 1.0) ** 2, reduction) + _reduce(f ** 2, reduction)) / 2


def lsgan_generator_loss(fake_out, reduction='mean'):
    """½E[(f − 1)²]: G wants D to output the real target 1 on its samples (the paper's ½, c = 1)."""
    (f,) = _scores('lsgan_generator_loss', fake_out=fake_out)
    return _reduce((f - 1.0) ** 2, reduction) / 2


# ----------------------------------------------------------------------------- Wasserstein and hinge
def wasserstein_critic_loss(real_scores, fake_scores, reduction='mean'):
    """E[f] − E[r]: minus the critic's estimate of the Wasserstein distance.

    Only meaningful for a Lipschitz critic: clip its weights (``minigan.optim.clip_weights``) or
    add ``gradient_penalty``.
    """
    r, f = _scores('wasserstein_critic_loss', real_scores=real_scores, fake_scores=fake_scores)
    return _reduce(f, reduction) - _reduce(r, reduction)


def wasserstein_generator_loss(fake_scores, reduction='mean'):
    """−E[f]: G raises the critic's scores of its samples."""
    (f,) = _scores('wasserstein_generator_loss', fake_scores=fake_scores)
    return -_reduce(f, reduction)


def hinge_discriminator_loss(real, fake, reduction='mean'):
    """E[relu(1 − r)] + E[relu(1 + f)] for D's scores r (real) and f (fake).

    A margin loss: a real sample scored above 1, or a fake one below −1, costs nothing, so D
    stops pushing scores it already gets right (SNGAN, BigGAN). G's side is ``hinge_generator_loss``.
    """
    r, f = _scores('hinge_discriminator_loss', real=real, fake=fake)
    return _reduce(F.relu(1.0 - r), reduction) + _reduce(F.relu(1.0 + f), reduction)


def hinge_generator_loss(fake, reduction='mean'):
    """−E[f]: the generator's hinge loss has no margin (it is the Wasserstein generator loss)."""
    (f,) = _scores('hinge_generator_loss', fake=fake)
    return -_reduce(f, reduction)


# ----------------------------------------------------------------------------- gradient penalties
def gradient_penalty(critic, real, fake, weight=10.0, epsilon=None):
    """WGAN-GP's penalty  weight · E[(‖∇ₓ̂ critic(x̂)‖₂ − 1)²]  on x̂ = εx + (1 − ε)x̃.

    real x and fake x̃: (N, ...) batches of one shape; critic: any callable mapping an (N, ...)
    batch to scores (N,) or (N, 1). ε: one U[0, 1] draw per sample, broadcast over the other dims,
    from minigan's generator (``minigan.manual_seed`` reproduces it) -- or ``epsilon``, a number
    or a Tensor of shape (N,) or (N, 1, ..., 1). The norm is over all non-batch dims, per sample.

    The gradient is built with create_graph=True, so the penalty's backward reaches the critic's
    weights (and real/fake, if they require grad: detach the fakes in the critic step).

    The norm (``Tensor.norm``) is exact and safe at g = 0: its gradient there is 0, not nan, as
    torch's is -- where sqrt(Σg² + δ) would shift every value (and its agreement with torch) by δ.
    """
    name = 'gradient_penalty'
    number(name, 'weight', weight, low=0.0)
    real, fake = _batches(name, real=real, fake=fake)
    if tuple(real.shape) != tuple(fake.shape):
        raise ShapeError(f"{name}: real has shape {tuple(real.shape)} and fake {tuple(fake.shape)}; "
                         "expected one shape (N, ...): each real sample is paired with a fake one")
    eps = _epsilon(name, epsilon, real)
    x_hat = eps * real + (1.0 - eps) * fake
    if not x_hat.requires_grad:  # built from constants: a fresh leaf, so make it one we can grad
        x_hat.requires_grad_(True)
    g = _input_gradient(name, critic, x_hat)
    norm = g.reshape(g.shape[0], -1).norm(dim=1)  # per sample, over all non-batch dims
    return weight * ((norm - 1.0) ** 2).mean()


def r1_penalty(critic, real, gamma=10.0):
    """R1: γ/2 · E‖∇ₓ critic(x)‖²  on real samples x (N, ...) (Mescheder et al. 2018).

    Zero-centred and on real data only: at the equilibrium (p_model = p_data) D is flat on the data,
    and R1 pushes it there. No square root, so it is smooth everywhere.
    """
    number('r1_penalty', 'gamma', gamma, low=0.0)
    (real,) = _batches('r1_penalty', real=real)
    x = real if real.requires_grad else real.detach().requires_grad_(True)
    g = _input_gradient('r1_penalty', critic, x)
    return (gamma / 2) * (g * g).sum() / real.shape[0]


def _epsilon(name, epsilon, real):
    """ε of shape (N, 1, ..., 1): drawn from minigan's generator, or the given one reshaped."""
    per_sample = (real.shape[0],) + (1,) * (real.ndim - 1)
    if epsilon is None:
        return creation.rand(*per_sample, dtype=real.dtype, device=real.device)
    if isinstance(epsilon, (int, float)) and not isinstance(epsilon, bool):
        return epsilon  # one ε for every sample
    if not isinstance(epsilon, Tensor):
        raise ArgumentTypeError(f"{name}: epsilon must be None, a number or a Tensor, got {type(epsilon).__name__}")
    _scores(name, real=real, epsilon=epsilon)
    if tuple(epsilon.shape) not in ((real.shape[0],), per_sample):
        raise ShapeError(f"{name}: epsilon {tuple(epsilon.shape)} for a batch of shape {tuple(real.shape)}; "
                         f"expected a number or a Tensor of shape ({real.shape[0]},) or {per_sample}")
    return epsilon.reshape(per_sample)


def _input_gradient(name, critic, x):
    """∇ₓ Σ critic(x), itself in the graph (create_graph=True) when grad mode is on.

    Summing the scores is grad_outputs = 1: sample n's gradient is that of its own score, since
    samples do not interact -- unless the critic mixes them (batch norm), which is why WGAN-GP
    critics use layer or instance norm instead.
    """
    differentiate_later = is_grad_enabled()
    with enable_grad():  # the penalty's *value* needs a gradient, even under no_grad
        scores = critic(x)
        if not isinstance(scores, Tensor) or not scores.requires_grad:
            raise GraphError(f"{name}: critic(x) returned a {type(scores).__name__} that does not "
                             "require grad; the critic must compute its scores from x with minigan ops")
        (g,) = grad(scores.sum(), x, create_graph=differentiate_later, allow_unused=True)
    return creation.zeros_like(x) if g is None else g  # a critic that ignores x: gradient 0


# ----------------------------------------------------------------------------- CycleGAN
def cycle_consistency_loss(real, reconstructed, reduction='mean'):
    """E|rec − real|: L1 between x and F(G(x)) (or y and G(F(y))); same shapes."""
    real, rec = _same_shape('cycle_consistency_loss', real=real, reconstructed=reconstructed)
    return _reduce((rec - real).abs(), reduction)


def identity_loss(real, same, reduction='mean'):
    """E|same − real|: L1 between y and G(y), for y already in G's output domain; same shapes."""
    real, same = _same_shape('identity_loss', real=real, same=same)
    return _reduce((same - real).abs(), reduction)


# ----------------------------------------------------------------------------- InfoGAN
def infogan_categorical_mi(q_logits, codes):
    """L_I = E[log Q(c | x)] + H(c) for a categorical code with a uniform prior over K values.

    q_logits: (N, K) logits of Q(c | x); codes: (N,) integer indices in [0, K) (the codes G was
    given). H(c) = log K, and since log Q ≤ 0, L_I ≤ log K: equality for a Q that is always right
    and certain. A value to *maximize*: the D/Q and the G loss each subtract λ·L_I.
    """
    _check_class_indices('infogan_categorical_mi', q_logits, codes, 'q_logits', 'codes')
    return math.log(q_logits.shape[1]) - F.cross_entropy(q_logits, codes)  # E[log Q] = −cross-entropy


def infogan_gaussian_mi(q_mean, q_log_std, codes, prior_entropy):
    """L_I = E[log Q(c | x)] + H(c) for continuous codes and a factored Gaussian Q.

    q_mean: (N, D) means μ; q_log_std: log σ, a Tensor broadcastable to (N, D), or None for σ = 1;
    codes c: (N, D) the codes G was given; prior_entropy: H(c) in nats, summed over the D code dims
    (D·log 2 for InfoGAN's U(−1, 1) codes, D/2·log(2πe) for N(0, I)). With z = (c − μ)/σ,

        log Q(c | x) = Σ_d [−½ z_d² − log σ_d − ½ log 2π].

    The reference InfoGAN fixes σ = 1 for its continuous codes (pass q_log_std=None): then −L_I is
    ½ the squared error plus constants, and Q learns only the mean. A learned log σ → −∞ makes a
    wrong Q infinitely sure (log Q → −∞, truly); bound it in the Q head if that can happen.
    A value to *maximize*, like the categorical L_I.
    """
    name = 'infogan_gaussian_mi'
    q_mean, codes = _same_shape(name, q_mean=q_mean, codes=codes)
    if q_mean.ndim != 2:
        raise ShapeError(f"{name}: q_mean has shape {tuple(q_mean.shape)}; expected (N, D), one row "
                         "of D code means per sample (a single code is (N, 1))")
    if not isinstance(prior_entropy, (int, float, Tensor)) or isinstance(prior_entropy, bool):
        raise ArgumentTypeError(f"{name}: prior_entropy must be a number (H(c) in nats), got "
                                f"{type(prior_entropy).__name__}")
    if q_log_std is None:
        log_q = -0.5 * (codes - q_mean) ** 2 - 0.5 * LOG_2PI
    else:
        _scores(name, q_mean=q_mean, q_log_std=q_log_std)
        _check_broadcasts_to(name, 'q_log_std', q_log_std, q_mean.shape)
        z = (codes - q_mean) * (-q_log_std).exp()
        log_q = -0.5 * z ** 2 - q_log_std - 0.5 * LOG_2PI
    return log_q.sum(1).mean() + prior_entropy


# ----------------------------------------------------------------------------- shared pieces
def _reduce(x, reduction):
    return x.sum() if _checked(reduction) == 'sum' else x.mean()


def _checked(reduction):
    if reduction not in ('mean', 'sum'):
        raise ArgumentError(f"reduction must be 'mean' or 'sum', got {reduction!r} (a GAN loss is a scalar)")
    return reduction


def _scores(name, **tensors):
    """The tensors, checked: each a non-empty floating Tensor, all of one dtype and device."""
    for arg, t in tensors.items():
        if not isinstance(t, Tensor):
            raise ArgumentTypeError(f"{name}: {arg} must be a Tensor, got {type(t).__name__}")
        if not backend.is_floating(t.dtype):
            raise DTypeError(f"{name}: {arg} has dtype {t.dtype}; expected a floating-point tensor")
        if t.numel() == 0:
            raise ShapeError(f"{name}: {arg} is empty (shape {tuple(t.shape)}); expected at least one element")
    first, *rest = tensors.items()
    for arg, t in rest:
        if t.dtype != first[1].dtype or t.device != first[1].device:
            raise DTypeError(f"{name}: {first[0]} is {first[1].dtype} on '{first[1].device}' but {arg} is "
                             f"{t.dtype} on '{t.device}'; expected one dtype and device")
    return tuple(tensors.values())


def _same_shape(name, **tensors):
    """As _scores, and all of exactly one shape (no broadcasting: a mismatch is a bug)."""
    checked = _scores(name, **tensors)
    shapes = {arg: tuple(t.shape) for arg, t in tensors.items()}
    if len(set(shapes.values())) > 1:
        got = ' and '.join(f"{arg} {shape}" for arg, shape in shapes.items())
        raise ShapeError(f"{name}: got {got}; expected one shape")
    return checked


def _batches(name, **tensors):
    """As _scores, and each a batch: at least one dim, the first being the samples."""
    checked = _scores(name, **tensors)
    for arg, t in tensors.items():
        if t.ndim == 0:
            raise ShapeError(f"{name}: {arg} is 0-d; expected a batch of shape (N, ...)")
    return checked


def _check_broadcasts_to(name, arg, t, shape):
    try:
        ok = backend.broadcast_shapes(tuple(t.shape), tuple(shape)) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ShapeError(f"{name}: {arg} has shape {tuple(t.shape)}; expected a shape that "
                         f"broadcasts to {tuple(shape)}")


def _check_class_indices(name, logits, labels, logits_arg, labels_arg):
    """logits (N, K) floating, labels (N,) integers in [0, K). Checked here, not left to
    F.cross_entropy, so that the error names the GAN loss -- and because cross_entropy would
    silently skip a label equal to its ignore_index, −100."""
    (logits,) = _scores(name, **{logits_arg: logits})
    if logits.ndim != 2:
        raise ShapeError(f"{name}: {logits_arg} has shape {tuple(logits.shape)}; expected (N, K): "
                         "one row of K class logits per sample")
    n, k = logits.shape
    if not isinstance(labels, Tensor):
        raise ArgumentTypeError(f"{name}: {labels_arg} must be a Tensor of class indices, got {type(labels).__name__}")
    if labels.dtype.kind not in 'iu':
        raise DTypeError(f"{name}: {labels_arg} has dtype {labels.dtype}; expected integer class "
                         "indices (convert with .long())")
    if tuple(labels.shape) != (n,):
        raise ShapeError(f"{name}: {labels_arg} has shape {tuple(labels.shape)} for {logits_arg} of shape "
                         f"{(n, k)}; expected ({n},), one class index per row")
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= k:
        raise DimError(f"{name}: {labels_arg} range over [{low}, {high}]; expected indices in [0, {k - 1}] "
                       f"for {k} classes")
