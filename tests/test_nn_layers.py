"""Every layer against its torch twin (forward, input and parameter gradients, buffers; float64),
train/eval behaviour of BatchNorm and Dropout, spectral norm, and gradchecks through modules."""
import numpy as np
import pytest

import minigan as mg
from minigan import nn

torch = pytest.importorskip('torch')

RTOL, ATOL = 1e-6, 1e-9


@pytest.fixture(autouse=True)
def seeded():
    mg.manual_seed(0)
    torch.manual_seed(0)


def run_both(build, x, mode='train', steps=1, source='minigan'):
    """Build the layer in both frameworks with the same float64 weights, run ``steps`` forward and
    backward passes on x with a fixed upstream gradient, and compare everything after each."""
    ours, theirs = build(nn).double(), build(torch.nn).double()
    if source == 'minigan':
        theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    else:
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    getattr(ours, mode)()
    getattr(theirs, mode)()
    floating = np.issubdtype(x.dtype, np.floating)
    for step in range(steps):
        xo, xt = mg.tensor(x, requires_grad=floating), torch.tensor(x, requires_grad=floating)
        yo, yt = ours(xo), theirs(xt)
        np.testing.assert_allclose(yo.numpy(), yt.detach().numpy(), rtol=RTOL, atol=ATOL)
        if not yt.requires_grad:
            continue
        g = np.random.default_rng(step).standard_normal(tuple(yt.shape))
        (yo * mg.tensor(g)).sum().backward()
        (yt * torch.tensor(g)).sum().backward()
        if floating:
            np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=RTOL, atol=ATOL)
        tp = dict(theirs.named_parameters())
        for k, p in ours.named_parameters():
            if tp[k].grad is None:
                assert p.grad is None, k
            else:
                np.testing.assert_allclose(p.grad.numpy(), tp[k].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=k)
        ts = theirs.state_dict()
        for k, v in ours.state_dict().items():
            np.testing.assert_allclose(v.numpy(), ts[k].numpy(), rtol=RTOL, atol=ATOL, err_msg=k)
    return ours, theirs


def randn(*shape):
    return np.random.default_rng(sum(shape)).standard_normal(shape)


LAYERS = {
    'Linear': (lambda n: n.Linear(5, 3), (4, 5)),
    'Linear-3d-no-bias': (lambda n: n.Linear(5, 3, bias=False), (2, 4, 5)),
    'Conv2d': (lambda n: n.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 7, 7)),
    'Conv2d-reflect': (lambda n: n.Conv2d(3, 4, 3, padding=2, padding_mode='reflect'), (2, 3, 6, 6)),
    'Conv2d-replicate-rect': (lambda n: n.Conv2d(2, 4, (3, 2), padding=(1, 2), padding_mode='replicate'),
                              (2, 2, 5, 6)),
    'Conv2d-same-even-kernel': (lambda n: n.Conv2d(3, 2, 4, padding='same'), (1, 3, 6, 5)),
    'Conv2d-same-reflect': (lambda n: n.Conv2d(3, 2, 4, padding='same', padding_mode='reflect'), (1, 3, 6, 5)),
    'Conv2d-valid-dilated-grouped': (lambda n: n.Conv2d(4, 6, 3, padding='valid', dilation=2, groups=2),
                                     (2, 4, 8, 8)),
    'ConvTranspose2d': (lambda n: n.ConvTranspose2d(4, 3, 4, 2, 1), (2, 4, 5, 5)),
    'ConvTranspose2d-outpad-grouped': (lambda n: n.ConvTranspose2d(4, 6, 3, 2, 1, output_padding=1, groups=2),
                                       (2, 4, 4, 4)),
    'BatchNorm1d-2d': (lambda n: n.BatchNorm1d(5), (8, 5)),
    'BatchNorm1d-3d': (lambda n: n.BatchNorm1d(3, momentum=0.3), (4, 3, 6)),
    'BatchNorm2d': (lambda n: n.BatchNorm2d(3), (4, 3, 5, 5)),
    'BatchNorm2d-cumulative': (lambda n: n.BatchNorm2d(3, momentum=None, affine=False), (4, 3, 2, 2)),
    'BatchNorm2d-untracked': (lambda n: n.BatchNorm2d(3, track_running_stats=False), (4, 3, 2, 2)),
    'InstanceNorm2d': (lambda n: n.InstanceNorm2d(3), (2, 3, 5, 5)),
    'InstanceNorm2d-affine-tracked': (lambda n: n.InstanceNorm2d(3, affine=True, track_running_stats=True),
                                      (2, 3, 4, 4)),
    'InstanceNorm2d-unbatched': (lambda n: n.InstanceNorm2d(3, affine=True), (3, 4, 4)),
    'LayerNorm': (lambda n: n.LayerNorm([3, 4, 4]), (2, 3, 4, 4)),
    'LayerNorm-last-no-bias': (lambda n: n.LayerNorm(6, bias=False, eps=1e-3), (2, 5, 6)),
    'GroupNorm': (lambda n: n.GroupNorm(2, 4), (3, 4, 3, 3)),
    'Flatten-Unflatten': (lambda n: n.Sequential(n.Flatten(), n.Unflatten(1, (3, -1, 2))), (2, 3, 4, 2)),
    'Upsample-nearest': (lambda n: n.Upsample(scale_factor=2), (2, 3, 3, 4)),
    'Upsample-bilinear-size': (lambda n: n.Upsample(size=(5, 7), mode='bilinear', align_corners=False),
                               (1, 2, 3, 4)),
    'ReflectionPad2d': (lambda n: n.ReflectionPad2d((1, 2, 0, 3)), (2, 3, 4, 5)),
    'ReplicationPad2d': (lambda n: n.ReplicationPad2d(2), (2, 3, 4, 5)),
    'ZeroPad2d': (lambda n: n.ZeroPad2d(1), (2, 3, 4, 5)),
    'activations': (lambda n: n.Sequential(n.LeakyReLU(0.2), n.Linear(4, 4), n.ReLU(), n.Linear(4, 4), n.Tanh(),
                                           n.Linear(4, 4), n.Sigmoid(), n.Identity(54, unused='x')), (3, 4)),
}


