"""Module, Parameter, containers and nn.init: the bookkeeping, compared with torch.nn."""
import math

import numpy as np
import pytest

import minigan as mg
from minigan import nn

torch = pytest.importorskip('torch')


@pytest.fixture(autouse=True)
def seeded():
    """Both generators seeded, so the statistical comparisons below are deterministic."""
    mg.manual_seed(0)
    torch.manual_seed(0)


def twins(build):
    """The same architecture in both frameworks: build(namespace) with namespace mg.nn or torch.nn."""
    return build(nn), build(torch.nn)


def every_layer(n):
    """One of each layer, in containers, with the constructor arguments people actually use."""
    return n.Sequential(
        n.Conv2d(3, 8, 4, 2, 1, bias=False),
        n.Conv2d(8, 8, 3, padding='same', padding_mode='reflect'),
        n.ConvTranspose2d(8, 4, 4, 2, 1),
        n.BatchNorm2d(4),
        n.BatchNorm2d(4, affine=False, momentum=None),
        n.InstanceNorm2d(4),
        n.InstanceNorm2d(4, affine=True, track_running_stats=True),
        n.GroupNorm(2, 4),
        n.LeakyReLU(0.2),
        n.ReflectionPad2d(1), n.ZeroPad2d((1, 0, 2, 0)), n.Upsample(scale_factor=2),
        n.Flatten(), n.Unflatten(1, (4, 8, 8)), n.Identity(), n.Dropout(0.3), n.ReLU(), n.Tanh(), n.Sigmoid(),
        n.ModuleDict({'embed': n.Embedding(10, 5, padding_idx=0), 'norm': n.LayerNorm([5, 6])}),
        n.ModuleList([n.Linear(6, 3), n.Linear(3, 1, bias=False), n.BatchNorm1d(3)]),
    )


def test_state_dict_keys_shapes_and_dtypes_are_torchs():
    ours, theirs = twins(every_layer)
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b)
    for k in a:
        assert tuple(a[k].shape) == tuple(b[k].shape), k
        assert str(a[k].dtype) == str(b[k].dtype).replace('torch.', '').replace('long', 'int64'), k


def test_repr_is_torchs():
    ours, theirs = twins(every_layer)
    assert repr(ours) == repr(theirs)


def test_traversal_names_and_order_are_torchs():
    ours, theirs = twins(every_layer)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [type(m).__name__ for m in ours.modules()] == [type(m).__name__ for m in theirs.modules()]
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))


def test_shared_parameters_are_listed_once_and_saved_under_every_name():
    def build(n):
        shared = n.Linear(2, 2)
        return n.Sequential(shared, n.ReLU(), shared)
    ours, theirs = twins(build)
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == 2
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_weights_round_trip_between_torch_and_minigan():
    ours, theirs = twins(every_layer)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), ours.state_dict()[k].numpy())
    mg.manual_seed(1)
    fresh, _ = twins(every_layer)
    fresh.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for k, v in fresh.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), theirs.state_dict()[k].numpy())
    mg.manual_seed(2)
    direct, _ = twins(every_layer)
    direct.load_state_dict(theirs.state_dict())  # torch tensors themselves, through their .numpy()
    for k, v in direct.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), theirs.state_dict()[k].numpy())


def snapshot(module):
    return {k: v.numpy().copy() for k, v in module.state_dict().items()}


def test_load_state_dict_reports_every_problem_and_changes_nothing():
    ours, theirs = twins(lambda n: n.Sequential(n.Linear(2, 3), n.BatchNorm1d(3)))
    before = snapshot(ours)
    bad = {k: np.full(v.shape, 7.0, dtype=np.float32) for k, v in ours.state_dict().items()}
    bad['0.weight'] = np.zeros((2, 2), np.float32)
    del bad['1.bias']
    bad['extra.weight'] = np.zeros(1, np.float32)
    with pytest.raises(RuntimeError) as ours_error:
        ours.load_state_dict(bad)
    with pytest.raises(RuntimeError) as torch_error:
        theirs.load_state_dict({k: torch.tensor(v) for k, v in bad.items()})
    message = str(ours_error.value)
    for expected in ('Missing key(s) in state_dict: "1.bias"', 'Unexpected key(s) in state_dict: "extra.weight"',
                     'size mismatch for 0.weight', '(2, 2)', '(3, 2)'):
        assert expected in message
        assert expected.replace('(2, 2)', 'torch.Size([2, 2])').replace('(3, 2)', 'torch.Size([3, 2])') \
            in str(torch_error.value)
    after = snapshot(ours)
    for k in before:
        np.testing.assert_array_equal(after[k], before[k])


