"""Kernels follow memory order (README, "the rules every op keeps").

A convolution returns an (N, C, H, W) view of (C, H, W, N) storage. On such a tensor every
elementwise, activation, normalization and optimizer kernel must give the values of the
contiguous computation (here: torch's, to second order), and hand its output -- and the input's
gradient -- back in the input's layout. Blocks are made tiny so that the kernels really run cut
into slabs on the thread pool (ops/parallel.py), as they do on full-size tensors.
"""
import numpy as np
import pytest

import minigan as mg
import minigan.functional as F
from minigan.ops import parallel

from .torch_parity import check_parity


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(parallel, 'BLOCK', 16)


def conv_layout(a):
    """The values of (N, C, H, W) ``a`` as a convolution lays them out: (C, H, W, N) storage."""
    xp = mg.backend.xp_of(a)
    return xp.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


def data(seed, shape, loc=0.0, scale=1.0):
    return np.random.default_rng((seed, 7)).standard_normal(shape) * scale + loc


SHAPE = (4, 3, 5, 6)
CASES = {  # name: (minigan function, torch function name and keywords, channel vectors)
    'relu': (lambda x: F.relu(x), lambda tf, x: tf.relu(x), 0),
    'leaky_relu': (lambda x: F.leaky_relu(x, 0.2), lambda tf, x: tf.leaky_relu(x, 0.2), 0),
    'leaky_relu slope 1.5': (lambda x: F.leaky_relu(x, 1.5), lambda tf, x: tf.leaky_relu(x, 1.5), 0),
    'tanh': (lambda x: F.tanh(x), lambda tf, x: tf.tanh(x), 0),
    'scale and shift': (lambda x: x * 3.0 - 1.0, lambda tf, x: x * 3.0 - 1.0, 0),
    'batch_norm': (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                   lambda tf, x, w, b: tf.batch_norm(x, None, None, w, b, training=True), 2),
    'batch_norm without affine': (lambda x: F.batch_norm(x, None, None, training=True),
                                  lambda tf, x: tf.batch_norm(x, None, None, training=True), 0),
    'instance_norm': (lambda x, w, b: F.instance_norm(x, None, None, w, b),
                      lambda tf, x, w, b: tf.instance_norm(x, None, None, w, b), 2),
}


@pytest.mark.parametrize('name', CASES)
def test_a_kernel_on_a_convolution_layout_matches_torch_and_keeps_the_layout(name, device, small_blocks):
    torch = pytest.importorskip('torch')
    fn, torch_fn, vectors = CASES[name]
    arrays = [data(0, SHAPE, loc=1.0, scale=2.0)] + [data(i, (SHAPE[1],)) for i in (1, 2)][:vectors]
    y, grads = check_parity(torch, fn, lambda *ts: torch_fn(torch.nn.functional, *ts), arrays, device,
                            layout=conv_layout)
    stored = conv_layout(mg.zeros(*SHAPE, dtype=mg.float64, device=device).array).strides
    assert y.array.strides == stored, f"{name}: output strides {y.array.strides}, input {stored}"
    assert grads[0].array.strides == stored, f"{name}: gradient strides {grads[0].array.strides}"


def test_the_gradient_takes_the_inputs_layout_whatever_layout_it_arrives_in(device, small_blocks):
    """leaky_relu of a convolution's output, followed by a Linear: the gradient arrives
    contiguous, and leaves in the convolution's layout (what the convolution's backward reads)."""
    x = mg.Tensor(conv_layout(mg.randn(*SHAPE, dtype=mg.float64, device=device).array)).requires_grad_()
    g = mg.randn(*SHAPE, dtype=mg.float64, device=device)
    (gx,) = mg.grad(F.leaky_relu(x, 0.2), x, g)
    assert gx.array.strides == x.array.strides
    np.testing.assert_array_equal(gx.numpy(), np.where(x.numpy() > 0, 1.0, 0.2) * g.numpy())


