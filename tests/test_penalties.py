"""The gradient penalties (WGAN-GP, R1): closed forms for linear and quadratic critics, ε drawn per
sample from minigan's generator, the norm's safety at g = 0, and, through a small conv critic
(conv -> leaky_relu -> layer / instance norm -> linear), second-order gradient checks and the
same penalty and critic-weight gradients as torch."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigan as mg
import minigan.functional as F
from minigan import losses, nn

fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
batch_shapes = st.sampled_from([(3, 4), (2, 1, 3, 3), (4, 2, 2)])


def on(device, array, requires_grad=False):
    return mg.tensor(array, dtype=mg.float64, device=device, requires_grad=requires_grad)


def linear_critic(w, b=0.5):
    """D(x) = <w, x> + b per sample: its input gradient is w everywhere."""
    return lambda x: (x.reshape(x.shape[0], -1) * w).sum(1) + b


# ----------------------------------------------------------------------------- closed forms
@fixture_ok
@given(shape=batch_shapes, seed=st.integers(0, 2 ** 31), norm=st.floats(0.0, 3.0))
def test_gradient_penalty_of_a_linear_critic_is_weight_times_norm_minus_one_squared(shape, seed, norm, device):
    """∇D = w at every x̂, so the penalty is weight·(‖w‖ − 1)²: 0 exactly when ‖w‖ = 1."""
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=int(np.prod(shape[1:])))
    w = on(device, norm * direction / np.linalg.norm(direction))
    real, fake = on(device, rng.normal(size=shape)), on(device, rng.normal(size=shape))
    penalty = losses.gradient_penalty(linear_critic(w), real, fake, weight=7.0).item()
    # ‖w‖ itself is known to a few ulps (~1e-15 relative), so (‖w‖ - 1)² is uncertain by about
    # 2 |‖w‖ - 1| · 1e-15: relative 2e-11 at norm = 0.9999, beyond rel=1e-12 alone
    rounding = 7.0 * 2 * abs(norm - 1) * 1e-15
    assert penalty == pytest.approx(7.0 * (norm - 1) ** 2, rel=1e-12, abs=rounding + 1e-24)
    assert penalty > 0 or abs(norm - 1) < 1e-7
    unit = on(device, direction / np.linalg.norm(direction))
    assert losses.gradient_penalty(linear_critic(unit), real, fake).item() == pytest.approx(0, abs=1e-24)


@fixture_ok
@given(shape=batch_shapes, seed=st.integers(0, 2 ** 31))
def test_r1_of_a_linear_critic_is_half_gamma_times_the_squared_norm(shape, seed, device):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=int(np.prod(shape[1:])))
    penalty = losses.r1_penalty(linear_critic(on(device, w)), on(device, rng.normal(size=shape)), gamma=3.0)
    assert penalty.item() == pytest.approx(1.5 * np.sum(w ** 2), rel=1e-12)


def quadratic_critic(x):
    """D(x) = ½‖x‖² per sample: its input gradient is x itself, so ‖∇D(x̂)‖ = ‖x̂‖."""
    return 0.5 * (x * x).reshape(x.shape[0], -1).sum(1)


def expected_gp_of_quadratic_critic(real, fake, eps, weight):
    """weight · mean_n (‖ε_n x_n + (1 − ε_n) x̃_n‖ − 1)², in NumPy."""
    eps = eps.reshape((-1,) + (1,) * (real.ndim - 1))
    x_hat = (eps * real + (1 - eps) * fake).reshape(len(real), -1)
    return weight * np.mean((np.linalg.norm(x_hat, axis=1) - 1) ** 2)


@fixture_ok
@given(shape=batch_shapes, seed=st.integers(0, 2 ** 31))
def test_epsilon_is_one_uniform_per_sample_from_minigans_generator(shape, seed, device):
    rng = np.random.default_rng(seed)
    real, fake = rng.normal(size=shape), rng.normal(size=shape)
    args = (quadratic_critic, on(device, real), on(device, fake))

    mg.manual_seed(seed)
    drawn = losses.gradient_penalty(*args, weight=2.0)
    assert drawn.device == device
    mg.manual_seed(seed)  # the same stream: ε must be one rand draw of shape (N, 1, ..., 1)
    eps = mg.rand(shape[0], *(1,) * (len(shape) - 1), dtype=mg.float64).numpy()
    expected = expected_gp_of_quadratic_critic(real, fake, eps, 2.0)
    assert drawn.item() == pytest.approx(expected, rel=1e-12)
    assert losses.gradient_penalty(*args, weight=2.0).item() != drawn.item(), "the stream moves on"

    given_eps = rng.uniform(size=shape[0])
    for epsilon in (on(device, given_eps), on(device, given_eps).reshape(-1, *(1,) * (len(shape) - 1))):
        penalty = losses.gradient_penalty(*args, weight=2.0, epsilon=epsilon)
        assert penalty.item() == pytest.approx(expected_gp_of_quadratic_critic(real, fake, given_eps, 2.0),
                                               rel=1e-12)
    same_eps = losses.gradient_penalty(*args, weight=2.0, epsilon=0.25).item()
    assert same_eps == pytest.approx(expected_gp_of_quadratic_critic(real, fake, np.full(shape[0], 0.25), 2.0),
                                     rel=1e-12)


def test_gradient_descent_on_the_penalty_makes_a_linear_critic_1_lipschitz():
    """The penalty's gradient reaches the critic's weights (create_graph=True): descending it alone
    drives ‖w‖ to 1, where the linear critic is exactly 1-Lipschitz."""
    w = mg.tensor([2.0, -1.0, 2.0], dtype=mg.float64, requires_grad=True)  # ‖w‖ = 3
    real, fake = mg.randn(8, 3, dtype=mg.float64), mg.randn(8, 3, dtype=mg.float64)
    opt = mg.optim.SGD([w], lr=0.01)
    for _ in range(120):
        opt.zero_grad()
        losses.gradient_penalty(linear_critic(w), real, fake).backward()
        opt.step()
    assert np.linalg.norm(w.numpy()) == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(w.numpy() / np.linalg.norm(w.numpy()), np.array([2, -1, 2]) / 3, rtol=1e-12)


# ----------------------------------------------------------------------------- safe at g = 0
def relu_critic(w, lib):
    return lambda x: lib.relu((x * w).sum(1))


def test_the_norm_is_safe_where_the_input_gradient_is_zero(device):
    """Samples where D is flat (a dead relu, or D ignoring x) have g = 0: their term is weight·1,
    and every gradient stays finite -- the same values and gradients as torch's norm, which
    defines its gradient at 0 as 0."""
    torch = pytest.importorskip('torch')
    w = np.array([1.0, -2.0, 0.5])
    real = np.array([[1.0, 0.0, 0.0], [-1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])  # scores > 0, < 0, = 0
    fake = real.copy()
    wm, rm, fm = on(device, w, True), on(device, real, True), on(device, fake, True)
    penalty = losses.gradient_penalty(relu_critic(wm, F), rm, fm, epsilon=0.5)
    # relu's input gradient is piecewise constant in x: no graph path from g back to real/fake
    grads = [np.zeros_like(a) if g is None else g.numpy()
             for g, a in zip(mg.grad(penalty, [wm, rm, fm], allow_unused=True), (w, real, fake))]

    wt, rt, ft = (torch.tensor(a, requires_grad=True) for a in (w, real, fake))
    x_hat = 0.5 * rt + 0.5 * ft
    (g,) = torch.autograd.grad(relu_critic(wt, torch)(x_hat).sum(), x_hat, create_graph=True)
    expected = 10.0 * ((g.norm(2, dim=1) - 1) ** 2).mean()
    expected_grads = torch.autograd.grad(expected, [wt, rt, ft])
    # sample 0 has ‖g‖ = ‖w‖; samples 1 and 2 have g = 0 and contribute 10·1 each
    assert penalty.item() == pytest.approx(10 * ((np.linalg.norm(w) - 1) ** 2 + 2) / 3, rel=1e-12)
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-12)
    for ours, theirs in zip(grads, expected_grads):
        assert np.isfinite(ours).all()
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-15)

    flat = losses.gradient_penalty(lambda x: (x * 0.0).sum(1) + wm.sum(), rm, fm, weight=3.0)
    assert flat.item() == 3.0  # every sample: weight · (0 − 1)²; constant in w, so nothing to train
    if flat.requires_grad:
        (gw,) = mg.grad(flat, wm, allow_unused=True)
        assert gw is None or np.all(gw.numpy() == 0)


# ----------------------------------------------------------------------------- through a conv critic
def conv_critic(lib, w1, b1, w2, b2):
    """conv 3x3 -> leaky_relu(0.2) -> layer norm over (C, H, W) -> linear to one score per sample."""
    def critic(x):
        h = lib.leaky_relu(lib.conv2d(x, w1, b1), 0.2)
        h = lib.layer_norm(h, tuple(h.shape[1:]))
        return lib.linear(h.reshape(h.shape[0], -1), w2, b2)
    return critic


def conv_critic_arrays(seed, n=2, size=4):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(2, 1, 3, 3)), rng.normal(size=2),
               rng.normal(size=(1, 2 * (size - 2) ** 2)), rng.normal(size=1)]
    real, fake = rng.normal(size=(n, 1, size, size)), rng.normal(size=(n, 1, size, size))
    return weights, real, fake, rng.uniform(size=n)


def penalty_fn(kind, lib, eps):
    """(w1, b1, w2, b2, real, fake) -> the penalty, with a fixed ε (gradcheck calls it many times)."""
    if kind == 'gradient_penalty':
        return lambda w1, b1, w2, b2, real, fake: losses.gradient_penalty(
            conv_critic(lib, w1, b1, w2, b2), real, fake, epsilon=eps)
    return lambda w1, b1, w2, b2, real, fake: losses.r1_penalty(conv_critic(lib, w1, b1, w2, b2), real)


def torch_penalty(torch, kind, w1, b1, w2, b2, real, fake, eps):
    """The same penalty written directly in torch (create_graph=True, torch's own norm)."""
    critic = conv_critic(torch.nn.functional, w1, b1, w2, b2)
    x = eps.reshape(-1, 1, 1, 1) * real + (1 - eps.reshape(-1, 1, 1, 1)) * fake if kind == 'gradient_penalty' else real
    (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    g = g.reshape(len(g), -1)
    if kind == 'gradient_penalty':
        return 10.0 * ((g.norm(2, dim=1) - 1) ** 2).mean()
    return 10.0 / 2 * (g ** 2).sum(1).mean()


PENALTIES = ['gradient_penalty', 'r1_penalty']


@pytest.mark.parametrize('kind', PENALTIES)
def test_second_derivatives_through_a_conv_critic(kind):
    """gradgradcheck w.r.t. the critic's weights and the inputs: the penalty's own gradient
    involves D's second derivatives, so this checks D's third (float64 finite differences)."""
    weights, real, fake, eps = conv_critic_arrays(seed=1)
    xs = [on('cpu', a, True) for a in weights + [real, fake]]
    fn = penalty_fn(kind, F, on('cpu', eps))
    if kind == 'r1_penalty':
        xs[-1].requires_grad_(False)  # R1 never sees the fakes
    assert mg.gradcheck(fn, xs)
    assert mg.gradgradcheck(fn, xs)


@pytest.mark.parametrize('kind', PENALTIES)
@pytest.mark.parametrize('seed', [2, 3])
def test_conv_critic_penalty_and_weight_gradients_match_torch(kind, seed, device):
    torch = pytest.importorskip('torch')
    weights, real, fake, eps = conv_critic_arrays(seed, n=3, size=5)
    arrays = weights + [real, fake]
    xs = [on(device, a, True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours = penalty_fn(kind, F, on(device, eps))(*xs)
    theirs = torch_penalty(torch, kind, *ts, torch.tensor(eps))
    assert ours.device == device
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)
    inputs = slice(0, 6) if kind == 'gradient_penalty' else slice(0, 5)  # R1 never sees the fakes
    ours_g = mg.grad(ours, xs[inputs], allow_unused=True)
    theirs_g = torch.autograd.grad(theirs, ts[inputs], allow_unused=True)
    for name, a, b in zip(['w1', 'b1', 'w2', 'b2', 'real', 'fake'], ours_g, theirs_g):
        if name == 'b2':  # the output bias shifts every score alike: it never reaches ∇ₓD
            assert a is None and b is None
            continue
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-12, err_msg=name)


def test_nn_module_critic_trains_like_torchs_under_the_penalty():
    """An nn critic with instance norm: after penalty.backward() every parameter's .grad is torch's."""
    torch = pytest.importorskip('torch')
    mg.manual_seed(0)
    critic = nn.Sequential(nn.Conv2d(1, 2, 3), nn.LeakyReLU(0.2), nn.InstanceNorm2d(2, affine=True),
                           nn.Flatten(), nn.Linear(2 * 3 * 3, 1)).to(dtype=mg.float64)
    twin = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.LeakyReLU(0.2),
                               torch.nn.InstanceNorm2d(2, affine=True), torch.nn.Flatten(),
                               torch.nn.Linear(2 * 3 * 3, 1)).double()
    rng = np.random.default_rng(4)
    with torch.no_grad():
        for name, p in twin.named_parameters():
            p.copy_(torch.tensor(rng.normal(size=tuple(p.shape))))
    critic.load_state_dict({k: mg.tensor(v.detach().numpy()) for k, v in twin.state_dict().items()})
    real, fake, eps = rng.normal(size=(3, 1, 5, 5)), rng.normal(size=(3, 1, 5, 5)), rng.uniform(size=3)

    penalty = losses.gradient_penalty(critic, on('cpu', real), on('cpu', fake), epsilon=on('cpu', eps))
    penalty.backward()
    e = torch.tensor(eps).reshape(-1, 1, 1, 1)
    x_hat = (e * torch.tensor(real) + (1 - e) * torch.tensor(fake)).requires_grad_(True)
    (g,) = torch.autograd.grad(twin(x_hat).sum(), x_hat, create_graph=True)
    expected = 10.0 * ((g.reshape(3, -1).norm(2, dim=1) - 1) ** 2).mean()
    expected.backward()
    np.testing.assert_allclose(penalty.item(), expected.item(), rtol=1e-6)
    params = dict(critic.named_parameters())
    for name, p in twin.named_parameters():
        # the output bias never reaches ∇ₓD: no gradient (None) on either side
        ours = np.zeros(tuple(p.shape)) if params[name].grad is None else params[name].grad.numpy()
        theirs = np.zeros(tuple(p.shape)) if p.grad is None else p.grad.numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12, err_msg=name)
    assert params['4.bias'].grad is None and np.abs(params['0.weight'].grad.numpy()).sum() > 0


