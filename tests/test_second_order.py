"""Second derivatives through linear and piecewise-linear ops match torch's: values, which are
None, which gradients require grad (tests/second_order_cases.py), on every device; and the
WGAN-GP penalty's gradient in the interpolated input, which is 0 (not an error) through a
conv -> leaky_relu -> linear critic."""
import numpy as np
import pytest

import minigan as mg
import minigan.functional as F

from .second_order_cases import CASES
from .torch_parity import check_each_second_derivative

torch = pytest.importorskip('torch')


@pytest.mark.parametrize('case', CASES, ids=repr)
def test_second_derivatives_match_torch(case, device):
    arrays, constants = case.draw()
    differentiable = case.differentiable or [True] * len(arrays)
    check_each_second_derivative(torch, case.minigan, case.torch, arrays, device, differentiable, constants)


def _critic(F_, x, w, b, lw, lb):
    h = F_.leaky_relu(F_.conv2d(x, w, b, stride=2), 0.2)
    return F_.linear(h.reshape(h.shape[0], -1), lw, lb)


def test_wgan_gp_penalty_gradient_in_the_interpolate_is_zero_as_torch(device):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in [(3, 2, 6, 6), (4, 2, 3, 3), (4,), (1, 16), (1,)]]
    results = []
    for lib, F_, grad, make in [
            ('minigan', F, mg.grad, lambda a: mg.tensor(a, device=device, requires_grad=True)),
            ('torch', torch.nn.functional, torch.autograd.grad, lambda a: torch.tensor(a, requires_grad=True))]:
        x_hat, *params = [make(a) for a in arrays]
        (g,) = grad(_critic(F_, x_hat, *params).sum(), x_hat, create_graph=True)
        penalty = ((g.reshape(3, -1).norm(dim=1) - 1) ** 2).mean()
        grads = grad(penalty, [x_hat] + params, allow_unused=True)
        results.append([None if t is None else np.asarray(t.numpy() if lib == 'minigan' else t.detach().numpy())
                        for t in grads])
    mine, theirs = results
    assert [t is None for t in mine] == [t is None for t in theirs] == [False, False, False, False, True]
    assert not mine[0].any() and not mine[2].any()  # x_hat and the conv bias: zeros, not None
    for a, b in zip(mine, theirs):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-10)
