"""Shared test set-up: devices, hypothesis profile, and torch when it is installed.

Device 'cuda' is the real GPU when CuPy sees one. Without one, 'cuda' is the strict stand-in of
tests/strict_device.py, which refuses implicit host/device conversions exactly as CuPy does: so
every device-parametrized test checks in CI that the code keeps to one array module per tensor.
"""
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

from minigan import backend

from . import strict_device

REAL_GPU = backend.cuda_is_available()
if not REAL_GPU:
    backend._gpu_module = strict_device.module

DEVICES = ['cpu', 'cuda']

settings.register_profile('ci', max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile('thorough', max_examples=300, deadline=None)
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'ci'))


def pytest_report_header(config):
    return ("device 'cuda': " + ("CuPy on a real GPU" if REAL_GPU else
            "strict stand-in (no GPU here; host/device mixing raises as on CuPy)"))


@pytest.fixture(params=DEVICES, scope='session')  # a plain value: safe to share across examples
def device(request):
    return request.param


def pytest_terminal_summary(terminalreporter):
    """Say how many bad inputs the error-quality suite tried (tests/error_cases.py)."""
    cases = sys.modules.get(f'{__package__}.error_cases')
    line = cases.summary() if cases is not None else None
    if line:
        terminalreporter.write_line(line)
