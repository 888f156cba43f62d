"""backward() and grad(): accumulation, graph freeing, higher order, grad modes, errors."""
import gc
import weakref

import numpy as np
import pytest

import minigan as mg
from minigan.function import Function


def test_third_derivative_of_x_to_the_fourth():
    x = mg.tensor(2.0, requires_grad=True)
    (g,) = mg.grad([x ** 4], [x], create_graph=True)
    (h,) = mg.grad([g], [x], create_graph=True)
    (t,) = mg.grad([h], [x])
    assert (g.item(), h.item(), t.item()) == (32.0, 48.0, 48.0)


def test_leaf_gradients_accumulate_across_backward_calls():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array([1, 2, 3]) + 3)


def test_a_tensor_used_on_several_paths_gets_the_sum_of_their_gradients():
    x = mg.tensor(3.0, requires_grad=True)
    a = x * x          # da/dx = 2x
    y = a * x + a + x  # x^3 + x^2 + x -> 3x^2 + 2x + 1 = 34
    y.backward()
    assert x.grad.item() == 34.0


def test_gradients_summed_in_place_leave_the_ones_they_came_from_unchanged():
    # a gets four gradients; three are the very tensor b's Adds hand to both their inputs
    # (1 each), so adding the third and fourth into the running sum must not write into them
    x = mg.tensor([1.0, -2.0], requires_grad=True)
    a = x * 1.0
    b = a + a + a
    for t in (a, b):
        t.retain_grad()
    (b.sum() + (2.0 * a).sum()).backward()
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(a.grad.numpy(), [5.0, 5.0])  # d/da (3a + 2a)
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])
    x.grad, a = None, x * 1.0
    (g,) = mg.autograd.grad((a * a + a * a + a * a).sum(), [x], create_graph=True)  # 6x
    np.testing.assert_array_equal(g.numpy(), [6.0, -12.0])
    g.sum().backward()  # the recorded sum is differentiable: d/dx sum(6x) = 6
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_backward_of_a_non_scalar_needs_a_gradient_of_its_shape():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    with pytest.raises(RuntimeError, match='scalar'):
        y.backward()
    with pytest.raises(ValueError, match=r'shape \(3,\).*\(2,\)'):
        y.backward(mg.ones(3))
    y.backward(mg.tensor([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 30.0])


def test_second_backward_through_a_freed_graph_says_so():
    x = mg.tensor(1.5, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match='second time.*retain_graph=True'):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = mg.tensor(1.5, requires_grad=True)
    y = x.exp() * x
    y.backward(retain_graph=True)
    first = x.grad.item()
    y.backward()
    assert x.grad.item() == pytest.approx(2 * first)
    assert first == pytest.approx(np.exp(1.5) * 2.5)


def test_backward_frees_the_graph_it_ran_through():
    x = mg.tensor(np.ones(3), requires_grad=True)
    hidden = (x * 2).exp()
    node = weakref.ref(hidden.grad_fn)
    hidden_ref = weakref.ref(hidden)
    loss = hidden.sum()
    del hidden
    assert hidden_ref() is not None, "the graph keeps intermediate results alive for backward"
    loss.backward()
    assert hidden_ref() is None and node() is None, "backward released the intermediates"


def test_an_unused_graph_is_freed_by_reference_counting_alone():
    gc.disable()  # no cycle collector: nodes must not form reference cycles with their tensors
    try:
        x = mg.randn(4, requires_grad=True)
        y = (x.exp() + x).sum()
        node = weakref.ref(y.grad_fn)
        inner = weakref.ref(y.grad_fn.inputs[0])
        del y
        assert node() is None and inner() is None
    finally:
        gc.enable()


def test_retained_graph_stays_alive():
    x = mg.tensor(np.ones(3), requires_grad=True)
    hidden = x * 2
    hidden_ref = weakref.ref(hidden)
    loss = hidden.sum()
    del hidden
    loss.backward(retain_graph=True)
    assert hidden_ref() is not None


def test_a_chain_of_100000_ops_backpropagates_without_recursion():
    x = mg.tensor(0.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert y.item() == 100_000.0 and x.grad.item() == 1.0
    deep = x
    for _ in range(100_000):
        deep = deep * 1.0
    del deep  # freeing a deep graph without backward must not overflow the C stack either


def test_create_graph_gives_a_differentiable_gradient():
    x = mg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    ((x ** 3).sum()).backward(create_graph=True)
    assert x.grad.requires_grad
    v = mg.tensor([1.0, 2.0, 3.0])
    (hvp,) = mg.grad([(x.grad * v).sum()], [x])  # Hessian of sum(x^3) is diag(6x)
    np.testing.assert_allclose(hvp.numpy(), 6 * np.array([0.5, -1.0, 2.0]) * [1, 2, 3])


def test_grad_returns_gradients_without_touching_dot_grad():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, 4.0], requires_grad=True)
    gx, gw = mg.grad([(x * w).sum()], [x, w])
    np.testing.assert_allclose(gx.numpy(), [3, 4])
    np.testing.assert_allclose(gw.numpy(), [1, 2])
    assert x.grad is None and w.grad is None
    assert not gx.requires_grad