@pytest.mark.parametrize('make', [
    lambda ps, o: o.Adam(ps, lr=0.01, betas=(0.5, 0.999)),
    lambda ps, o: o.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.1),
    lambda ps, o: o.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps, o: o.RMSprop(ps, lr=0.01, centered=True, momentum=0.5),
], ids=['adam', 'adam-amsgrad-wd', 'sgd-nesterov', 'rmsprop-centered'])
def test_optimizers_take_gradients_in_a_convolution_layout(make, device, small_blocks):
    """A conv weight's gradient comes from a GEMM in its own layout; the update is the same."""
    torch = pytest.importorskip('torch')
    start = data(3, SHAPE)
    p = mg.nn.Parameter(mg.tensor(start, dtype=mg.float64, device=device))
    q = torch.nn.Parameter(torch.tensor(start))
    ours, theirs = make([p], mg.optim), make([q], torch.optim)
    for t in range(5):
        g = data(10 + t, SHAPE)
        p.grad = mg.Tensor(conv_layout(mg.tensor(g, dtype=mg.float64, device=device).array))
        q.grad = torch.tensor(g)
        ours.step()
        theirs.step()
    np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert p.array.flags['C_CONTIGUOUS']


# ----------------------------------------------------------------------------- ops/parallel.py itself
def test_storage_order_names_the_axes_outermost_first():
    a = np.zeros((4, 3, 5, 6))
    assert parallel.storage_order(a) == (0, 1, 2, 3)
    assert parallel.storage_order(conv_layout(a)) == (1, 2, 3, 0)
    assert parallel.storage_order(np.zeros((4, 1, 5, 6)).transpose(1, 0, 2, 3)) == (1, 2, 3, 0)  # size 1 last
    order = parallel.storage_order(conv_layout(a))
    assert conv_layout(a).transpose(order).flags['C_CONTIGUOUS']
    assert parallel.inverse(order) == (3, 0, 1, 2)


@pytest.mark.parametrize('layout', [np.ascontiguousarray, conv_layout], ids=['contiguous', 'conv'])
def test_blocks_cut_contiguous_slabs_that_cover_every_element_once(layout, monkeypatch):
    monkeypatch.setattr(parallel, 'BLOCK', 16)
    x = layout(data(4, SHAPE))
    seen = layout(np.zeros(SHAPE))
    per_channel = data(5, (1, SHAPE[1], 1, 1))
    out = np.empty_like(x)
    slabs = []

    def kernel(x, seen, c, out):
        slabs.append(x.flags['C_CONTIGUOUS'])
        seen += 1
        np.multiply(x, c, out=out)
    parallel.blocks(kernel, x, x, seen, per_channel, out)
    assert len(slabs) > 1 and all(slabs)  # cut along the outermost axis in memory
    np.testing.assert_array_equal(seen, 1)
    np.testing.assert_array_equal(out, x * per_channel)
    assert out.strides == x.strides


def test_blocks_of_mixed_layouts_and_absent_operands(monkeypatch):
    monkeypatch.setattr(parallel, 'BLOCK', 16)
    mask = conv_layout(data(6, SHAPE)) > 0
    g = data(7, SHAPE)  # contiguous, against the mask's convolution layout
    out = np.empty_like(mask, dtype=g.dtype)

    def kernel(g, mask, out, nothing):
        assert nothing is None
        np.multiply(g, mask, out=out)
    parallel.blocks(kernel, mask, g, mask, out, None)
    np.testing.assert_array_equal(out, g * mask)


@pytest.mark.parametrize('dims', [(0, 2, 3), (2, 3), (1,), (0,)])
@pytest.mark.parametrize('layout', [np.ascontiguousarray, conv_layout], ids=['contiguous', 'conv'])
def test_sums_over_dims_add_or_stack_the_slabs(dims, layout, monkeypatch):
    monkeypatch.setattr(parallel, 'BLOCK', 16)
    a, b = layout(data(8, SHAPE)), layout(data(9, SHAPE))

    def kernel(dims_here, a, b):
        return (a * b).sum(axis=dims_here, keepdims=True)
    total = parallel.sums(kernel, a, dims, a, b)
    np.testing.assert_allclose(total, (a * b).sum(axis=dims, keepdims=True), rtol=1e-12)
    assert total.flags['C_CONTIGUOUS']


def test_many_runs_every_task_over_every_element_once(monkeypatch):
    monkeypatch.setattr(parallel, 'BLOCK', 16)  # pieces of 4 elements: every array is cut
    arrays = [conv_layout(data(10, SHAPE)), data(11, (7, 5)), data(12, (3,)), np.array(2.0)]
    seen = [np.zeros_like(a) for a in arrays]  # zeros_like keeps the layout
    pieces = []

    def kernel(a, seen, nothing):
        assert nothing is None
        pieces.append(a.size)
        seen += a
    parallel.many([(kernel, a, a, s, None) for a, s in zip(arrays, seen)])
    for a, s in zip(arrays, seen):
        np.testing.assert_array_equal(s, a)
    assert len(pieces) > len(arrays) and max(pieces) < SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3]