# ----------------------------------------------------------------------------- grad modes and errors
def test_the_penalty_is_computed_under_no_grad_too():
    """Its value is a gradient, so it needs D's graph even when the caller records none."""
    w = mg.tensor([0.3, -0.4], dtype=mg.float64, requires_grad=True)  # ‖w‖ = 0.5
    real, fake = mg.randn(4, 2, dtype=mg.float64), mg.randn(4, 2, dtype=mg.float64)
    with mg.no_grad():
        gp = losses.gradient_penalty(linear_critic(w), real, fake)
        r1 = losses.r1_penalty(linear_critic(w), real)
    assert not gp.requires_grad and gp.item() == pytest.approx(10 * 0.25, rel=1e-12)
    assert not r1.requires_grad and r1.item() == pytest.approx(5 * 0.25, rel=1e-12)


@pytest.mark.parametrize('call, error, pattern', [
    (lambda: losses.gradient_penalty(quadratic_critic, mg.randn(4, 3), mg.randn(3, 3)), ValueError,
     r'gradient_penalty: real has shape \(4, 3\) and fake \(3, 3\); expected one shape'),
    (lambda: losses.gradient_penalty(quadratic_critic, mg.randn(4, 3), mg.randn(4, 3), epsilon=mg.rand(4, 3)),
     ValueError, r'gradient_penalty: epsilon \(4, 3\) for a batch of shape \(4, 3\); expected .*\(4,\) or \(4, 1\)'),
    (lambda: losses.gradient_penalty(quadratic_critic, mg.randn(4, 3), mg.randn(4, 3),
                                     epsilon=mg.rand(4, dtype=mg.float64)),
     TypeError, r'gradient_penalty: real is float32 .* but epsilon is float64'),
    (lambda: losses.r1_penalty(quadratic_critic, mg.tensor(1.0)), ValueError,
     r'r1_penalty: real is 0-d; expected a batch of shape \(N, ...\)'),
    (lambda: losses.r1_penalty(lambda x: mg.ones(4), mg.randn(4, 3)), RuntimeError,
     r'r1_penalty: critic\(x\) returned a Tensor that does not require grad'),
])
def test_bad_penalty_input_is_named_with_its_shapes(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()