def test_grad_with_respect_to_an_intermediate_tensor():
    x = mg.tensor(2.0, requires_grad=True)
    h = x * x
    y = h * 3 + h * h  # dy/dh = 3 + 2h = 11
    (gh,) = mg.grad(y, h)
    assert gh.item() == 11.0


def test_grad_outputs_weight_several_outputs():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (g,) = mg.grad([x * 2, x * x], [x], grad_outputs=[mg.tensor([1.0, 1.0]), mg.tensor([10.0, 0.0])])
    np.testing.assert_allclose(g.numpy(), [2 + 10 * 2, 2])


def test_grad_of_an_unused_input_raises_unless_allowed():
    x = mg.tensor(1.0, requires_grad=True)
    unused = mg.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match='allow_unused'):
        mg.grad([x * 2], [x, unused], retain_graph=True)
    gx, gu = mg.grad([x * 2], [x, unused], allow_unused=True)
    assert gx.item() == 2.0 and gu is None


def test_grad_argument_errors_name_the_problem():
    x = mg.tensor(1.0, requires_grad=True)
    const = mg.tensor(1.0)
    with pytest.raises(RuntimeError, match=r'inputs\[0\] does not require grad'):
        mg.grad([x * 2], [const])
    with pytest.raises(RuntimeError, match=r'outputs\[0\] does not require grad'):
        mg.grad([const * 2], [x])
    with pytest.raises(TypeError, match='expected a Tensor'):
        mg.grad([x * 2], [1.0])


class RecordsWhichGradsItIsAskedFor(Function):
    asked = []

    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        RecordsWhichGradsItIsAskedFor.asked.append(self.needs_input_grad)
        a, b = self.inputs
        return gy * b, gy * a


def test_grad_skips_gradients_nobody_asked_for():
    """grad(D(x), x) must not compute D's weight gradients: a gradient penalty would pay twice."""
    x = mg.randn(3, requires_grad=True)
    w = mg.randn(3, requires_grad=True)
    RecordsWhichGradsItIsAskedFor.asked.clear()
    mg.grad([RecordsWhichGradsItIsAskedFor()(x, w).sum()], [x])
    assert RecordsWhichGradsItIsAskedFor.asked == [(True, False)]
    RecordsWhichGradsItIsAskedFor()(x, w).sum().backward()
    assert RecordsWhichGradsItIsAskedFor.asked[-1] == (True, True)


def test_no_grad_records_nothing_as_context_and_decorator():
    x = mg.tensor(1.0, requires_grad=True)
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = x * 2
        with mg.enable_grad():
            z = x * 2
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @mg.no_grad()
    def double(t):
        return t * 2
    assert not double(x).requires_grad
    assert mg.is_grad_enabled()


def test_set_grad_enabled_restores_the_mode():
    with mg.set_grad_enabled(False):
        assert not (mg.tensor(1.0, requires_grad=True) * 2).requires_grad
    assert mg.is_grad_enabled()


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = mg.tensor(3.0, requires_grad=True)
    h = x * 2
    h.retain_grad()
    (h * h).backward()
    assert h.grad.item() == 12.0 and x.grad.item() == 24.0


def test_detach_shares_data_and_cuts_the_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = x * x.detach()  # d/dx only through the first factor: x.detach() is a constant
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 2.0])


def test_backward_on_a_leaf_seeds_its_own_gradient():
    x = mg.tensor(5.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_in_place_change_of_a_leaf_needs_no_grad():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match='no_grad'):
        w.zero_()
    with mg.no_grad():
        w.fill_(3.0)
    np.testing.assert_allclose(w.numpy(), [3.0, 3.0])


def test_a_backward_returning_the_wrong_shape_is_named():
    class Broken(Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy.sum()
    x = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r'Broken.backward: gradient 0 has shape \(\), expected .*\(3,\)'):
        Broken()(x).sum().backward()