@pytest.mark.filterwarnings('ignore:Using padding=.same. with even kernel')  # torch's own notice
@pytest.mark.parametrize('mode', ['train', 'eval'])
@pytest.mark.parametrize('name', LAYERS)
def test_layer_matches_torch(name, mode):
    build, shape = LAYERS[name]
    run_both(build, randn(*shape), mode, steps=2 if mode == 'train' else 1)


def test_batchnorm_momentum_none_is_a_cumulative_average_over_many_steps():
    run_both(lambda n: n.BatchNorm2d(2, momentum=None), randn(3, 2, 2, 2), 'train', steps=4)


def test_weights_from_torch_work_too():
    run_both(lambda n: n.Sequential(n.Conv2d(2, 3, 3, padding=1), n.BatchNorm2d(3), n.ConvTranspose2d(3, 2, 4, 2, 1)),
             randn(2, 2, 4, 4), 'train', source='torch')


def test_conv_transpose_output_size_picks_torchs_output_padding():
    ours, theirs = run_both(lambda n: n.ConvTranspose2d(2, 3, 3, stride=2, padding=1), randn(1, 2, 4, 4))
    x = randn(1, 2, 4, 4)
    for size in [(7, 7), (8, 8), (7, 8)]:
        expected = theirs(torch.tensor(x), output_size=size).detach().numpy()
        np.testing.assert_allclose(ours(mg.tensor(x), output_size=size).numpy(), expected, rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError, match='not reachable'):
        ours(mg.tensor(x), output_size=(10, 10))


def test_embedding_matches_torch_and_gives_the_padding_row_no_gradient():
    ours, theirs = run_both(lambda n: n.Embedding(6, 3, padding_idx=2), np.array([[0, 2, 5], [2, 2, 1]]))
    assert (ours.weight.grad.numpy()[2] == 0).all()
    run_both(lambda n: n.Embedding(4, 2), np.array([3, 0, 3]))
    with pytest.raises(TypeError, match='integer indices'):
        ours(mg.ones(2))


def test_batchnorm_train_uses_batch_statistics_and_eval_uses_running_ones():
    bn = nn.BatchNorm1d(2)
    x = mg.tensor([[1.0, 10.0], [3.0, 30.0]])
    y = bn(x)
    np.testing.assert_allclose(y.numpy(), [[-1, -1], [1, 1]], atol=1e-4)  # normalized by the batch
    np.testing.assert_allclose(bn.running_mean.numpy(), [0.2, 2.0], rtol=1e-6)  # 0.9·0 + 0.1·mean
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    before = bn.state_dict()['running_var'].numpy().copy()
    y = bn(x)
    expected = (x.numpy() - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + 1e-5)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6)
    np.testing.assert_array_equal(bn.running_var.numpy(), before)  # eval does not update
    assert bn.num_batches_tracked.item() == 1
    with pytest.raises(ValueError, match='expected 2D or 3D input'):
        bn(mg.ones(2, 2, 2, 2))
    with pytest.raises(ValueError, match='num_features'):
        nn.BatchNorm2d(3)(mg.ones(2, 4, 2, 2))


def test_dropout_in_training_zeroes_with_probability_p_and_rescales():
    drop = nn.Dropout(0.25)
    x = mg.ones(200, 500)
    y = drop(x).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.01  # 100k draws: the kept fraction is 0.75 +- 0.0014
    assert np.array_equal(drop.eval()(x).numpy(), x.numpy())
    assert (nn.Dropout(0.0)(x).numpy() == 1).all() and (nn.Dropout(1.0)(x).numpy() == 0).all()
    with pytest.raises(ValueError, match=r'Dropout: p must be a finite number in \[0, 1\]'):
        nn.Dropout(1.5)


