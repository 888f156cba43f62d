"""detect_anomaly(): the first NaN / inf in a forward or a backward raises, naming the op and the
line of this file that called it; everything else runs as without it, and the state comes back."""
import inspect

import numpy as np
import pytest

import minigan as mg
from minigan import function
from minigan.function import Function
from minigan.tensor import Tensor

HERE = __file__
pytestmark = pytest.mark.filterwarnings('ignore:.*encountered in:RuntimeWarning')  # NumPy's, on purpose


def next_line():
    """The line number just after the caller's current line."""
    return inspect.currentframe().f_back.f_lineno + 1


def test_nan_from_log_of_a_negative_number_names_log_and_this_line(device):
    x = mg.tensor([-1.0, 2.0], device=device, requires_grad=True)
    with mg.detect_anomaly():
        with pytest.raises(mg.AnomalyError) as info:
            line = next_line()
            mg.log(x)
    message = str(info.value)
    assert 'Log returned nan' in message and f"{HERE}:{line}" in message
    assert 'mg.log(x)' in message  # the source line itself
    assert 'inputs were finite' in message and isinstance(info.value, RuntimeError)


def test_inf_made_only_in_backward_names_sqrt_backward_and_the_line_of_its_forward(device):
    x = mg.tensor([0.0, 4.0], device=device, requires_grad=True)
    with mg.detect_anomaly():
        line = next_line()
        y = mg.sqrt(x).sum()   # finite: sqrt(0) = 0; its gradient 1 / (2 sqrt(0)) is not
        with pytest.raises(mg.AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert 'Sqrt.backward' in message and 'inf' in message and f"{HERE}:{line}" in message
    assert x.grad is None  # the failed backward wrote no gradient


def test_nan_from_zero_over_zero_in_backward():
    """sqrt(x) * 0 at x = 0: the forward is 0, and the gradient reaching Sqrt is 0, so its
    backward computes 0 / (2 * 0) = nan -- a NaN no forward value shows."""
    x = mg.tensor([0.0], requires_grad=True)
    with mg.detect_anomaly():
        line = next_line()
        y = mg.sqrt(x)
        loss = (y * 0.0).sum()
        assert np.isfinite(loss.item())
        with pytest.raises(mg.AnomalyError, match='Sqrt.backward made nan') as info:
            loss.backward()
    assert f"{HERE}:{line}" in str(info.value)


class ReturnsNanGradient(Function):
    """Identity forward; a backward that hands back NaN directly (no op inside it to catch it)."""

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return Tensor(gy.xp.full(gy.shape, np.nan, dtype=gy.dtype))


def test_a_gradient_returned_non_finite_is_caught_when_the_node_returns_it():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.detect_anomaly():
        line = next_line()
        y = ReturnsNanGradient()(x)
        with pytest.raises(mg.AnomalyError) as info:
            y.sum().backward()
    message = str(info.value)
    assert 'ReturnsNanGradient.backward returned nan values in the gradient for its input 0' in message
    assert f"{HERE}:{line}" in message and 'incoming gradients were finite' in message


def test_a_nan_already_in_the_data_is_reported_as_coming_from_outside():
    x = mg.tensor([np.nan, 1.0])
    with mg.detect_anomaly(), pytest.raises(mg.AnomalyError, match='input 0 .*already held nan'):
        mg.exp(x)


def test_finite_work_gives_the_same_values_and_gradients_as_without():
    mg.manual_seed(0)
    x = mg.randn(4, 3, dtype=mg.float64, requires_grad=True)
    w = mg.randn(3, 2, dtype=mg.float64, requires_grad=True)

    def run():
        x.grad = w.grad = None
        loss = mg.tanh(x @ w).pow(2).mean()
        loss.backward()
        return loss.item(), x.grad.numpy().copy(), w.grad.numpy().copy()

    plain = run()
    with mg.detect_anomaly():
        watched = run()
    assert plain[0] == watched[0]
    np.testing.assert_array_equal(plain[1], watched[1])
    np.testing.assert_array_equal(plain[2], watched[2])


def test_state_is_restored_after_an_anomaly():
    w = mg.tensor([1.0, -1.0], requires_grad=True)
    w.grad = mg.tensor([5.0, 5.0])
    with pytest.raises(mg.AnomalyError):
        with mg.no_grad(), mg.detect_anomaly():
            mg.log(w)
    assert mg.is_grad_enabled() and not mg.is_anomaly_enabled()
    assert function.active_instrument() is None
    with pytest.raises(mg.AnomalyError):
        with mg.detect_anomaly():
            mg.sqrt(w.abs() - 1.0).sum().backward()   # sqrt(0): inf gradients
    np.testing.assert_array_equal(w.grad.numpy(), [5.0, 5.0])  # untouched by the failed backward
    np.testing.assert_array_equal(w.numpy(), [1.0, -1.0])
    assert mg.is_grad_enabled() and not mg.is_anomaly_enabled()


def test_set_detect_anomaly_as_a_call_and_as_a_context_manager():
    assert not mg.is_anomaly_enabled()
    with mg.detect_anomaly():
        with mg.set_detect_anomaly(False):
            assert not mg.is_anomaly_enabled()
            mg.log(mg.tensor([-1.0]))  # not watched: no error
        assert mg.is_anomaly_enabled()
    mg.set_detect_anomaly(True)
    try:
        assert mg.is_anomaly_enabled()
        with pytest.raises(mg.AnomalyError):
            mg.log(mg.tensor([-1.0]))
    finally:
        mg.set_detect_anomaly(False)
    assert not mg.is_anomaly_enabled() and mg.autograd.detect_anomaly is mg.detect_anomaly


def test_check_nan_false_records_call_sites_but_raises_nothing():
    with mg.detect_anomaly(check_nan=False):
        y = mg.log(mg.tensor([-1.0]))
    assert np.isnan(y.item())


def test_as_a_decorator():
    @mg.detect_anomaly()
    def step(x):
        return mg.log(x)

    with pytest.raises(mg.AnomalyError):
        step(mg.tensor([-2.0]))
    assert not mg.is_anomaly_enabled()


class FailsInBackward(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        raise ValueError("broken backward")


@pytest.mark.skipif(not hasattr(Exception, 'add_note'), reason='exception notes need Python 3.11')
def test_an_error_in_a_backward_gets_a_note_naming_the_forward_call_site():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.detect_anomaly():
        line = next_line()
        y = FailsInBackward()(x)
        with pytest.raises(ValueError, match='broken backward') as info:
            y.sum().backward()
    notes = '\n'.join(getattr(info.value, '__notes__', []))
    assert 'FailsInBackward.backward' in notes and f"{HERE}:{line}" in notes


def test_anomaly_detection_and_the_profiler_run_together():
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    with mg.profile() as prof, mg.detect_anomaly():
        y = mg.sqrt(x).sum()
        with pytest.raises(mg.AnomalyError, match='Sqrt.backward'):
            y.backward()
    assert function.active_instrument() is None
    assert any(s.name == 'Sqrt' for s in prof.key_averages())
