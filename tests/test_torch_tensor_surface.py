"""The tensor surface tutorials use, against torch: in-place methods and item assignment, .data,
gather / scatter / index_select / sort / topk / one_hot, new_* and from_numpy / as_tensor,
torch.Tensor's constructors, devices, generators, and the special functions (erf, gelu...)."""
import math

import numpy as np
import pytest

import minigan as mg
import minigan.nn.functional as F

from .torch_parity import check_parity

torch = pytest.importorskip('torch')


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# ----------------------------------------------------------------------------- in place
INPLACE = [  # (method, args): the same call on both libraries, values compared
    ('add_', (2.0,), {}), ('add_', ('other',), {'alpha': -0.5}), ('sub_', ('other',), {'alpha': 2}),
    ('mul_', ('row',), {}), ('div_', (4.0,), {}), ('pow_', (2,), {}), ('clamp_', (-0.5, 0.5), {}),
    ('clamp_', (), {'min': 0.0}), ('clip_', (-1, 0), {}), ('lerp_', ('other', 0.25), {}),
    ('masked_fill_', ('mask', -7.0), {}), ('neg_', (), {}), ('abs_', (), {}), ('exp_', (), {}),
    ('sigmoid_', (), {}), ('tanh_', (), {}), ('relu_', (), {}), ('zero_', (), {}), ('fill_', (3.5,), {}),
]


def _args(lib, args):
    named = {'other': rand(3, 4, seed=1), 'row': rand(4, seed=2), 'mask': rand(3, 4, seed=3) > 0}
    return [lib.tensor(named[a]) if isinstance(a, str) else a for a in args]


@pytest.mark.parametrize('method, args, kwargs', INPLACE, ids=[f'{m}-{i}' for i, (m, _, _) in enumerate(INPLACE)])
def test_inplace_methods_match_torch_and_return_the_same_tensor(method, args, kwargs):
    x, xt = mg.tensor(rand(3, 4)), torch.tensor(rand(3, 4))
    alias = x.data  # shares the memory: sees the change
    out = getattr(x, method)(*_args(mg, args), **kwargs)
    getattr(xt, method)(*_args(torch, args), **kwargs)
    assert out is x
    np.testing.assert_allclose(x.numpy(), xt.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(alias.numpy(), x.numpy())


def test_inplace_follows_torchs_rules():
    w = mg.nn.Parameter(mg.ones(3))
    with pytest.raises(RuntimeError, match='leaf tensor that requires grad'):
        w.add_(1)
    w.data.clamp_(-0.5, 0.5)  # WGAN's clipping: through .data, the parameter changes
    np.testing.assert_array_equal(w.numpy(), [0.5, 0.5, 0.5])
    assert w.requires_grad and not w.data.requires_grad
    with mg.no_grad():
        w.mul_(4)
    np.testing.assert_array_equal(w.numpy(), [2, 2, 2])
    y = w * 2
    with pytest.raises(RuntimeError, match='out-of-place'):
        y.add_(1)
    with pytest.raises(ValueError, match="doesn't match the broadcast shape"):
        mg.zeros(2).add_(mg.zeros(3, 2))
    with pytest.raises(TypeError, match="can't be cast"):
        mg.zeros(2, dtype=mg.int64).add_(1.5)
    x = mg.zeros(2, dtype=mg.float64)
    x.add_(mg.ones(2))  # a float32 operand joins a float64 tensor, as in torch
    assert x.dtype == mg.float64 and x.tolist() == [1.0, 1.0]


def test_item_assignment_matches_torch():
    x, xt = mg.zeros(4, 3, 5), torch.zeros(4, 3, 5)
    codes = np.zeros((1, 4))
    codes[0] = [4, 0, 2, 2]  # a float NumPy array of class numbers indexes as ints, as in torch
    for key, value in [((0, 1), 2.5), ((slice(1, 3),), 'row'), ((mg.arange(4), 1, codes[0]), 1.0),
                       ((Ellipsis, 0), -1.0), (([0, 3], slice(None), 4), 9.0)]:
        value_o = mg.tensor(rand(5)) if value == 'row' else value
        value_t = torch.tensor(rand(5), dtype=torch.float32) if value == 'row' else value
        key_t = tuple(torch.arange(4) if isinstance(k, mg.Tensor) else k for k in key)
        x[key] = value_o
        xt[key_t] = value_t
    np.testing.assert_allclose(x.numpy(), xt.numpy(), rtol=1e-6)
    labels = mg.zeros(3, dtype=mg.int64)
    labels[1] = 2.7  # assignment converts like torch (truncation)
    assert labels.tolist() == [0, 2, 0]
    with pytest.raises(RuntimeError, match='requires grad'):
        x[0] = mg.ones(3, 5, requires_grad=True) * 2
    with pytest.raises(IndexError, match='integer'):
        x[mg.tensor([0.0])] = 1.0


def test_random_fills_draw_from_the_seed_or_a_generator():
    mg.manual_seed(3)
    a = mg.zeros(2000).normal_(1.0, 0.02).numpy()
    b = mg.zeros(3).uniform_(-1, 1).numpy()
    mg.manual_seed(3)
    np.testing.assert_array_equal(a, mg.zeros(2000).normal_(1.0, 0.02).numpy())
    assert abs(a.mean() - 1) < 0.003 and abs(a.std() - 0.02) < 0.002  # 2000 draws: 5 sigma
    assert ((b >= -1) & (b < 1)).all()
    c = mg.zeros(4).uniform_(**{'from': 2, 'to': 3}).numpy()  # torch's keyword names
    assert ((c >= 2) & (c < 3)).all()
    first = mg.zeros(5).normal_(generator=mg.Generator().manual_seed(1)).numpy()
    mg.randn(7)  # the global stream moves; a seeded generator does not care
    np.testing.assert_array_equal(first, mg.zeros(5).normal_(generator=mg.Generator().manual_seed(1)).numpy())


def test_scatter_one_hot_idiom_matches_torch():
    labels = np.array([3, 0, 2])
    ours = mg.zeros(3, 4).scatter_(1, mg.tensor(labels).unsqueeze(1), 1)
    theirs = torch.zeros(3, 4).scatter_(1, torch.tensor(labels).unsqueeze(1), 1)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(F.one_hot(mg.tensor(labels), 5).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(labels), 5).numpy())
    assert F.one_hot(mg.tensor(labels)).shape == (3, 4) and F.one_hot(mg.tensor(labels)).dtype == mg.int64
    with pytest.raises(ValueError, match='class values'):
        F.one_hot(mg.tensor([5]), 3)


