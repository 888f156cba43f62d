"""Devices: moving tensors, refusing to mix them, and the check that catches host/device mixing.

Without a GPU, 'cuda' is the strict stand-in (tests/strict_device.py). These tests prove the
stand-in really fails code that mixes host and device arrays -- a check that cannot fail would
prove nothing -- and that minigan's own code passes it.
"""
import sys

import numpy as np
import pytest

import minigan as mg
from minigan import backend
from minigan.function import Function

from .strict_device import HostDeviceMixError


def on_real_cupy():
    return 'cupy' in sys.modules and backend._gpu_module is sys.modules['cupy']


def test_to_moves_data_and_gradients_flow_back(device):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(device)
    assert y.device == device and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.device == 'cpu'
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    assert y.to('cpu').device == 'cpu' and mg.zeros(2, device=device).device == device


def test_mixing_devices_in_one_op_is_an_error_naming_them():
    with pytest.raises(ValueError, match='add: expected all tensors on one device, got cpu and cuda'):
        mg.ones(2) + mg.ones(2, device='cuda')


def test_one_seed_gives_the_same_numbers_on_every_device():
    mg.manual_seed(11)
    on_cpu = mg.randn(5).numpy()
    mg.manual_seed(11)
    np.testing.assert_array_equal(mg.randn(5, device='cuda').numpy(), on_cpu)


class AddsAHostArray(Function):
    """A deliberately wrong op: it builds a constant with NumPy instead of the input's module."""

    def forward(self, x):
        return x + np.ones(x.shape, dtype=x.dtype)

    def backward(self, gy):
        return gy


def test_the_strict_device_catches_a_host_array_in_device_code():
    if on_real_cupy():
        pytest.skip('real CuPy raises its own TypeError')
    x = mg.ones(3)
    np.testing.assert_array_equal(AddsAHostArray()(x).numpy(), [2, 2, 2])  # fine on the CPU
    with pytest.raises(HostDeviceMixError, match='host NumPy array'):
        AddsAHostArray()(x.to('cuda'))


def test_the_strict_device_refuses_implicit_conversion_and_numpy_calls():
    if on_real_cupy():
        pytest.skip('real CuPy raises its own TypeError')
    d = mg.ones(3, device='cuda').array
    with pytest.raises(HostDeviceMixError, match='implicit conversion'):
        np.asarray(d)
    with pytest.raises(HostDeviceMixError, match='numpy.concatenate'):
        np.concatenate([d, d])


def test_asking_for_cuda_without_cupy_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(backend, '_gpu_module', None)
    monkeypatch.setitem(sys.modules, 'cupy', None)  # makes `import cupy` fail
    assert not mg.cuda_is_available()
    with pytest.raises(RuntimeError, match="'cuda' needs CuPy.*pip install"):
        mg.zeros(2, device='cuda')
    with pytest.raises(RuntimeError, match='CuPy'):
        mg.ones(2).to('cuda')


def test_unknown_devices_are_refused():
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        mg.zeros(2, device='tpu')