def test_layers_refuse_bad_configurations():
    with pytest.raises(ValueError, match='padding_mode'):
        nn.Conv2d(1, 1, 3, padding_mode='circular')
    with pytest.raises(ValueError, match='strided'):
        nn.Conv2d(1, 1, 3, stride=2, padding='same')
    with pytest.raises(ValueError, match='groups'):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match='zeros'):
        nn.ConvTranspose2d(1, 1, 3, padding_mode='reflect')
    with pytest.raises(ValueError, match='divisible'):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match='padding'):
        nn.ReflectionPad2d((1, 2))


# ----------------------------------------------------------------------------- spectral norm
SN_LAYERS = {
    'Linear': (lambda n: n.Linear(5, 4), (3, 5)),
    'Conv2d': (lambda n: n.Conv2d(3, 4, 3, padding=1), (2, 3, 5, 5)),
    'ConvTranspose2d': (lambda n: n.ConvTranspose2d(4, 3, 4, 2, 1), (2, 4, 3, 3)),
}


@pytest.mark.parametrize('name', SN_LAYERS)
def test_spectral_norm_matches_torch_in_training_and_eval(name):
    build, shape = SN_LAYERS[name]
    ours, theirs = run_both(lambda n: n.utils.spectral_norm(build(n), n_power_iterations=2), randn(*shape),
                            'train', steps=3)  # u, v, outputs and grads of weight_orig after each step
    assert list(ours.state_dict())[-3:] == ['weight_orig', 'weight_u', 'weight_v']
    u = ours.weight_u.numpy().copy()
    ours.eval()
    theirs.eval()
    x = randn(*shape)
    np.testing.assert_allclose(ours(mg.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=RTOL)
    np.testing.assert_array_equal(ours.weight_u.numpy(), u)  # eval: no power iteration


def test_spectral_norm_called_twice_before_backward_matches_torch():
    """A GAN step runs D on real and on fake images before one backward: the second call moves
    u and v, yet the first call's graph must still differentiate with the u, v it used."""
    ours, theirs = run_both(lambda n: n.utils.spectral_norm(n.Linear(4, 3)), randn(2, 4), steps=0)
    a, b = randn(2, 4), randn(5, 4)
    (ours(mg.tensor(a)).sum() + (ours(mg.tensor(b)) ** 2).sum()).backward()
    (theirs(torch.tensor(a)).sum() + (theirs(torch.tensor(b)) ** 2).sum()).backward()
    np.testing.assert_allclose(ours.weight_orig.grad.numpy(), theirs.weight_orig.grad.numpy(), rtol=RTOL)
    np.testing.assert_allclose(ours.weight_u.numpy(), theirs.weight_u.numpy(), rtol=RTOL)


def test_spectral_norm_bounds_the_largest_singular_value_and_can_be_removed():
    layer = nn.utils.spectral_norm(nn.Linear(20, 10).double(), n_power_iterations=30)
    layer(mg.ones(1, 20, dtype='float64'))
    assert np.linalg.svd(layer.weight.numpy(), compute_uv=False)[0] == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(RuntimeError, match='two spectral_norm'):
        nn.utils.spectral_norm(layer)
    nn.utils.remove_spectral_norm(layer)
    assert [n for n, _ in layer.named_parameters()] == ['bias', 'weight']
    assert list(layer.state_dict()) == ['bias', 'weight']


def test_gradcheck_through_spectral_norm():
    layer = nn.utils.spectral_norm(nn.Linear(3, 2).double()).eval()  # eval: u, v fixed
    x = mg.randn(2, 3, dtype='float64', requires_grad=True)
    assert mg.gradcheck(lambda x, w: layer(x), (x, layer.weight_orig))


# ----------------------------------------------------------------------------- gradchecks
def test_gradcheck_through_a_conv_discriminator():
    critic = nn.Sequential(nn.Conv2d(1, 2, 3, 2, 1), nn.BatchNorm2d(2), nn.LeakyReLU(0.2),
                           nn.InstanceNorm2d(2, affine=True), nn.Flatten(), nn.Linear(8, 1)).double()
    x = mg.randn(2, 1, 4, 4, dtype='float64', requires_grad=True)
    params = list(critic.parameters())
    assert mg.gradcheck(lambda x, *ps: critic(x), (x, *params))


def test_gradgradcheck_through_a_generator_block_for_gradient_penalties():
    block = nn.Sequential(nn.ConvTranspose2d(2, 1, 4, 2, 1), nn.GroupNorm(1, 1), nn.Tanh(),
                          nn.Upsample(scale_factor=2), nn.ReflectionPad2d(1), nn.Conv2d(1, 1, 3)).double()
    x = mg.randn(1, 2, 2, 2, dtype='float64', requires_grad=True)
    w = block[5].weight
    assert mg.gradgradcheck(lambda x, w: block(x), (x, w))