def test_load_state_dict_non_strict_returns_the_key_lists():
    model = nn.Sequential(nn.Linear(2, 3))
    result = model.load_state_dict({'0.weight': np.ones((3, 2), np.float32), 'x': np.ones(1)}, strict=False)
    assert result.missing_keys == ['0.bias'] and result.unexpected_keys == ['x']
    assert model[0].weight.numpy().tolist() == [[1.0, 1.0]] * 3
    with pytest.raises(RuntimeError, match='size mismatch'):  # shapes are checked even when not strict
        model.load_state_dict({'0.weight': np.ones((2, 2), np.float32)}, strict=False)


def test_load_state_dict_refuses_values_that_are_not_arrays():
    model = nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match='while copying "bias": expected a Tensor or array.*got list'):
        model.load_state_dict({'weight': np.ones((1, 2), np.float32), 'bias': [0.5]})
    assert model.weight.numpy().tolist() != [[1.0, 1.0]]  # nothing was copied
    with pytest.raises(TypeError, match='expected a dict'):
        model.load_state_dict([('weight', np.ones((1, 2)))])


def test_load_state_dict_keeps_the_parameter_objects_and_their_dtype():
    model = nn.Linear(2, 2).double()
    weight = model.weight
    model.load_state_dict({'weight': np.ones((2, 2), np.float32), 'bias': np.zeros(2, np.float32)})
    assert model.weight is weight and weight.dtype == mg.float64 and weight.requires_grad


def test_state_dict_round_trip_through_save_and_load(tmp_path):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    x = mg.randn(5, 4)
    mg.save({'model': model.state_dict()}, tmp_path / 'm.npz')
    mg.manual_seed(1)
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    assert not np.allclose(other(x).numpy(), model(x).numpy())
    other.load_state_dict(mg.load(tmp_path / 'm.npz')['model'])
    np.testing.assert_array_equal(other(x).numpy(), model(x).numpy())


def test_to_device_moves_parameters_grads_and_buffers(device):
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    model[0].weight.grad = mg.ones(2, 3)
    weight = model[0].weight
    assert model.to(device) is model
    assert model[0].weight is weight  # same Parameter object: optimizers keep working
    tensors = list(model.parameters()) + list(model.buffers()) + [weight.grad]
    assert {t.device for t in tensors} == {device}
    model.to(mg.float64)
    assert {p.dtype for p in model.parameters()} == {mg.float64}
    assert model[1].num_batches_tracked.dtype == mg.int64  # integers keep their dtype
    with pytest.raises(TypeError, match='floating'):
        model.to(mg.int32)


