"""Every core op: forward against NumPy, gradients against finite differences (first and second
order), on every device. The ops and their inputs are in op_cases.py; test_torch_parity.py
holds the comparison with torch on the CPU."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigan as mg
from minigan import backend

from .op_cases import CASES
from .strategies import numel
from .torch_parity import check_parity

DIFFERENTIABLE = [c for c in CASES if c.differentiable]


def as_tensors(arrays, device='cpu', dtype=np.float64, requires_grad=False):
    """Tensors that keep each array's layout (a transposed or strided view stays one on the CPU)."""
    return [mg.Tensor(backend.to_device(a.astype(dtype, copy=False), device), requires_grad=requires_grad)
            for a in arrays]


def closure(case, params):
    return lambda *xs: case.minigan(*xs, **params)


@pytest.mark.parametrize('case', CASES, ids=repr)
@given(data=st.data())
def test_forward_matches_numpy_in_float32(case, device, data):
    arrays, params = case.draw(data.draw)
    out = case.minigan(*as_tensors(arrays, device, np.float32), **params)
    expected = np.asarray(case.numpy(*arrays, **params))
    assert out.device == device
    assert out.shape == expected.shape
    if expected.dtype.kind == 'f':
        assert out.dtype == mg.float32, "ops keep their input's dtype"
        np.testing.assert_allclose(out.numpy(), expected, rtol=2e-5, atol=2e-6)
    else:
        np.testing.assert_array_equal(out.numpy(), expected)


@pytest.mark.parametrize('case', DIFFERENTIABLE, ids=repr)
@given(data=st.data())
def test_gradient_matches_finite_differences(case, device, data):
    arrays, params = case.draw(data.draw)
    assume(sum(numel(a.shape) for a in arrays) <= 80)
    xs = as_tensors(arrays, device, requires_grad=True)
    assert mg.gradcheck(closure(case, params), xs)


@pytest.mark.parametrize('case', DIFFERENTIABLE, ids=repr)
@settings(max_examples=12)
@given(data=st.data())
def test_second_derivatives_match_finite_differences(case, data):
    arrays, params = case.draw(data.draw)
    assume(sum(numel(a.shape) for a in arrays) <= 30)
    xs = as_tensors(arrays, requires_grad=True)
    assert mg.gradgradcheck(closure(case, params), xs)


@pytest.mark.parametrize('case', DIFFERENTIABLE, ids=repr)
@settings(max_examples=5)
@given(data=st.data())
def test_second_derivatives_on_cuda_match_torch(case, data):
    """On 'cuda' (a real GPU, or the strict stand-in that refuses host/device mixing) every op
    gives torch's values, gradients and second derivatives, as on the CPU."""
    torch = pytest.importorskip('torch')
    arrays, params = case.draw(data.draw)
    check_parity(torch, closure(case, params), lambda *ts: case.torch(*ts, **params), arrays, device='cuda')
