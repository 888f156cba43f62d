"""interpolate ('nearest', 'bilinear' with align_corners True/False, 'area'): torch parity of
forward, gradient and gradient of gradient (float64, every device) over sizes and scale factors,
finite differences to second order, and clear errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigan as mg
import minigan.functional as F

from .torch_parity import check_parity

SHAPES = st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 6), st.integers(1, 6))
SIZES = st.tuples(st.integers(1, 9), st.integers(1, 9))
SCALES = st.one_of(st.sampled_from([2, 3, 0.5, 1.5, (2, 1), (1.7, 0.6)]),
                   st.tuples(st.floats(0.5, 3.0), st.floats(0.5, 3.0)))


@st.composite
def resize_args(draw):
    """(input shape, kwargs) with either a size or a scale factor, for every supported mode."""
    shape = draw(SHAPES)
    mode = draw(st.sampled_from(['nearest', 'bilinear', 'area']))
    kw = dict(mode=mode)
    if draw(st.booleans()):
        kw['size'] = draw(SIZES)
    else:
        scale = draw(SCALES)
        pairs = scale if isinstance(scale, tuple) else (scale, scale)
        if any(int(n * s) < 1 for n, s in zip(shape[2:], pairs)):
            scale = 2
        kw['scale_factor'] = scale
        kw['recompute_scale_factor'] = draw(st.sampled_from([None, True]))
    if mode == 'bilinear':
        kw['align_corners'] = draw(st.sampled_from([None, True, False]))
    return shape, kw


@given(args=resize_args(), seed=st.integers(0, 2 ** 16))
def test_interpolate_matches_torch(device, args, seed):
    torch = pytest.importorskip('torch')
    shape, kw = args
    x = np.random.default_rng(seed).standard_normal(shape)
    check_parity(torch, lambda x: F.interpolate(x, **kw), lambda x: torch.nn.functional.interpolate(x, **kw),
                 [x], device=device)


@pytest.mark.parametrize('n_in, n_out', [(3, 5), (5, 3), (7, 10), (10, 7), (13, 29), (29, 13), (6, 17)])
def test_nearest_indices_match_torch_bit_for_bit(n_in, n_out):
    """Sizes whose float32 coordinates land next to integers (torch floors them in float32)."""
    torch = pytest.importorskip('torch')
    x = np.arange(n_in * n_in, dtype=np.float64).reshape(1, 1, n_in, n_in)
    for kw in (dict(size=(n_out, n_out)), dict(scale_factor=n_out / n_in)):
        np.testing.assert_array_equal(F.interpolate(mg.tensor(x), **kw).numpy(),
                                      torch.nn.functional.interpolate(torch.tensor(x), **kw).numpy())


@settings(max_examples=10)
@given(args=resize_args(), seed=st.integers(0, 2 ** 16))
def test_interpolate_gradients_first_and_second_order(args, seed):
    shape, kw = args
    x = mg.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)
    assert mg.gradcheck(lambda x: F.interpolate(x, **kw), [x])
    assert mg.gradgradcheck(lambda x: F.interpolate(x, **kw) ** 2, [x])


def test_float32_stays_float32():
    y = F.interpolate(mg.randn(1, 2, 3, 3), scale_factor=2, mode='bilinear')
    assert y.dtype == mg.float32 and y.shape == (1, 2, 6, 6)
    assert F.interpolate(mg.randn(1, 2, 3, 3), size=(4, 5)).dtype == mg.float32


@pytest.mark.parametrize('kw, message', [
    (dict(), r'interpolate: give exactly one of size and scale_factor'),
    (dict(size=4, scale_factor=2), r'interpolate: give exactly one of size and scale_factor'),
    (dict(scale_factor=2, mode='bicubic'), r"interpolate: mode 'bicubic' is not supported"),
    (dict(scale_factor=2, align_corners=True), r'interpolate: align_corners can only be set'),
    (dict(scale_factor=0.1), r'interpolate: the output size \(0, 0\) must be positive'),
    (dict(size=(1, 2, 3)), r'interpolate: size must be a number or a pair'),
])
def test_bad_arguments_raise_clear_errors(kw, message):
    with pytest.raises(ValueError, match=message):
        F.interpolate(mg.randn(1, 1, 4, 4), **kw)


def test_unbatched_input_is_refused():
    with pytest.raises(ValueError, match=r'interpolate: expected a 4-D \(N, C, H, W\) input, got shape \(1, 4, 4\)'):
        F.interpolate(mg.randn(1, 4, 4), scale_factor=2)