def test_train_eval_requires_grad_and_zero_grad():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout()))
    assert model.training and model[1][0].training
    assert model.eval() is model and not model[1][0].training
    model.train()
    assert model[1][0].training
    with pytest.raises(ValueError, match='bool'):
        model.train('no')
    model(mg.ones(1, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert model[0].weight.grad.numpy().tolist() == [[0.0, 0.0]] * 2
    model.zero_grad()
    assert model[0].weight.grad is None
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_assignment_rules_are_torchs():
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        lin.weight = mg.zeros(2, 2)
    lin.register_buffer('scale', mg.ones(1), persistent=False)
    assert 'scale' not in lin.state_dict() and [n for n, _ in lin.named_buffers()] == ['scale']
    with pytest.raises(KeyError, match='already exists'):
        lin.register_buffer('weight', mg.ones(1))
    with pytest.raises(TypeError, match='Tensor or None'):
        lin.scale = 3.0
    lin.extra = nn.ReLU()
    assert 'extra' in dict(lin.named_children())
    del lin.extra
    assert 'extra' not in dict(lin.named_children())
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        lin.nothing


def test_containers_index_like_torch():
    seq, torch_seq = twins(lambda n: n.Sequential(n.Linear(2, 3), n.ReLU(), n.Linear(3, 1)))
    assert isinstance(seq[-1], nn.Linear) and len(seq[1:]) == 2 and isinstance(seq[1:], nn.Sequential)
    assert list(seq[1:].state_dict()) == list(torch_seq[1:].state_dict())  # the original names
    with pytest.raises(IndexError, match='out of range'):
        seq[3]
    named = nn.Sequential({'fc': nn.Linear(2, 2), 'act': nn.ReLU()})
    assert list(named.state_dict()) == ['fc.weight', 'fc.bias']
    blocks = nn.ModuleList([nn.Linear(2, 2)]).append(nn.Linear(2, 2))
    assert list(blocks.state_dict()) == ['0.weight', '0.bias', '1.weight', '1.bias']
    heads = nn.ModuleDict({'a': nn.Linear(1, 1)})
    heads['b'] = nn.Linear(1, 2)
    assert list(heads) == ['a', 'b'] and 'b' in heads


def test_apply_and_forward_hooks():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    model.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert all((m.weight.numpy() == 0).all() for m in model)
    seen = []
    handle = model[0].register_forward_hook(lambda m, args, out: seen.append(out.shape))
    model(mg.ones(3, 2))
    handle.remove()
    model(mg.ones(3, 2))
    assert seen == [(3, 2)]


def test_manual_seed_makes_initialization_reproducible():
    mg.manual_seed(42)
    a = nn.Conv2d(3, 4, 3).state_dict()
    mg.manual_seed(42)
    b = nn.Conv2d(3, 4, 3).state_dict()
    for k in a:
        np.testing.assert_array_equal(a[k].numpy(), b[k].numpy())


def test_gradcheck_through_modules():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid()).double()
    x = mg.randn(2, 3, dtype='float64', requires_grad=True)
    params = list(model.parameters())

    def f(x, *ps):
        return model(x)
    assert mg.gradcheck(f, (x, *params))
    assert mg.gradgradcheck(f, (x, *params))


# ----------------------------------------------------------------------------- init
@pytest.mark.parametrize('args', [('linear',), ('conv_transpose2d',), ('sigmoid',), ('tanh',), ('relu',),
                                  ('leaky_relu',), ('leaky_relu', 0.2), ('selu',)])
def test_calculate_gain_is_torchs(args):
    assert nn.init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args), rel=1e-15)


def test_calculate_gain_refuses_unknown_names():
    with pytest.raises(ValueError, match='unsupported nonlinearity'):
        nn.init.calculate_gain('swish')


