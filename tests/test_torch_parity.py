"""Every core op against PyTorch in float64: forward, gradient, and gradient of the gradient.

For inputs x and an output y = f(x) we compare y, g = d<y, v>/dx (random v), and
h = d<g, g>/dx (which needs the backward of the backward) -- all to rtol 1e-6.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigan as mg

from .op_cases import CASES
from .test_ops import as_tensors

torch = pytest.importorskip('torch')


def torch_derivatives(case, arrays, params, v):
    xs = [torch.tensor(a, dtype=torch.float64, requires_grad=case.differentiable) for a in arrays]
    out = case.torch(*xs, **params)
    if not case.differentiable:
        return [out.numpy()]
    firsts = torch.autograd.grad([(out * torch.tensor(v)).sum()], xs, create_graph=True, allow_unused=True)
    firsts = [g if g is not None else torch.zeros_like(x) for g, x in zip(firsts, xs)]
    s2 = sum((g * g).sum() for g in firsts)
    seconds = (torch.autograd.grad([s2], xs, allow_unused=True) if s2.requires_grad else [None] * len(xs))
    seconds = [g if g is not None else torch.zeros_like(x) for g, x in zip(seconds, xs)]
    return [t.detach().numpy(force=True) for t in [out] + firsts + seconds]  # force: ZeroTensors


def minigan_derivatives(case, arrays, params, v):
    xs = as_tensors(arrays, requires_grad=case.differentiable)
    out = case.minigan(*xs, **params)
    if not case.differentiable:
        return [out.numpy()]
    firsts = mg.grad([(out * mg.tensor(v)).sum()], xs, create_graph=True, allow_unused=True)
    firsts = [g if g is not None else mg.zeros_like(x) for g, x in zip(firsts, xs)]
    s2 = sum((g * g).sum() for g in firsts)
    seconds = mg.grad([s2], xs, allow_unused=True) if s2.requires_grad else [None] * len(xs)
    seconds = [g if g is not None else mg.zeros_like(x) for g, x in zip(seconds, xs)]
    return [t.numpy() for t in [out] + list(firsts) + list(seconds)]


@pytest.mark.parametrize('case', CASES, ids=repr)
@given(data=st.data())
def test_matches_torch(case, data):
    arrays, params = case.draw(data.draw)
    out_shape = np.asarray(case.numpy(*arrays, **params)).shape
    v = np.random.default_rng(7).standard_normal(out_shape)
    ours = minigan_derivatives(case, arrays, params, v)
    theirs = torch_derivatives(case, arrays, params, v)
    labels = ['forward'] + [f'gradient {i}' for i in range(len(arrays))] + \
        [f'second derivative {i}' for i in range(len(arrays))]
    for label, a, b in zip(labels, ours, theirs):
        assert a.shape == b.shape, f"{label}: shape {a.shape} vs torch {b.shape}"
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9, err_msg=label)