# ----------------------------------------------------------------------------- indexing ops
INDEX = np.array([[2, 0, 1, 1], [0, 0, 2, 1]])


def _index(lib):
    return lib.tensor(INDEX)


INDEX_OPS = {
    'gather': (lambda lib, x: lib.gather(x, 1, _index(lib)), (2, 3)),
    'gather-dim0-smaller': (lambda lib, x: x.gather(0, _index(lib)[:, :2] % 2), (3, 5)),
    'scatter': (lambda lib, x, s: x.scatter(1, _index(lib)[:, :1], s), (2, 3), (2, 1)),
    'scatter-value': (lambda lib, x: x.scatter(0, _index(lib) % 2, 1.5), (2, 4)),
    'scatter_add': (lambda lib, x, s: lib.scatter_add(x, 1, _index(lib), s), (2, 3), (2, 4)),
    'index_select': (lambda lib, x: lib.index_select(x, 1, lib.tensor([2, 0, 2])), (2, 3, 2)),
    'sort-values': (lambda lib, x: lib.sort(x, 1, descending=True)[0], (3, 5)),
    'topk-values': (lambda lib, x: x.topk(2, dim=0)[0], (4, 3)),
    'topk-smallest': (lambda lib, x: lib.topk(x, 3, largest=False).values, (2, 5)),
}


@pytest.mark.parametrize('name', INDEX_OPS)
def test_index_ops_match_torch_to_second_order(name, device):
    fn, *shapes = INDEX_OPS[name]
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    check_parity(torch, lambda *xs: fn(mg, *xs), lambda *xs: fn(torch, *xs), arrays, device=device)


