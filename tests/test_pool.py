"""avg_pool2d, max_pool2d and adaptive_avg_pool2d: torch parity (forward, gradient, gradient of
gradient, float64, every device), finite differences to second order, torch's tie and NaN rules
for max, and clear errors."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigan as mg
import minigan.functional as F
from minigan.ops.im2col import out_size

from .torch_parity import check_parity


@st.composite
def pool_cases(draw, dilation=False):
    """(input shape, kwargs) for a tiny pool whose output has at least one pixel."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.sampled_from([None, (1, 1), (2, 1), (2, 3)]))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = tuple(max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 3))
                 for k, d, p in zip(kernel, dil, padding))
    kwargs = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=draw(st.booleans()))
    # torch reads out of bounds (heap corruption) when a dilated window misses the image entirely
    assume(all(_every_window_sees_the_image(n, k, s, p, d, kwargs['ceil_mode'])
               for n, k, s, p, d in zip(size, kernel, stride or kernel, padding, dil)))
    if dilation:
        kwargs['dilation'] = dil
    return (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + size, kwargs


def _every_window_sees_the_image(n, k, s, p, d, ceil_mode):
    out = out_size(n, k, s, p, p, d, ceil_mode)
    return all(any(0 <= o * s - p + i * d < n for i in range(k)) for o in range(out))


def random_array(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


@given(case=pool_cases(), seed=st.integers(0, 2 ** 16), include=st.booleans(),
       override=st.sampled_from([None, None, 3]))
def test_avg_pool2d_matches_torch(device, case, seed, include, override):
    torch = pytest.importorskip('torch')
    shape, kw = case
    kw = dict(kw, count_include_pad=include, divisor_override=override)
    check_parity(torch, lambda x: F.avg_pool2d(x, **kw), lambda x: torch.nn.functional.avg_pool2d(x, **kw),
                 [random_array(seed, shape)], device=device)


@given(case=pool_cases(dilation=True), seed=st.integers(0, 2 ** 16))
def test_max_pool2d_matches_torch(device, case, seed):
    torch = pytest.importorskip('torch')
    shape, kw = case
    check_parity(torch, lambda x: F.max_pool2d(x, **kw), lambda x: torch.nn.functional.max_pool2d(x, **kw),
                 [random_array(seed, shape)], device=device)


@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 7), st.integers(1, 7)),
       out=st.tuples(st.integers(1, 5), st.one_of(st.none(), st.integers(1, 5))), seed=st.integers(0, 2 ** 16))
def test_adaptive_avg_pool2d_matches_torch(device, shape, out, seed):
    torch = pytest.importorskip('torch')
    check_parity(torch, lambda x: F.adaptive_avg_pool2d(x, out),
                 lambda x: torch.nn.functional.adaptive_avg_pool2d(x, out), [random_array(seed, shape)], device=device)


@settings(max_examples=10)
@given(case=pool_cases(dilation=True), seed=st.integers(0, 2 ** 16))
def test_max_pool2d_gradients_first_and_second_order(case, seed):
    shape, kw = case
    x = mg.tensor(random_array(seed, shape), requires_grad=True)
    assert mg.gradcheck(lambda x: F.max_pool2d(x, **kw), [x])
    assert mg.gradgradcheck(lambda x: F.max_pool2d(x, **kw) ** 2, [x])


@settings(max_examples=10)
@given(case=pool_cases(), seed=st.integers(0, 2 ** 16), include=st.booleans())
def test_avg_pools_gradients_first_and_second_order(case, seed, include):
    shape, kw = case
    x = mg.tensor(random_array(seed, shape), requires_grad=True)
    assert mg.gradgradcheck(lambda x: F.avg_pool2d(x, count_include_pad=include, **kw) ** 2, [x])
    assert mg.gradgradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 3)) ** 2, [x])


def test_max_pool2d_ties_go_to_the_first_maximum_and_nan_wins():
    torch = pytest.importorskip('torch')
    x = np.array([[[[1., 3., 3., 0.], [3., 2., 1., 3.], [0., 0., 0., 0.], [0., 0., 0., 0.]]]])
    x[0, 0, 3, 2] = np.nan
    xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ym, yt = F.max_pool2d(xm, 2, 1), torch.nn.functional.max_pool2d(xt, 2, 1)
    np.testing.assert_array_equal(ym.numpy(), yt.detach().numpy())
    ym.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(xm.grad.numpy(), xt.grad.numpy())


def test_unbatched_and_float32():
    x = mg.randn(3, 6, 6)
    for y in (F.avg_pool2d(x, 2), F.max_pool2d(x, 2), F.adaptive_avg_pool2d(x, 3)):
        assert y.shape == (3, 3, 3) and y.dtype == mg.float32
    np.testing.assert_allclose(F.max_pool2d(x, 2).numpy(), F.max_pool2d(x.unsqueeze(0), 2).numpy()[0])


@pytest.mark.parametrize('call, message', [
    (lambda: F.max_pool2d(mg.randn(1, 1, 4, 4), 3, padding=2), r'max_pool2d: padding \(2, 2\) must be at most half'),
    (lambda: F.avg_pool2d(mg.randn(1, 1, 4, 4), 2, padding=2), r'avg_pool2d: padding \(2, 2\) must be at most half'),
    (lambda: F.max_pool2d(mg.randn(1, 1, 3, 3), 4), r'max_pool2d: input of shape \(1, 1, 3, 3\) is too small'),
    (lambda: F.avg_pool2d(mg.randn(1, 1, 3, 3), 0), r'avg_pool2d: kernel_size must be >= 1'),
    (lambda: F.avg_pool2d(mg.randn(1, 1, 3, 3), 2, divisor_override=0), r'avg_pool2d: divisor_override'),
    (lambda: F.adaptive_avg_pool2d(mg.randn(1, 1, 3, 3), 0), r'adaptive_avg_pool2d: output_size'),
    (lambda: F.max_pool2d(mg.randn(3, 3), 2), r'max_pool2d: expected a 3-D .* or 4-D'),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
