"""The layers tutorials copy from torch -- activations, pools, pixel shuffle, padding, channel
dropout, parameter containers, losses, multi-head attention -- against their torch twins:
forward, input and parameter gradients (float64), repr and state_dict keys."""
import warnings

import numpy as np
import pytest

import minigan as mg
from minigan import nn

from .test_nn_layers import randn, run_both

torch = pytest.importorskip('torch')


@pytest.fixture(autouse=True)
def seeded():
    mg.manual_seed(0)
    torch.manual_seed(0)


class HasParameterList:
    """A module holding a ParameterList, built in either framework: per-feature scales."""

    @staticmethod
    def build(n):
        class Scales(n.Module):
            def __init__(self):
                super().__init__()
                self.scales = n.ParameterList([n.Parameter(torch_or_mg(n).ones(3)) for _ in range(2)])
                self.table = n.ParameterDict({'shift': n.Parameter(torch_or_mg(n).zeros(3))})

            def forward(self, x):
                return x * self.scales[0] * self.scales[-1] + self.table['shift']
        return Scales()


def torch_or_mg(n):
    return torch if n is torch.nn else mg


LAYERS = {
    'Softmax': (lambda n: n.Softmax(dim=1), (3, 4)),
    'LogSoftmax': (lambda n: n.LogSoftmax(-1), (2, 3, 5)),
    'ELU': (lambda n: n.ELU(alpha=0.5), (3, 4)),
    'Softplus': (lambda n: n.Softplus(beta=2, threshold=1.5), (3, 4)),
    'SiLU': (lambda n: n.SiLU(), (3, 4)),
    'GELU': (lambda n: n.GELU(), (3, 4)),
    'GELU-tanh': (lambda n: n.GELU('tanh'), (3, 4)),
    'PReLU': (lambda n: n.PReLU(), (3, 4)),
    'PReLU-channels': (lambda n: n.PReLU(3, init=0.1), (2, 3, 2, 2)),
    'MaxPool2d': (lambda n: n.MaxPool2d(2), (2, 3, 6, 6)),
    'MaxPool2d-padded': (lambda n: n.MaxPool2d(3, 2, 1), (1, 2, 7, 7)),
    'AvgPool2d': (lambda n: n.AvgPool2d(2), (2, 3, 6, 6)),
    'AvgPool2d-no-pad-count': (lambda n: n.AvgPool2d(3, 2, 1, count_include_pad=False), (1, 2, 7, 7)),
    'AdaptiveAvgPool2d': (lambda n: n.AdaptiveAvgPool2d(1), (2, 3, 5, 5)),
    'AdaptiveAvgPool2d-rect': (lambda n: n.AdaptiveAvgPool2d((2, 3)), (1, 2, 5, 7)),
    'PixelShuffle': (lambda n: n.PixelShuffle(2), (2, 8, 3, 3)),
    'PixelUnshuffle': (lambda n: n.PixelUnshuffle(2), (2, 2, 4, 6)),
    'ConstantPad2d': (lambda n: n.ConstantPad2d((1, 2, 0, 1), 0.5), (2, 3, 4, 4)),
    'ZeroPad2d': (lambda n: n.ZeroPad2d(1), (1, 2, 3, 3)),
    'Dropout2d-eval-is-identity': (lambda n: n.Dropout2d(0.25), (2, 3, 4, 4)),
    'ParameterList': (HasParameterList.build, (2, 3)),
}


def _compare_surface(ours, theirs):
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize('name', LAYERS)
def test_layer_matches_torch(name):
    build, shape = LAYERS[name]
    mode = 'eval' if 'eval' in name else 'train'
    ours, theirs = run_both(build, randn(*shape), mode, steps=2 if mode == 'train' else 1)
    if name != 'ParameterList':  # its repr names the dtype in each library's spelling
        _compare_surface(ours, theirs)
    else:
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ['scales.0', 'scales.1', 'table.shift']
        assert repr(ours.scales) == repr(theirs.scales).replace('torch.', 'minigan.')


def test_module_reprs_match_torch():
    for build in (lambda n: n.MaxPool2d(3, 2, 1), lambda n: n.AvgPool2d(3, 2, 1, count_include_pad=False),
                  lambda n: n.ELU(alpha=0.5, inplace=True), lambda n: n.SiLU(True), lambda n: n.Softmax(),
                  lambda n: n.Dropout2d(0.25), lambda n: n.Dropout1d(), lambda n: n.ConstantPad2d(1, 0.5),
                  lambda n: n.GELU('tanh'), lambda n: n.PReLU(3), lambda n: n.AdaptiveAvgPool2d((2, None)),
                  lambda n: n.PixelUnshuffle(3)):
        assert repr(build(nn)) == repr(build(torch.nn))