def test_sort_argsort_topk_indices_match_torch():
    x = np.array([[3.0, 1.0, 3.0, 2.0, 0.5], [1.0, 1.0, 0.0, 4.0, 2.0]])
    for desc in (False, True):
        np.testing.assert_array_equal(mg.sort(mg.tensor(x), descending=desc, stable=True).indices.numpy(),
                                      torch.sort(torch.tensor(x), descending=desc, stable=True).indices.numpy())
        np.testing.assert_array_equal(mg.argsort(mg.tensor(x), dim=0, descending=desc).numpy(),
                                      torch.argsort(torch.tensor(x), dim=0, descending=desc, stable=True).numpy())
    distinct = rand(3, 6)
    np.testing.assert_array_equal(mg.tensor(distinct).topk(3).indices.numpy(),
                                  torch.tensor(distinct).topk(3).indices.numpy())
    src = rand(2, 3)  # larger than the index: only its leading block is written (torch's forward)
    np.testing.assert_array_equal(mg.zeros(2, 4, dtype=mg.float64).scatter(1, mg.tensor(INDEX[:, :2]), mg.tensor(src)).numpy(),
                                  torch.zeros(2, 4, dtype=torch.float64).scatter(1, torch.tensor(INDEX[:, :2]),
                                                                                  torch.tensor(src)).numpy())
    x, s_ = mg.tensor(rand(2, 4), requires_grad=True), mg.tensor(src, requires_grad=True)
    distinct = mg.tensor([[2, 0], [1, 3]])  # (where an index repeats, which write wins is undefined)
    assert mg.gradgradcheck(lambda x, s_: x.scatter(1, distinct, s_) ** 2, (x, s_))
    with pytest.raises(IndexError, match='out of bounds'):
        mg.gather(mg.ones(2, 2), 1, mg.tensor([[2, 0], [0, 0]]))
    with pytest.raises(TypeError, match='integer'):
        mg.gather(mg.ones(2, 2), 1, mg.ones(2, 2))
    with pytest.raises(ValueError, match='out of range'):
        mg.topk(mg.ones(3), 4)


def test_pixel_shuffle_matches_torch(device):
    check_parity(torch, lambda x: F.pixel_shuffle(x, 3), lambda x: torch.nn.functional.pixel_shuffle(x, 3),
                 [rand(2, 1, 18, 2, 3)], device=device)
    check_parity(torch, lambda x: F.pixel_unshuffle(x, 2), lambda x: torch.nn.functional.pixel_unshuffle(x, 2),
                 [rand(3, 4, 6)], device=device)


# ----------------------------------------------------------------------------- special functions
def test_erf_is_exact_to_float64_precision():
    x = np.concatenate([np.linspace(-7, 7, 4001), [0.0, 1e-300, -2.5, 2.5, 2.4999999, 30.0, -np.inf, np.inf]])
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(mg.erf(mg.tensor(x)).numpy(), expected, rtol=2e-15, atol=1e-16)
    assert np.isnan(mg.erf(mg.tensor([np.nan])).item())
    assert mg.erf(mg.tensor([0.5])).dtype == mg.float32


@pytest.mark.parametrize('name', ['erf', 'gelu', 'gelu-tanh', 'silu', 'prelu-shared', 'prelu-channels'])
def test_special_functions_match_torch_to_second_order(name, device):
    x = rand(2, 3, 4) * 3
    cases = {
        'erf': (mg.erf, torch.erf, [x]),
        'gelu': (F.gelu, torch.nn.functional.gelu, [x]),
        'gelu-tanh': (lambda t: F.gelu(t, approximate='tanh'),
                      lambda t: torch.nn.functional.gelu(t, approximate='tanh'), [x]),
        'silu': (F.silu, torch.nn.functional.silu, [x]),
        'prelu-shared': (F.prelu, torch.nn.functional.prelu, [x, np.array([0.2])]),
        'prelu-channels': (F.prelu, torch.nn.functional.prelu, [x, np.array([0.2, -0.1, 0.5])]),
    }
    ours, theirs, arrays = cases[name]
    check_parity(torch, ours, theirs, arrays, device=device)


# ----------------------------------------------------------------------------- making tensors
def test_torch_tensor_constructor_forms():
    assert mg.Tensor(2, 3).shape == (2, 3) and mg.Tensor(2, 3).dtype == mg.float32
    assert mg.Tensor([1, 2]).dtype == mg.float32 and mg.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert mg.Tensor().shape == (0,)
    source = mg.ones(2)
    assert mg.Tensor(source).array is source.array
    ints = np.arange(3)
    assert mg.Tensor(ints).dtype == mg.int64  # an array is wrapped as it is (the library's form)
    with pytest.raises(TypeError, match='sizes'):
        mg.Tensor(2, 'a')


