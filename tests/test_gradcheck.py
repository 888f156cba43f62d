"""gradcheck and gradgradcheck must catch wrong derivatives -- including the classic one."""
import numpy as np
import pytest

import minigan as mg
from minigan.function import Function


def double(*shape):
    return mg.tensor(np.random.default_rng(0).uniform(0.5, 1.5, shape), requires_grad=True)


class ExpWithWrongBackward(Function):
    def forward(self, x):
        return self_exp(x)

    def backward(self, gy):
        return gy * self.output() * 1.01  # 1% off


class SquareWithFrozenDerivative(Function):
    """x^2 whose backward saves 2x as a *raw array*: right to first order, but to the second
    derivative 2x is a constant, so d2/dx2 comes out 0 instead of 2. (The same mistake as caching
    1/std as an array in a batch-norm backward.)"""

    def forward(self, x):
        self.two_x = 2 * x
        return x * x

    def backward(self, gy):
        return gy * mg.Tensor(self.two_x)


def self_exp(x):
    return mg.exp(mg.Tensor(x)).array


def test_a_correct_function_passes():
    assert mg.gradcheck(lambda x, y: (x * y.exp()).sum(1) / y.sum(), (double(2, 3), double(2, 3)))
    assert mg.gradgradcheck(lambda x, y: (x * y.exp()).sum(1) / y.sum(), (double(2, 3), double(2, 3)))


def test_a_wrong_first_derivative_is_named_with_input_element_and_values():
    with pytest.raises(mg.GradcheckError, match=r'input 0 \(shape \(2, 2\)\).*element \(\d, \d\).*analytic .*numeric'):
        mg.gradcheck(lambda x: ExpWithWrongBackward()(x), (double(2, 2),))
    assert mg.gradcheck(lambda x: ExpWithWrongBackward()(x), (double(2, 2),), raise_exception=False) is False


def test_a_derivative_frozen_as_an_array_passes_first_order_but_fails_second():
    x = double(3)
    assert mg.gradcheck(lambda t: SquareWithFrozenDerivative()(t), (x,))
    with pytest.raises(mg.GradcheckError, match='analytic -?0, numeric'):
        mg.gradgradcheck(lambda t: SquareWithFrozenDerivative()(t), (x,))


def test_gradcheck_wants_float64_inputs():
    with pytest.raises(TypeError, match='float64'):
        mg.gradcheck(lambda x: x * 2, (mg.ones(2, requires_grad=True),))
    with pytest.raises(ValueError, match='nothing to check'):
        mg.gradcheck(lambda x: x * 2, (mg.ones(2, dtype=mg.float64),))


def test_gradcheck_does_not_move_the_global_random_stream():
    mg.manual_seed(5)
    expected = mg.randn(3).numpy()
    mg.manual_seed(5)
    mg.gradcheck(lambda x: x * 2, (double(2),))
    np.testing.assert_array_equal(mg.randn(3).numpy(), expected)
