"""minigan/ops/allocator.py: glibc's thresholds are set unless the user set them."""
import sys

import pytest

from minigan.ops import allocator


@pytest.mark.parametrize('variable', allocator.USER_SETTINGS)
def test_a_users_own_malloc_setting_is_left_alone(monkeypatch, variable):
    monkeypatch.setenv(variable, '65536')
    assert allocator.keep_freed_memory() is False


def test_a_malloc_tunable_is_left_alone(monkeypatch):
    monkeypatch.setenv('GLIBC_TUNABLES', 'glibc.malloc.trim_threshold=65536')
    assert allocator.keep_freed_memory() is False


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='glibc only')
def test_set_at_import_on_linux(monkeypatch):
    for variable in allocator.USER_SETTINGS + ('GLIBC_TUNABLES',):
        monkeypatch.delenv(variable, raising=False)
    libc_is_glibc = hasattr(__import__('ctypes').CDLL(None), 'gnu_get_libc_version')
    assert allocator.keep_freed_memory() is libc_is_glibc
    assert allocator.freed_memory_kept is libc_is_glibc
