"""ops/links.py: value-free links in the graph of a gradient, and the zero gradients they hand out."""
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan.ops.links import is_zero, link, pass_zeros, zero_gradient


def test_zero_gradient_is_a_broadcast_zero_inside_the_graph_and_a_real_array_for_a_leaf(device):
    leaf = mg.randn(3, 4, device=device, requires_grad=True)
    inner = leaf * 2.0
    z_inner, z_leaf = zero_gradient(inner), zero_gradient(leaf)
    assert z_inner.shape == z_leaf.shape == (3, 4) and z_inner.device == z_leaf.device == device
    assert not any(z_inner.array.strides) and is_zero(z_inner)  # one 0, no memory
    assert all(z_leaf.array.strides) and not z_leaf.numpy().any()
    z_leaf.array[...] = 1.0  # a leaf's gradient is writable, as .grad must be


def test_is_zero_only_for_a_broadcast_zero(device):
    ones = mg.ones(3, 4, device=device).sum(0, keepdim=True)
    assert not is_zero(mg.broadcast_to(ones, (5, 4)) * 0.0)  # computed zeros: an ordinary array
    assert not is_zero(mg.tensor(1.0, device=device).expand(2, 3))  # a broadcast 1 (sum's backward)
    assert is_zero(mg.tensor(0.0, device=device).expand(2, 3))


def test_link_records_only_when_the_backward_is_recorded():
    x = mg.randn(3, 4, requires_grad=True)
    (g,) = mg.grad(F.relu(x).sum(), x)
    assert not g.requires_grad
    (g,) = mg.grad(F.relu(x).sum(), x, create_graph=True)
    assert g.requires_grad and type(g.grad_fn).__name__ == 'Link'
    (gg,) = mg.grad(g.sum(), x)
    assert gg.shape == x.shape and not gg.numpy().any()
    c = mg.randn(3, 4)
    assert link(c, c, zeros=True) is c  # nothing requires grad: no node


def test_pass_zeros_only_for_a_zero_gradient_outside_a_recorded_backward():
    x, w = mg.randn(1, 2, 5, 5, requires_grad=True), mg.randn(3, 2, 3, 3, requires_grad=True)
    y = F.conv2d(x * 1.0, w)
    zero = zero_gradient(y)
    with mg.no_grad():
        grads = pass_zeros(y.grad_fn, zero)
        assert [tuple(g.shape) for g in grads] == [(1, 2, 5, 5), (3, 2, 3, 3)]
        assert is_zero(grads[0]) and not grads[1].numpy().any()  # w is a leaf: a real zeros array
        assert pass_zeros(y.grad_fn, mg.ones(*y.shape)) is None
    assert pass_zeros(y.grad_fn, zero) is None  # recording: the backward must build its graph


def test_a_zero_gradient_through_conv_and_leaky_relu_gives_what_the_full_backward_gives():
    """grad(zero, ...) by the short cut equals the ordinary backward of an explicit zero array."""
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((2, 2, 6, 6)), requires_grad=True)
    w = mg.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    b = mg.tensor(rng.standard_normal(3), requires_grad=True)
    y = F.leaky_relu(F.conv2d(F.leaky_relu(x * 1.0, 0.2), w, b), 0.2)
    short = mg.grad(y, [x, w, b], grad_outputs=zero_gradient(y), retain_graph=True)
    full = mg.grad(y, [x, w, b], grad_outputs=mg.zeros(*y.shape, dtype=mg.float64))
    for s, f in zip(short, full):
        assert s.shape == f.shape and not s.numpy().any() and not f.numpy().any()


def test_two_zero_gradients_into_one_tensor_stay_one_broadcast_zero(monkeypatch):
    """z1 = conv1(x) feeds leaky_relu; in the penalty's backward z1 gets a zero twice: from that
    activation's link, and through it from conv2 (which got the next activation's zero). Summed,
    the two must stay a broadcast zero, or conv1 would multiply zeros. Checked by counting products."""
    from minigan.ops import conv
    rng = np.random.default_rng(3)
    x = mg.tensor(rng.standard_normal((2, 1, 6, 6)), requires_grad=True)
    w1, w2 = (mg.tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 1, 3, 3), (2, 3, 3, 3)])

    def critic(v):  # conv -> leaky_relu -> conv -> leaky_relu
        return F.leaky_relu(F.conv2d(F.leaky_relu(F.conv2d(v, w1), 0.2), w2), 0.2).sum()
    (g,) = mg.grad(critic(x), x, create_graph=True)
    products = []
    real = conv._bmm
    monkeypatch.setattr(conv, '_bmm', lambda *a, **k: products.append(1) or real(*a, **k))
    grads = mg.grad((g * g).sum(), [x, w1, w2])
    assert len(products) == 4  # the two products of each of the penalty graph's two transposed convs
    assert all(t is not None for t in grads)
