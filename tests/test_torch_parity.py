"""Every core op against PyTorch in float64: forward, gradient, and gradient of the gradient
(rtol 1e-6), on the inputs op_cases.py draws."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .op_cases import CASES
from .torch_parity import check_parity

torch = pytest.importorskip('torch')


@pytest.mark.parametrize('case', CASES, ids=repr)
@given(data=st.data())
def test_matches_torch(case, data):
    arrays, params = case.draw(data.draw)
    check_parity(torch, lambda *xs: case.minigan(*xs, **params), lambda *ts: case.torch(*ts, **params),
                 arrays, differentiable=[case.differentiable] * len(arrays),
                 order=2 if case.differentiable else 0)
