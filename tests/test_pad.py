"""F.pad in modes constant, reflect and replicate: torch parity of forward, gradient and gradient
of gradient (float64, every device), finite differences to second order, and torch's rules."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigan as mg
import minigan.functional as F

from .torch_parity import check_parity


@st.composite
def pad_cases(draw):
    """(input shape, pad tuple, mode) inside torch's rules: 1-3 padded dims, reflect < size."""
    mode = draw(st.sampled_from(['constant', 'reflect', 'replicate']))
    dims = draw(st.integers(1, 2))
    shape = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(1, 2)))) + \
        tuple(draw(st.integers(1, 5)) for _ in range(dims))
    pad = []
    for n in reversed(shape[-dims:]):
        top = n - 1 if mode == 'reflect' else 4
        pad += [draw(st.integers(0, top)), draw(st.integers(0, top))]
    return shape, tuple(pad), mode


@given(case=pad_cases(), seed=st.integers(0, 2 ** 16))
def test_pad_matches_torch(device, case, seed):
    torch = pytest.importorskip('torch')
    shape, pad, mode = case
    x = np.random.default_rng(seed).standard_normal(shape)
    check_parity(torch, lambda x: F.pad(x, pad, mode), lambda x: torch.nn.functional.pad(x, pad, mode),
                 [x], device=device)


@settings(max_examples=10)
@given(case=pad_cases(), seed=st.integers(0, 2 ** 16))
def test_pad_gradients_first_and_second_order(case, seed):
    shape, pad, mode = case
    x = mg.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)
    assert mg.gradcheck(lambda x: F.pad(x, pad, mode), [x])
    assert mg.gradgradcheck(lambda x: F.pad(x, pad, mode) ** 2, [x])


def test_constant_value_and_three_padded_dims():
    x = mg.randn(1, 2, 3, 4)
    y = F.pad(x, (1, 0, 0, 2), value=7.0)
    assert y.shape == (1, 2, 5, 5) and float(y[0, 0, 4, 0]) == 7.0
    assert F.pad(x, (1, 1, 1, 1, 1, 1), mode='replicate').shape == (1, 4, 5, 6)
    assert F.pad(x[0], (1, 1), mode='reflect').dtype == mg.float32


@pytest.mark.parametrize('call, message', [
    (lambda x: F.pad(x, (3, 3, 1, 1), mode='reflect'), r'pad: reflect padding \(3, 3\) of dim 3 must be less than its size 3'),
    (lambda x: F.pad(x, (1, 1, 1)), r'pad: the padding length must be divisible by 2'),
    (lambda x: F.pad(x, (1,) * 10), r'pad: the padding length must be at most twice'),
    (lambda x: F.pad(x, (1, 1), mode='circular'), r"pad: unsupported padding mode 'circular'"),
    (lambda x: F.pad(x, (1, 1), mode='reflect', value=1.0), r"pad: padding mode 'reflect' does not take a value"),
    (lambda x: F.pad(x, (1, 1), mode='replicate'), r"pad: mode 'replicate' with 2 pad values needs a 2-D or 3-D input"),
    (lambda x: F.pad(x, (-1, 1, 0, 0), mode='replicate'), r'pad: negative padding'),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call(mg.randn(1, 2, 3, 3))


def test_pad_must_be_ints():
    with pytest.raises(TypeError, match='pad: pad must be a tuple of ints'):
        F.pad(mg.randn(1, 2, 3, 3), (1.5, 1))
