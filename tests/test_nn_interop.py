"""Weights move between minigan and PyTorch: the same DCGAN in both computes the same outputs,
gradients, BatchNorm statistics and Adam updates (float64, rtol 1e-6)."""
import numpy as np
import pytest

import minigan as mg

torch = pytest.importorskip('torch')

NZ, NGF, NDF, NC, BATCH = 8, 4, 4, 3, 4
RTOL, ATOL = 1e-6, 1e-9


def generator(n):
    """DCGAN's generator (Radford et al. 2016), scaled down: z (N, NZ, 1, 1) -> image (N, 3, 32, 32)."""
    return n.Sequential(
        n.ConvTranspose2d(NZ, NGF * 4, 4, 1, 0, bias=False), n.BatchNorm2d(NGF * 4), n.ReLU(True),
        n.ConvTranspose2d(NGF * 4, NGF * 2, 4, 2, 1, bias=False), n.BatchNorm2d(NGF * 2), n.ReLU(True),
        n.ConvTranspose2d(NGF * 2, NGF, 4, 2, 1, bias=False), n.BatchNorm2d(NGF), n.ReLU(True),
        n.ConvTranspose2d(NGF, NC, 4, 2, 1, bias=False), n.Tanh(),
    )


def discriminator(n, head='conv'):
    """DCGAN's discriminator, with its all-convolutional head or a Flatten + Linear one."""
    out = ([n.Conv2d(NDF * 4, 1, 4, 1, 0, bias=False), n.Flatten(), n.Sigmoid()] if head == 'conv'
           else [n.Flatten(), n.Linear(NDF * 4 * 16, 1)])
    return n.Sequential(
        n.Conv2d(NC, NDF, 4, 2, 1, bias=False), n.LeakyReLU(0.2, inplace=True),
        n.Conv2d(NDF, NDF * 2, 4, 2, 1, bias=False), n.BatchNorm2d(NDF * 2), n.LeakyReLU(0.2, inplace=True),
        n.Conv2d(NDF * 2, NDF * 4, 4, 2, 1, bias=False), n.BatchNorm2d(NDF * 4), n.LeakyReLU(0.2, inplace=True),
        *out,
    )


MODELS = {
    'G': (generator, (BATCH, NZ, 1, 1)),
    'D-conv': (lambda n: discriminator(n, 'conv'), (BATCH, NC, 32, 32)),
    'D-linear': (lambda n: discriminator(n, 'linear'), (BATCH, NC, 32, 32)),
}


def to_torch(state):
    return {k: torch.tensor(v.numpy()) for k, v in state.items()}


def to_minigan(state):
    return {k: v.detach().numpy() for k, v in state.items()}


def make_pair(build, source):
    """Both models in float64, holding the weights initialized by ``source``."""
    ours, theirs = build(mg.nn).double(), build(torch.nn).double()
    if source == 'minigan':
        theirs.load_state_dict(to_torch(ours.state_dict()))
    else:
        ours.load_state_dict(to_minigan(theirs.state_dict()))
    return ours, theirs


def assert_states_equal(ours, theirs):
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b)
    for k in a:
        np.testing.assert_allclose(a[k].numpy(), b[k].numpy(), rtol=RTOL, atol=ATOL, err_msg=k)


@pytest.mark.parametrize('mode', ['train', 'eval'])
@pytest.mark.parametrize('source', ['minigan', 'torch'])
@pytest.mark.parametrize('name', MODELS)
def test_outputs_gradients_and_batchnorm_statistics_match(name, source, mode):
    build, shape = MODELS[name]
    ours, theirs = make_pair(build, source)
    if mode == 'eval':  # non-trivial running statistics first, so eval mode has something to use
        with torch.no_grad():
            for m in theirs.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.5, 0.5)
                    m.running_var.uniform_(0.5, 2.0)
        ours.load_state_dict(to_minigan(theirs.state_dict()))
    getattr(ours, mode)()
    getattr(theirs, mode)()
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape)
    x_ours, x_torch = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y_ours, y_torch = ours(x_ours), theirs(x_torch)
    np.testing.assert_allclose(y_ours.numpy(), y_torch.detach().numpy(), rtol=RTOL, atol=ATOL)
    g = rng.standard_normal(tuple(y_torch.shape))
    (y_ours * mg.tensor(g)).sum().backward()
    (y_torch * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(x_ours.grad.numpy(), x_torch.grad.numpy(), rtol=RTOL, atol=ATOL)
    theirs_params = dict(theirs.named_parameters())
    for k, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_params[k].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=k)
    assert_states_equal(ours, theirs)  # running statistics (train) or untouched ones (eval)


def bce(p, target, lib):
    """Binary cross-entropy of probabilities, written in each library's own ops."""
    return -(target * lib.log(p) + (1 - target) * lib.log(1 - p)).mean()


def test_three_dcgan_training_steps_with_adam_match():
    (G, tG), (D, tD) = make_pair(generator, 'minigan'), make_pair(lambda n: discriminator(n, 'conv'), 'torch')
    opts = [mg.optim.Adam(m.parameters(), lr=2e-4, betas=(0.5, 0.999)) for m in (G, D)]
    topts = [torch.optim.Adam(m.parameters(), lr=2e-4, betas=(0.5, 0.999)) for m in (tG, tD)]
    rng = np.random.default_rng(0)
    for _ in range(3):
        real = np.tanh(rng.standard_normal((BATCH, NC, 32, 32)))
        z = rng.standard_normal((BATCH, NZ, 1, 1))
        for lib, (g, d), (opt_g, opt_d), T in ((mg, (G, D), opts, mg.tensor), (torch, (tG, tD), topts, torch.tensor)):
            # D step: real -> 1, G(z) -> 0 (G's output detached); then G step: D(G(z)) -> 1
            opt_d.zero_grad()
            fake = g(T(z))
            loss_d = bce(d(T(real)), 1.0, lib) + bce(d(fake.detach()), 0.0, lib)
            loss_d.backward()
            opt_d.step()
            opt_g.zero_grad()
            bce(d(fake), 1.0, lib).backward()
            opt_g.step()
    assert_states_equal(G, tG)
    assert_states_equal(D, tD)