def test_dropout2d_zeroes_whole_channels_with_probability_p():
    drop = nn.Dropout2d(0.25)
    y = drop(mg.ones(400, 50, 3, 3)).numpy()
    per_map = y.reshape(400, 50, 9)
    assert ((per_map == 0).all(-1) | np.isclose(per_map, 1 / 0.75).all(-1)).all()  # all or nothing
    kept = np.isclose(per_map[..., 0], 1 / 0.75).mean()
    assert abs(kept - 0.75) < 0.01  # 20,000 maps: the kept fraction is 0.75 +- 0.003
    assert np.array_equal(drop.eval()(mg.ones(2, 3, 2, 2)).numpy(), np.ones((2, 3, 2, 2)))
    with pytest.warns(UserWarning, match='dropout1d'):
        y3 = nn.Dropout2d(0.5)(mg.ones(8, 16, 5)).numpy()  # (N, C, L), as torch reads it
    assert ((y3 == 0).all(-1) | (y3 == 2).all(-1)).all()


def test_dropout2d_backward_masks_the_same_channels():
    x = mg.randn(4, 6, 2, 2, requires_grad=True)
    y = nn.Dropout2d(0.5)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (y.numpy() != 0) * 2.0)


def test_softmax_without_dim_uses_torchs_implicit_dim():
    x = randn(2, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # torch warns that the implicit dim is deprecated
        expected = torch.nn.Softmax()(torch.tensor(x)).numpy()
    np.testing.assert_allclose(nn.Softmax()(mg.tensor(x)).numpy(), expected, rtol=1e-6)


# ----------------------------------------------------------------------------- losses
def _labels(*shape, classes=4):
    return np.random.default_rng(3).integers(0, classes, shape)


LOSSES = {
    'BCELoss': (lambda n, w: n.BCELoss(weight=w(4)), lambda r: 1 / (1 + np.exp(-r)), lambda: np.random.default_rng(1).random((3, 4))),
    'BCEWithLogitsLoss': (lambda n, w: n.BCEWithLogitsLoss(pos_weight=w(4)), None,
                          lambda: np.random.default_rng(1).random((3, 4))),
    'MSELoss': (lambda n, w: n.MSELoss(reduction='sum'), None, lambda: randn(3, 4)),
    'L1Loss': (lambda n, w: n.L1Loss(), None, lambda: randn(3, 4)),
    'CrossEntropyLoss': (lambda n, w: n.CrossEntropyLoss(weight=w(4), label_smoothing=0.1), None,
                         lambda: _labels(3)),
    'CrossEntropyLoss-ignore': (lambda n, w: n.CrossEntropyLoss(ignore_index=2), None, lambda: _labels(3)),
    'NLLLoss': (lambda n, w: n.NLLLoss(weight=w(4), reduction='none'), lambda r: r - np.log(np.exp(r).sum(1, keepdims=True)),
                lambda: _labels(3)),
}


@pytest.mark.parametrize('name', LOSSES)
def test_loss_module_matches_torch(name):
    build, transform, target = LOSSES[name]
    weights = np.random.default_rng(2).random(4) + 0.5
    ours = build(nn, lambda k: mg.tensor(weights[:k]))
    theirs = build(torch.nn, lambda k: torch.tensor(weights[:k]))
    raw = randn(3, 4)
    x = transform(raw) if transform else raw
    t = target()
    xo, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    lo, lt = ours(xo, mg.tensor(t)), theirs(xt, torch.tensor(t))
    np.testing.assert_allclose(lo.numpy(), lt.detach().numpy(), rtol=1e-7)
    lo.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-7, atol=1e-12)
    _compare_surface(ours, theirs)
    for key, value in ours.state_dict().items():  # the class weights are buffers, as in torch
        np.testing.assert_array_equal(value.numpy(), theirs.state_dict()[key].numpy())


def test_loss_modules_take_torchs_legacy_reduction_arguments():
    x, t = mg.tensor([[0.5, -1.0]]), mg.tensor([[0.0, 1.0]])
    assert nn.MSELoss(size_average=False).reduction == 'sum'
    assert nn.L1Loss(reduce=False)(x, t).shape == (1, 2)
    assert nn.MSELoss().to('cpu').reduction == 'mean'


# ----------------------------------------------------------------------------- attention
ATTENTION = {
    'self': dict(kwargs=dict(embed_dim=4, num_heads=2), lengths=(3, 3), batch=2),
    'batch-first-cross-kdim-vdim': dict(kwargs=dict(embed_dim=6, num_heads=3, kdim=5, vdim=2, batch_first=True),
                                        lengths=(2, 4), batch=3),
    'bias-kv-zero-attn-no-bias': dict(kwargs=dict(embed_dim=4, num_heads=1, bias=False, add_bias_kv=True,
                                                  add_zero_attn=True), lengths=(3, 2), batch=2),
    'unbatched': dict(kwargs=dict(embed_dim=4, num_heads=2), lengths=(3, 5), batch=None),
}


def _attention_inputs(case):
    kw, (L, S), N = case['kwargs'], case['lengths'], case['batch']
    E, kdim, vdim = kw['embed_dim'], kw.get('kdim', kw['embed_dim']), kw.get('vdim', kw['embed_dim'])
    lead = (lambda n: (N, n) if kw.get('batch_first') else (n, N)) if N else (lambda n: (n,))
    rng = np.random.default_rng(L + S)
    return [rng.standard_normal(lead(n) + (d,)) for n, d in ((L, E), (S, kdim), (S, vdim))]