def test_new_tensors_take_dtype_and_device_from_their_source():
    for method, args in [('new_zeros', (2, 2)), ('new_ones', ((3,),)), ('new_full', ((2,), 5)),
                         ('new_empty', (1,)), ('new_tensor', ([1, 2],))]:
        for dtype in ('float64', 'int64'):
            x, xt = mg.zeros(1, dtype=dtype), torch.zeros(1, dtype=getattr(torch, dtype))
            ours, theirs = getattr(x, method)(*args), getattr(xt, method)(*args)
            assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).split('.')[1]
    assert mg.zeros(1).new_zeros(2, dtype=mg.int64).dtype == mg.int64


def test_from_numpy_and_as_tensor_share_memory_as_in_torch():
    a = np.zeros(3)
    t = mg.from_numpy(a)
    t[0] = 5
    assert a[0] == 5 and t.dtype == mg.float64
    assert mg.as_tensor(a).array is a and mg.as_tensor(t) is t
    assert mg.as_tensor([1, 2]).dtype == mg.int64 and mg.as_tensor([1.0]).dtype == mg.float32
    assert mg.as_tensor(a, dtype=mg.float32).dtype == mg.float32
    with pytest.raises(TypeError, match='NumPy'):
        mg.from_numpy([1, 2])


def test_random_creation_forms_match_torchs_signatures():
    assert mg.randint(10, (3,)).shape == (3,) and mg.randint(2, 5, (4,)).min().item() >= 2
    assert mg.randint(3, size=(2, 2)).shape == (2, 2)
    assert mg.randperm(5, dtype=mg.int32).dtype == mg.int32
    assert mg.normal(0.0, 1.0, size=(2, 3)).shape == (2, 3)
    m = mg.normal(mg.zeros(4, dtype=mg.float64) + 100, 0.001)
    assert m.dtype == mg.float64 and np.allclose(m.numpy(), 100, atol=0.01)
    g = mg.Generator().manual_seed(4)
    same = [mg.randn(3, generator=mg.Generator().manual_seed(4)).numpy() for _ in range(2)]
    np.testing.assert_array_equal(*same)
    np.testing.assert_array_equal(mg.randn(3, generator=g).numpy(), same[0])
    assert mg.Generator().initial_seed() == torch.Generator().initial_seed()
    assert mg.nn.Linear(np.int64(3), np.int64(2)).weight.shape == (2, 3)  # NumPy ints as sizes