@pytest.mark.parametrize('shape', [(4, 3), (8, 3, 4, 4), (3, 8, 4, 4), (5, 2, 3)])
def test_fans_are_torchs(shape):
    assert nn.init._calculate_fan_in_and_fan_out(mg.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


def draws(fn_name, shape, **kwargs):
    """Samples of an initializer from both frameworks (different generators, same distribution)."""
    ours = getattr(nn.init, fn_name)(mg.zeros(*shape), **kwargs).numpy()
    theirs = getattr(torch.nn.init, fn_name)(torch.zeros(*shape), **kwargs).numpy()
    return ours, theirs


@pytest.mark.parametrize('fn_name, kwargs', [
    ('uniform_', dict(a=-2.0, b=3.0)), ('normal_', dict(mean=1.0, std=0.5)),
    ('xavier_uniform_', dict(gain=2.0)), ('xavier_normal_', {}),
    ('kaiming_uniform_', dict(a=math.sqrt(5))), ('kaiming_uniform_', dict(mode='fan_out', nonlinearity='relu')),
    ('kaiming_normal_', dict(nonlinearity='relu')),
])
def test_initializers_draw_torchs_distribution(fn_name, kwargs):
    ours, theirs = draws(fn_name, (256, 128, 3, 3), **kwargs)  # 294912 draws
    assert ours.dtype == np.float32
    assert ours.mean() == pytest.approx(float(theirs.mean()), abs=0.02 * float(theirs.std()))
    assert ours.std() == pytest.approx(float(theirs.std()), rel=0.02)
    if 'uniform' in fn_name:  # the same support: the extremes of 300k draws are within 0.1% of it
        assert ours.min() == pytest.approx(theirs.min(), rel=1e-3)
        assert ours.max() == pytest.approx(theirs.max(), rel=1e-3)


@pytest.mark.parametrize('shape', [(6, 4), (4, 6), (3, 2, 2, 2)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):  # what torch's orthogonal_ promises
    w = nn.init.orthogonal_(mg.zeros(*shape, dtype='float64'), gain=2.0).numpy().reshape(shape[0], -1)
    small = min(w.shape)
    product = w @ w.T if w.shape[0] == small else w.T @ w
    np.testing.assert_allclose(product, 4.0 * np.eye(small), atol=1e-12)


def test_constant_initializers_and_refusals():
    w = nn.Parameter(mg.zeros(3, 2))
    assert nn.init.ones_(w) is w and w.numpy().tolist() == [[1.0, 1.0]] * 3 and not w.grad_fn
    nn.init.constant_(w, 0.5)
    assert (w.numpy() == 0.5).all()
    with pytest.raises(ValueError, match='at least 2 dimensions'):
        nn.init.xavier_uniform_(mg.zeros(3))
    with pytest.raises(ValueError, match='fan_in, fan_out'):
        nn.init.kaiming_normal_(mg.zeros(3, 3), mode='fan_middle')


@pytest.mark.parametrize('layer', [
    lambda n: n.Linear(200, 300), lambda n: n.Conv2d(16, 300, 3), lambda n: n.ConvTranspose2d(16, 300, 4, 2, 1),
    lambda n: n.Embedding(300, 64), lambda n: n.BatchNorm2d(300), lambda n: n.LayerNorm(300),
])
def test_default_initialization_is_torchs(layer):
    ours, theirs = twins(layer)
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        a, b = a.numpy().ravel(), b.detach().numpy().ravel()
        # the spread of a std estimate from n draws is about std/sqrt(2n); allow 5 of those
        assert float(a.std()) == pytest.approx(float(b.std()), rel=5 / math.sqrt(2 * a.size), abs=1e-12), name
        if name == 'bias' or not isinstance(ours, nn.Embedding):  # uniform: the same support
            assert float(abs(a).max()) == pytest.approx(float(abs(b).max()), rel=0.03, abs=1e-12), name


def test_a_training_step_runs_on_the_device(device):
    """Layers, init, spectral norm, every optimizer, EMA and clipping keep to one array module
    (on 'cuda' without a GPU, the strict stand-in raises at any host/device mix)."""
    model = nn.Sequential(nn.utils.spectral_norm(nn.Conv2d(1, 2, 3, padding=1, padding_mode='reflect')),
                          nn.BatchNorm2d(2), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(8, 1)).to(device)
    nn.init.orthogonal_(model[0].weight_orig)
    nn.init.kaiming_normal_(model[4].weight)
    embedding = nn.Embedding(3, 2, padding_idx=0).to(device)
    embedding(mg.tensor([0, 2], device=device)).sum().backward()
    ema = mg.optim.EMA(model, decay=0.9)
    x = mg.randn(4, 1, 2, 2, device=device)
    for opt in (mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
                mg.optim.Adam(model.parameters(), amsgrad=True, weight_decay=0.1),
                mg.optim.RMSprop(model.parameters(), centered=True, momentum=0.5)):
        for _ in range(2):
            opt.zero_grad()
            model(x).sum().backward()
            opt.step()
        opt.load_state_dict(opt.state_dict())
        ema.update()
    mg.optim.clip_weights(model, 0.05)
    ema.copy_to(model)
    assert {t.device for t in list(model.parameters()) + list(model.buffers())} == {device}
    assert {t.device for t in ema.shadow.values()} == {device}