def _attention_pair(case):
    ours = nn.MultiheadAttention(**case['kwargs']).double()
    theirs = torch.nn.MultiheadAttention(**case['kwargs']).double()
    _compare_surface(ours, theirs)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})  # weights from torch load here
    return ours, theirs


def _masks(case, lib):
    (L, S), N = case['lengths'], case['batch']
    rng = np.random.default_rng(7)
    causal = np.triu(np.ones((L, S), dtype=bool), 1)  # masks cover the given keys (extra ones are padded)
    padding = np.zeros((N or 1, S), dtype=bool)
    padding[:, -1] = True
    float_mask = rng.standard_normal((L, S))
    new = lib.tensor
    return [dict(attn_mask=new(causal)), dict(key_padding_mask=new(padding if N else padding[0])),
            dict(attn_mask=new(float_mask), need_weights=False),
            dict(attn_mask=new(causal), average_attn_weights=False)]


@pytest.mark.parametrize('name', ATTENTION)
def test_multihead_attention_matches_torch(name):
    case = ATTENTION[name]
    ours, theirs = _attention_pair(case)
    arrays = _attention_inputs(case)
    for masks_o, masks_t in zip([{}] + _masks(case, mg), [{}] + _masks(case, torch)):
        xs = [mg.tensor(a, requires_grad=True) for a in arrays]
        ts = [torch.tensor(a, requires_grad=True) for a in arrays]
        out, w = ours(*xs, **masks_o)
        out_t, w_t = theirs(*ts, **masks_t)
        np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=1e-7, atol=1e-12)
        assert (w is None) == (w_t is None)
        if w is not None:
            np.testing.assert_allclose(w.numpy(), w_t.detach().numpy(), rtol=1e-7, atol=1e-12)
        g = np.random.default_rng(0).standard_normal(tuple(out_t.shape))
        (out * mg.tensor(g)).sum().backward()
        (out_t * torch.tensor(g)).sum().backward()
        for x, t in zip(xs, ts):
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-12)
        tp = dict(theirs.named_parameters())
        for key, p in ours.named_parameters():
            np.testing.assert_allclose(p.grad.numpy(), tp[key].grad.numpy(), rtol=1e-7, atol=1e-12, err_msg=key)
        ours.zero_grad()
        theirs.zero_grad()


def test_multihead_attention_second_order_matches_torch():
    from .torch_parity import check_parity
    case = ATTENTION['self']
    ours, theirs = _attention_pair(case)
    check_parity(torch, lambda q, k, v: ours(q, k, v)[0], lambda q, k, v: theirs(q, k, v)[0],
                 _attention_inputs(case))


def test_multihead_attention_dropout_and_errors():
    attn = nn.MultiheadAttention(4, 2, dropout=0.5)
    x = mg.randn(3, 2, 4)
    assert not np.array_equal(attn(x, x, x)[0].numpy(), attn(x, x, x)[0].numpy())  # weights dropped
    attn.eval()
    np.testing.assert_array_equal(attn(x, x, x)[0].numpy(), attn(x, x, x)[0].numpy())
    with pytest.raises(ValueError, match='multiple of num_heads'):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(RuntimeError, match='attn_mask'):
        attn(x, x, x, is_causal=True)
    with pytest.raises(ValueError, match='key_padding_mask'):
        attn(x, x, x, key_padding_mask=mg.zeros(3, 3, dtype=mg.bool))


SDPA = {
    'plain': dict(),
    'causal': dict(is_causal=True),
    'bool-mask': dict(attn_mask='bool'),
    'float-mask-scale': dict(attn_mask='float', scale=0.3),
}


@pytest.mark.parametrize('name', SDPA)
def test_scaled_dot_product_attention_matches_torch_to_second_order(name, device):
    from .torch_parity import check_parity
    options = dict(SDPA[name])
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 6, 2))]
    mask = options.pop('attn_mask', None)
    if mask == 'bool':
        keep = rng.random((4, 6)) < 0.7
        keep[:, 0] = True  # every query sees a key (a row of -inf only would be NaN in both)
        options['attn_mask'] = keep
    elif mask == 'float':
        options['attn_mask'] = rng.standard_normal((4, 6))
    if 'attn_mask' in options:
        m = options.pop('attn_mask')
        ours = lambda q, k, v: mg.nn.functional.scaled_dot_product_attention(  # noqa: E731
            q, k, v, attn_mask=mg.tensor(m, device=device), **options)
        theirs = lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(  # noqa: E731
            q, k, v, attn_mask=torch.tensor(m), **options)
    else:
        ours = lambda q, k, v: mg.nn.functional.scaled_dot_product_attention(q, k, v, **options)  # noqa: E731
        theirs = lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, **options)  # noqa: E731
    check_parity(torch, ours, theirs, arrays, device=device)