def test_comparisons_and_shape_helpers_match_torch():
    a, b = rand(3, 4), rand(3, 4, seed=1)
    for name in ('eq', 'ne', 'lt', 'le', 'gt', 'ge'):
        np.testing.assert_array_equal(getattr(mg.tensor(a), name)(mg.tensor(b)).numpy(),
                                      getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy())
    check_parity(torch, lambda x, y: (x * 3) % y, lambda x, y: (x * 3) % y, [a, np.abs(b) + 0.5])
    ints = np.array([7, -7, 5])
    for op in (lambda x: x % 3, lambda x: x // 2, lambda x: 9 % x, lambda x: 20 // x):
        np.testing.assert_array_equal(op(mg.tensor(ints)).numpy(), op(torch.tensor(ints)).numpy())
    pred = mg.tensor([[0.1, 0.9], [0.8, 0.2]]).max(1)[1]
    assert pred.eq(mg.tensor([1, 1]).view_as(pred)).sum().item() == 1
    assert mg.ones(3, 1).expand_as(mg.ones(3, 4)).shape == (3, 4)
    assert mg.ones(2, 3).t().shape == (3, 2) and mg.ones(6).reshape_as(mg.ones(2, 3)).shape == (2, 3)


# ----------------------------------------------------------------------------- devices
def test_device_objects_behave_as_torchs():
    d = mg.device('cuda:0')
    assert (d.type, d.index, str(d), repr(d)) == ('cuda', 0, 'cuda:0', "device(type='cuda', index=0)")
    assert repr(mg.device('cpu')) == repr(torch.device('cpu'))
    assert mg.device('cuda', 0) == d == mg.device('cuda') and mg.device('cpu') != d
    assert mg.zeros(1).device.type == 'cpu' and mg.zeros(1).device == mg.device('cpu')
    assert mg.zeros(2, device=mg.device('cpu')).is_cpu and not mg.zeros(1).is_cuda
    with pytest.raises(ValueError, match='unknown device type'):
        mg.device('tpu')


def test_cuda_and_accelerator_modules(device):
    assert mg.cuda.device_count() == (1 if mg.cuda.is_available() else 0)
    assert (mg.accelerator.current_accelerator() is None) == (not mg.accelerator.is_available())
    mg.cuda.manual_seed_all(5)
    first = mg.randn(2).numpy()
    mg.manual_seed(5)
    np.testing.assert_array_equal(first, mg.randn(2).numpy())  # one stream for every device
    mg.cuda.synchronize()
    x = mg.randn(2, 3).to(mg.device(device))
    assert x.is_cuda == (device == 'cuda') and x.device == device


def test_torch_module_paths_import():
    import minigan.backends.cudnn as cudnn
    import minigan.nn.functional
    import minigan.nn.parallel
    assert minigan.nn.functional.conv2d is mg.functional.conv2d
    cudnn.benchmark = True
    assert not cudnn.is_available()
    mg.use_deterministic_algorithms(True)
    assert mg.are_deterministic_algorithms_enabled()
    mg.use_deterministic_algorithms(False)
    wrapped = mg.nn.DataParallel(mg.nn.Linear(2, 1))
    assert list(wrapped.state_dict()) == ['module.weight', 'module.bias']
    x = mg.ones(4, 2)
    np.testing.assert_array_equal(wrapped(x).numpy(), wrapped.module(x).numpy())
    np.testing.assert_array_equal(minigan.nn.parallel.data_parallel(wrapped.module, x).numpy(), wrapped(x).numpy())
    assert (mg.float, mg.double, mg.long, mg.int, mg.half) == (mg.float32, mg.float64, mg.int64, mg.int32, mg.float16)


# ----------------------------------------------------------------------------- autograd & utils
def test_grad_accepts_torchs_keywords():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0], requires_grad=True)
    (g,) = mg.autograd.grad(outputs=(x ** 2).sum(), inputs=x, grad_outputs=mg.tensor(1.0), create_graph=True,
                            retain_graph=True, only_inputs=True)
    assert g.tolist() == [2.0, 4.0]
    gx, gw = mg.autograd.grad((x * 2).sum(), [x, w], materialize_grads=True)
    assert gw.tolist() == [0.0]
    with pytest.raises(NotImplementedError, match='is_grads_batched'):
        mg.autograd.grad((x * 2).sum(), x, is_grads_batched=True)


@pytest.mark.parametrize('norm_type', [2.0, 1.0, math.inf])
def test_clip_grad_norm_matches_torch(norm_type):
    grads = [rand(3, 2), rand(4, seed=1)]
    ours = [mg.nn.Parameter(mg.zeros(*g.shape, dtype=mg.float64)) for g in grads]
    theirs = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = mg.tensor(g), torch.tensor(g)
    total = mg.nn.utils.clip_grad_norm_(ours, 0.5, norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type)
    assert total.item() == pytest.approx(total_t.item(), rel=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)
    mg.nn.utils.clip_grad_value_(ours, 0.01)
    torch.nn.utils.clip_grad_value_(theirs, 0.01)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_mm_bmm_and_defaults(device):
    check_parity(torch, mg.mm, torch.mm, [rand(2, 3), rand(3, 4, seed=1)], device=device)
    check_parity(torch, mg.bmm, torch.bmm, [rand(2, 2, 3), rand(2, 3, 1, seed=1)], device=device)
    with pytest.raises(ValueError, match='batch size'):
        mg.bmm(mg.ones(2, 2, 3), mg.ones(3, 3, 1))
    assert mg.ones(2, 3).nelement() == 6
    assert mg.get_default_dtype() == mg.float32
    mg.set_default_dtype(mg.float32)
    mg.set_default_tensor_type(mg.FloatTensor)
    mg.set_default_tensor_type('torch.FloatTensor')
    with pytest.raises(NotImplementedError, match='dtype=torch.float64'):
        mg.set_default_dtype(mg.float64)
    with pytest.raises(NotImplementedError, match='device='):
        mg.set_default_tensor_type('torch.cuda.FloatTensor')
