"""conv2d and conv_transpose2d: forward against a direct loop, gradients against finite differences
(first and second order) and against torch (forward, gradient, gradient of gradient, in float64),
on every device; and the errors for bad shapes and arguments."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigan as mg
import minigan.functional as F
from minigan.ops import parallel

from .torch_parity import check_parity


# ----------------------------------------------------------------------------- cases
@st.composite
def conv_cases(draw, transposed=False):
    """A tiny random conv: (x shape, w shape, kwargs). Sizes keep the output >= 1 pixel."""
    groups = draw(st.sampled_from([1, 1, 2]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 1)))
    n = draw(st.integers(1, 2))
    if transposed:
        extra = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
        size = tuple(draw(st.integers(1, 4)) for _ in range(2))
        # the output (n - 1) s - 2p + d (k - 1) + e + 1 must be positive: trim padding if not
        padding = tuple(min(p, ((n_ - 1) * s + d * (k - 1) + e) // 2)
                        for p, n_, s, d, k, e in zip(padding, size, stride, dilation, kernel, extra))
        kwargs = dict(stride=stride, padding=padding, output_padding=extra, groups=groups, dilation=dilation)
        return (n, cin) + size, (cin, cout // groups) + kernel, cout, kwargs
    if stride == (1, 1) and draw(st.booleans()):
        padding = draw(st.sampled_from(['same', 'valid']))
    pads = (0, 0) if padding == 'valid' else (0, 0) if padding == 'same' else padding
    size = tuple(max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 3))
                 for d, k, p in zip(dilation, kernel, pads))
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return (n, cin) + size, (cout, cin // groups) + kernel, cout, kwargs


def random_arrays(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


# ----------------------------------------------------------------------------- a direct reference
def direct_conv2d(x, w, b, stride, padding, dilation, groups):
    """Textbook loops over output pixels and kernel offsets (independent of im2col)."""
    (sh, sw), (dh, dw) = stride, dilation
    (pt, pb, pl, pr) = padding
    N, C, H, W = x.shape
    O, cg, kh, kw = w.shape
    xp = np.zeros((N, C, H + pt + pb, W + pl + pr))
    xp[:, :, pt:pt + H, pl:pl + W] = x
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((N, O, oh, ow)) + (0 if b is None else b[None, :, None, None])
    og = O // groups
    for o in range(O):
        g = o // og
        for i in range(oh):
            for j in range(ow):
                patch = xp[:, g * cg:(g + 1) * cg, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                           j * sw:j * sw + dw * (kw - 1) + 1:dw]
                y[:, o, i, j] += (patch * w[o]).sum(axis=(1, 2, 3))
    return y


def direct_conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation):
    """Every input pixel scatters its weighted kernel into the (uncropped) output, then crop."""
    (sh, sw), (dh, dw), (ph, pw), (eh, ew) = stride, dilation, padding, output_padding
    N, C, H, W = x.shape
    _, og, kh, kw = w.shape
    cg = C // groups
    full = np.zeros((N, og * groups, (H - 1) * sh + dh * (kh - 1) + 1 + eh, (W - 1) * sw + dw * (kw - 1) + 1 + ew))
    for c in range(C):
        g = c // cg
        for i in range(H):
            for j in range(W):
                full[:, g * og:(g + 1) * og, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                     j * sw:j * sw + dw * (kw - 1) + 1:dw] += x[:, c, i, j][:, None, None, None] * w[c]
    out = full[:, :, ph:full.shape[2] - ph, pw:full.shape[3] - pw]
    return out + (0 if b is None else b[None, :, None, None])


def _pads(kwargs, w_shape):
    p = kwargs['padding']
    if p == 'valid':
        return (0, 0, 0, 0)
    if p == 'same':
        t = [d * (k - 1) for d, k in zip(kwargs['dilation'], w_shape[2:])]
        return (t[0] // 2, t[0] - t[0] // 2, t[1] // 2, t[1] - t[1] // 2)
    return (p[0], p[0], p[1], p[1])


@given(case=conv_cases(), seed=st.integers(0, 2 ** 16), bias=st.booleans())
def test_conv2d_forward_matches_direct_loops(case, seed, bias):
    xs, ws, cout, kw = case
    x, w, b = random_arrays(seed, xs, ws, (cout,))
    b = b if bias else None
    y = F.conv2d(mg.tensor(x), mg.tensor(w), None if b is None else mg.tensor(b), **kw)
    expected = direct_conv2d(x, w, b, kw['stride'], _pads(kw, ws), kw['dilation'], kw['groups'])
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-10, atol=1e-10)


@given(case=conv_cases(transposed=True), seed=st.integers(0, 2 ** 16))
def test_conv_transpose2d_forward_matches_direct_loops(case, seed):
    xs, ws, cout, kw = case
    x, w, b = random_arrays(seed, xs, ws, (cout,))
    y = F.conv_transpose2d(mg.tensor(x), mg.tensor(w), mg.tensor(b), **kw)
    expected = direct_conv_transpose2d(x, w, b, kw['stride'], kw['padding'], kw['output_padding'],
                                       kw['groups'], kw['dilation'])
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-10, atol=1e-10)


def test_float32_stays_float32_and_unbatched_input_works():
    x, w = mg.randn(3, 5, 5), mg.randn(4, 3, 3, 3)
    y = F.conv2d(x, w, padding=1)
    assert y.dtype == mg.float32 and y.shape == (4, 5, 5)
    np.testing.assert_allclose(y.numpy(), F.conv2d(x.unsqueeze(0), w, padding=1).numpy()[0])
    z = F.conv_transpose2d(y, mg.randn(4, 2, 4, 4), stride=2, padding=1)
    assert z.dtype == mg.float32 and z.shape == (2, 10, 10)


# ----------------------------------------------------------------------------- finite differences
@settings(max_examples=10)
@given(case=conv_cases(), seed=st.integers(0, 2 ** 16))
def test_conv2d_gradients_first_and_second_order(case, seed):
    xs, ws, cout, kw = case
    args = [mg.tensor(a, requires_grad=True) for a in random_arrays(seed, xs, ws, (cout,))]
    fn = lambda x, w, b: F.conv2d(x, w, b, **kw)  # noqa: E731
    assert mg.gradcheck(fn, args)
    assert mg.gradgradcheck(fn, args)


@settings(max_examples=10)
@given(case=conv_cases(transposed=True), seed=st.integers(0, 2 ** 16))
def test_conv_transpose2d_gradients_first_and_second_order(case, seed):
    xs, ws, cout, kw = case
    args = [mg.tensor(a, requires_grad=True) for a in random_arrays(seed, xs, ws, (cout,))]
    fn = lambda x, w, b: F.conv_transpose2d(x, w, b, **kw)  # noqa: E731
    assert mg.gradcheck(fn, args)
    assert mg.gradgradcheck(fn, args)


def two_layers(x, w1, w2):
    """conv -> tanh -> conv_transpose: the gradient flowing into the first conv depends on w2,
    so second derivatives go through every backward-of-backward (incl. d(weight grad)/d(gy))."""
    return F.conv_transpose2d(F.conv2d(x, w1, stride=2, padding=1).tanh(), w2, stride=2, padding=1,
                              output_padding=1)


def test_two_layer_net_second_order_by_finite_differences():
    args = [mg.tensor(a, requires_grad=True) for a in random_arrays(3, (1, 2, 5, 5), (2, 2, 3, 3), (2, 1, 3, 3))]
    assert mg.gradgradcheck(two_layers, args)


# ----------------------------------------------------------------------------- torch parity
@given(case=conv_cases(), seed=st.integers(0, 2 ** 16))
def test_conv2d_matches_torch(device, case, seed):
    torch = pytest.importorskip('torch')
    xs, ws, cout, kw = case
    check_parity(torch, lambda x, w, b: F.conv2d(x, w, b, **kw),
                 lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **kw),
                 random_arrays(seed, xs, ws, (cout,)), device=device)


@given(case=conv_cases(transposed=True), seed=st.integers(0, 2 ** 16))
def test_conv_transpose2d_matches_torch(device, case, seed):
    torch = pytest.importorskip('torch')
    xs, ws, cout, kw = case
    check_parity(torch, lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
                 lambda x, w, b: torch.nn.functional.conv_transpose2d(x, w, b, **kw),
                 random_arrays(seed, xs, ws, (cout,)), device=device)


# stride 1 and fewer input than output channels: conv_transpose2d gathers (im2col) instead of
# scattering (col2im); the last rows take the scattering route, for contrast
GATHER_CASES = [  # (N, Cin, H, W), (Cin, Cout/G, kh, kw), kwargs, gathers
    ((1, 1, 6, 5), (1, 4, 3, 3), dict(padding=1), True),              # a 1-channel conv's input grad
    ((2, 2, 4, 4), (2, 3, 3, 2), dict(padding=(2, 1)), True),         # pad = k - 1: no zero rows
    ((2, 2, 3, 4), (2, 8, 2, 3), dict(dilation=2, output_padding=1, groups=2), True),
    ((1, 1, 4, 4), (1, 3, 4, 4), dict(padding=1, bias=True), True),   # even kernel
    ((1, 3, 4, 4), (3, 3, 3, 3), dict(padding=1), False),             # as many channels out as in
    ((1, 1, 6, 6), (1, 4, 3, 3), dict(padding=3), False),             # pad > k - 1: no gather window
]


@pytest.mark.parametrize('xs, ws, kwargs, gathers', GATHER_CASES)
def test_stride_one_transpose_gathers_when_cheaper_and_matches_torch(device, monkeypatch, xs, ws, kwargs,
                                                                     gathers):
    torch = pytest.importorskip('torch')
    from minigan.ops import conv
    kwargs = dict(kwargs)
    cout = ws[1] * kwargs.get('groups', 1)
    arrays = random_arrays(7, xs, ws) + ([random_arrays(8, (cout,))[0]] if kwargs.pop('bias', False) else [])
    routes = []
    gather = conv._transpose_by_gathering
    monkeypatch.setattr(conv, '_transpose_by_gathering', lambda *a: routes.append(1) or gather(*a))
    check_parity(torch, lambda *t: F.conv_transpose2d(*t, **kwargs),
                 lambda *t: torch.nn.functional.conv_transpose2d(*t, **kwargs), arrays, device=device)
    assert bool(routes) == gathers
    two = lambda name, default: conv.pair(kwargs.get(name, default), name, 'test', minimum=0)  # noqa: E731
    expected = direct_conv_transpose2d(*arrays[:2], arrays[2] if len(arrays) == 3 else None, (1, 1),
                                       two('padding', 0), two('output_padding', 0), kwargs.get('groups', 1),
                                       two('dilation', 1))
    got = F.conv_transpose2d(*(mg.tensor(a) for a in arrays), **kwargs).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


EDGE_CASES = [  # (N, C, H, W), (O, C/G, kh, kw), kwargs: stride, padding, dilation, groups
    ((1, 2, 4, 5), (3, 2, 3, 3), dict(padding=1)),                   # a residual block's conv
    ((2, 2, 5, 4), (2, 2, 3, 2), dict(padding=(2, 1))),              # pads up to the side - 1
    ((2, 2, 6, 7), (4, 1, 3, 3), dict(stride=2, padding=1, groups=2)),
    ((1, 1, 7, 6), (2, 1, 2, 2), dict(stride=3, padding=2)),          # the windows stop short of the image
    ((1, 2, 5, 5), (1, 2, 3, 3), dict(padding=2, dilation=2)),
    ((1, 1, 5, 4), (2, 1, 4, 3), dict(padding='same')),               # the odd pixel bottom/right
    ((2, 3, 6, 5), (1, 3, 3, 3), dict(padding=(1, 2))),              # to 1 channel: the input gradient
]                                                                      # gathers, then folds the edges


@pytest.mark.parametrize('mode', ['reflect', 'replicate'])
@pytest.mark.parametrize('xs, ws, kwargs', EDGE_CASES)
def test_edge_padded_conv_matches_torchs_pad_then_conv(device, mode, xs, ws, kwargs):
    """padded_conv2d (nn.Conv2d's padding_mode) pads inside the column gather and folds the edges
    back in the backward: torch's F.pad + conv2d, to the second order, any layout of the input."""
    torch = pytest.importorskip('torch')
    from minigan.ops.conv import padded_conv2d
    conv = torch.nn.Conv2d(xs[1], ws[0], ws[2:], bias=True, padding_mode=mode, **kwargs).double()
    arrays = random_arrays(11, xs, ws, (ws[0],))
    check_parity(torch, lambda x, w, b: padded_conv2d(x, w, b, padding_mode=mode, **kwargs),
                 lambda x, w, b: conv._conv_forward(x, w, b), arrays, device=device,
                 layout=lambda a: a.transpose(0, 2, 3, 1).copy().transpose(0, 3, 1, 2))  # (N, H, W, C) storage


def test_edge_padded_conv_to_one_channel_gathers_its_input_gradient(monkeypatch):
    from minigan.ops import conv
    routes = []
    gather = conv._transpose_by_gathering
    monkeypatch.setattr(conv, '_transpose_by_gathering', lambda *a: routes.append(1) or gather(*a))
    test_edge_padded_conv_matches_torchs_pad_then_conv('cpu', 'reflect', *EDGE_CASES[-1])
    assert routes


def test_edge_padded_conv_errors_name_the_padding():
    from minigan.ops.conv import padded_conv2d
    with pytest.raises(mg.errors.ShapeError, match=r'conv2d: reflect padding .*\(3, 3, 3, 3\) must be less'):
        padded_conv2d(mg.randn(1, 1, 3, 5), mg.randn(1, 1, 3, 3), padding=3, padding_mode='reflect')


@pytest.mark.parametrize('long_product', [1, 10 ** 9], ids=['dW-transposed', 'dW-direct'])
def test_weight_gradient_in_either_orientation_matches_torch(device, monkeypatch, long_product):
    torch = pytest.importorskip('torch')
    from minigan.ops import conv
    monkeypatch.setattr(conv, 'LONG_PRODUCT', long_product)
    check_parity(torch, lambda x, w: F.conv2d(x, w, stride=2, padding=1, groups=2),
                 lambda x, w: torch.nn.functional.conv2d(x, w, stride=2, padding=1, groups=2),
                 random_arrays(12, (2, 4, 5, 5), (6, 2, 3, 3)), device=device)


def test_two_layer_net_third_order_matches_torch(device):
    """d^3: the backward of the backward of the backward, on a net where every path exists."""
    torch = pytest.importorskip('torch')
    arrays = random_arrays(5, (2, 2, 6, 6), (3, 2, 3, 3), (3, 2, 4, 4))
    xs = [mg.tensor(a, device=device, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]

    def third(fn, grad, vs):
        out = fn(*vs)
        g1 = grad((out * out).sum(), vs, create_graph=True)
        g2 = grad(sum((g * g).sum() for g in g1), vs, create_graph=True)
        return grad(sum((g * g).sum() for g in g2), vs)
    def net(f, x, w1, w2):  # no output_padding: torch's own third derivative rejects it
        return f.conv_transpose2d(f.conv2d(x, w1, stride=2, padding=1).tanh(), w2, stride=2, padding=1)
    mg_net = lambda *vs: net(F, *vs)  # noqa: E731
    t_net = lambda *vs: net(torch.nn.functional, *vs)  # noqa: E731
    for a, b in zip(third(mg_net, mg.grad, xs), third(t_net, torch.autograd.grad, ts)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-8)


def test_chained_convs_on_strided_views_match_torch():
    """Inputs in any memory layout (a transposed view here), and the (C, H, W, N)-stored outputs of
    one conv fed to the next, give torch's numbers."""
    torch = pytest.importorskip('torch')
    x, w1, w2 = random_arrays(7, (6, 6, 3, 2), (4, 3, 3, 3), (4, 2, 4, 4))
    x = x.transpose(3, 2, 1, 0)  # (2, 3, 6, 6), not contiguous
    y = F.conv_transpose2d(F.conv2d(mg.Tensor(x), mg.tensor(w1), stride=2, padding=1), mg.tensor(w2),
                           stride=2, padding=1)
    tf = torch.nn.functional
    yt = tf.conv_transpose2d(tf.conv2d(torch.tensor(x), torch.tensor(w1), stride=2, padding=1),
                             torch.tensor(w2), stride=2, padding=1)
    np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-10, atol=1e-10)


def test_results_do_not_share_the_reused_scratch_memory():
    """Column matrices and phase-split images live in scratch buffers reused from call to call;
    no result (output or gradient) may alias one."""
    x1, x2, w = random_arrays(11, (2, 3, 6, 6), (2, 3, 6, 6), (3, 2, 3, 3))
    xs = mg.tensor(x1, requires_grad=True)
    y1 = F.conv_transpose2d(xs, mg.tensor(w), stride=2)
    z1 = F.conv2d(mg.tensor(x1), mg.tensor(w.transpose(1, 0, 2, 3).copy()), stride=2)
    (g1,) = mg.grad(y1.sum(), xs)
    before = y1.numpy().copy(), z1.numpy().copy(), g1.numpy().copy()
    xs2 = mg.tensor(x2, requires_grad=True)
    mg.grad(F.conv_transpose2d(xs2, mg.tensor(w), stride=2).sum(), xs2)
    F.conv2d(mg.tensor(x2), mg.tensor(w.transpose(1, 0, 2, 3).copy()), stride=2)
    for a, b in zip((y1, z1, g1), before):
        np.testing.assert_array_equal(a.numpy(), b)


def test_columns_are_kept_for_the_weight_gradient_only_when_it_will_be_wanted():
    x, w = mg.randn(2, 3, 6, 6, requires_grad=True), mg.randn(4, 3, 3, 3)
    assert F.conv2d(x, w).grad_fn.saved_cols is None  # w needs no gradient: nothing kept
    w.requires_grad_()
    y = F.conv2d(x, w, stride=2)
    assert y.grad_fn.saved_cols.shape == (3 * 9, 2 * 2 * 2)  # (C*kh*kw, OH*OW*N), memory of its own
    with mg.no_grad():
        assert F.conv2d(x, w).grad_fn is None


def test_kept_columns_survive_other_convs_and_a_second_backward():
    """The weight gradient from the kept columns is right after other convs reused the scratch
    memory in between, and again on a second backward through the same graph."""
    torch = pytest.importorskip('torch')
    x, w, other, gy = random_arrays(17, (2, 3, 7, 7), (4, 3, 4, 4), (2, 3, 7, 7), (2, 4, 3, 3))
    xt, wt = mg.tensor(x, requires_grad=True), mg.tensor(w, requires_grad=True)
    y = F.conv2d(xt, wt, stride=2, padding=1)
    F.conv2d(mg.tensor(other), mg.tensor(w), stride=2, padding=1)  # im2col into scratch
    F.conv_transpose2d(mg.tensor(gy), mg.tensor(w), stride=2, padding=1).sum()
    first = mg.grad((y * mg.tensor(gy)).sum(), [wt], retain_graph=True)[0].numpy()
    F.conv2d(mg.tensor(other), mg.tensor(w), stride=2, padding=1)
    second = mg.grad((y * mg.tensor(gy)).sum(), [wt])[0].numpy()
    ws = torch.tensor(w, requires_grad=True)
    yt = torch.nn.functional.conv2d(torch.tensor(x), ws, stride=2, padding=1)
    (expected,) = torch.autograd.grad((yt * torch.tensor(gy)).sum(), [ws])
    np.testing.assert_allclose(first, expected.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(second, first)


@pytest.mark.parametrize('groups', [1, 2])
def test_channel_blocks_on_threads_give_the_same_numbers(monkeypatch, groups):
    """Big tensors move their channel blocks on worker threads; force that path on a small case
    and check forward (direct loops) and gradients (torch)."""
    x, w, gy = random_arrays(13, (3, 4, 7, 7), (6, 4 // groups, 3, 3), (3, 6, 4, 4))
    monkeypatch.setattr(parallel, 'BLOCK', 1)
    xt, wt = mg.tensor(x, requires_grad=True), mg.tensor(w, requires_grad=True)
    y = F.conv2d(xt, wt, stride=2, padding=1, groups=groups)
    expected = direct_conv2d(x, w, None, (2, 2), (1, 1, 1, 1), (1, 1), groups)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-10, atol=1e-10)
    torch = pytest.importorskip('torch')
    xs, ws = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    yt = torch.nn.functional.conv2d(xs, ws, stride=2, padding=1, groups=groups)
    for a, b in zip(mg.grad((y * mg.tensor(gy)).sum(), [xt, wt]),
                    torch.autograd.grad((yt * torch.tensor(gy)).sum(), [xs, ws])):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-10)


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize('call, message', [
    (lambda: F.conv2d(mg.randn(1, 2, 5, 5), mg.randn(4, 3, 3, 3)), r'conv2d: input of shape \(1, 2, 5, 5\) has 2 channels.*expects 3'),
    (lambda: F.conv2d(mg.randn(1, 4, 5, 5), mg.randn(3, 2, 3, 3), groups=2), r'conv2d: groups=2 must divide.*\(3, 2, 3, 3\)'),
    (lambda: F.conv2d(mg.randn(1, 2, 2, 2), mg.randn(1, 2, 3, 3), padding=0), r'conv2d: the kernel \(3, 3\).*larger than the padded input'),
    (lambda: F.conv2d(mg.randn(1, 2, 5, 5), mg.randn(1, 2, 3, 3), stride=2, padding='same'), r"padding='same' is not supported for strided"),
    (lambda: F.conv2d(mg.randn(1, 2, 5, 5), mg.randn(1, 2, 3, 3), padding='full'), r"conv2d: padding must be.*'full'"),
    (lambda: F.conv2d(mg.randn(1, 2, 5, 5), mg.randn(4, 2, 3, 3), mg.randn(3)), r'conv2d: expected a bias of shape \(4,\)'),
    (lambda: F.conv2d(mg.randn(2, 5, 5, 1, 1), mg.randn(4, 2, 3, 3)), r'conv2d: expected a 3-D .* or 4-D .*got shape \(2, 5, 5, 1, 1\)'),
    (lambda: F.conv2d(mg.randn(1, 2, 5, 5), mg.randn(4, 2, 3)), r'conv2d: expected a 4-D weight'),
    (lambda: F.conv2d(mg.randn(1, 2, 5, 5), mg.randn(4, 2, 3, 3), stride=0), r'conv2d: stride must be >= 1'),
    (lambda: F.conv_transpose2d(mg.randn(1, 2, 5, 5), mg.randn(2, 1, 3, 3), stride=2, output_padding=2),
     r'conv_transpose2d: output_padding \(2, 2\) must be smaller than either stride'),
    (lambda: F.conv_transpose2d(mg.randn(1, 3, 5, 5), mg.randn(2, 1, 3, 3)), r'conv_transpose2d: input of shape \(1, 3, 5, 5\) has 3 channels'),
    (lambda: F.conv_transpose2d(mg.randn(1, 2, 1, 1), mg.randn(2, 1, 1, 1), padding=1), r'conv_transpose2d: the output size'),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_types_raise_type_errors():
    with pytest.raises(TypeError, match='conv2d: expected a floating-point input'):
        F.conv2d(mg.tensor(np.ones((1, 1, 3, 3), dtype=np.int64)), mg.randn(1, 1, 1, 1))
    with pytest.raises(TypeError, match='conv2d: stride must be an int or a pair'):
        F.conv2d(mg.randn(1, 1, 3, 3), mg.randn(1, 1, 1, 1), stride=1.5)
