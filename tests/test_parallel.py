"""ops/parallel.py: blocks cover every row exactly once, in order, and errors come back."""
import time

import numpy as np
import pytest

import minigan as mg
from minigan.ops import parallel


def test_blocks_cover_every_row_once_in_order(monkeypatch):
    monkeypatch.setattr(parallel, 'BLOCK', 10)
    a = mg.zeros(23, 4).array  # 92 elements: blocks of 2 rows (8 elements, the most under 10)
    seen = np.zeros(23, dtype=int)

    def kernel(rows):
        seen[rows] += 1
        return rows
    slices = parallel.by_rows(kernel, a)
    assert len(slices) > 1 and all(isinstance(s, slice) for s in slices)
    np.testing.assert_array_equal(seen, 1)
    assert [s.start for s in slices] == sorted(s.start for s in slices)


def test_small_arrays_and_device_arrays_run_once_whole(monkeypatch, device):
    monkeypatch.setattr(parallel, 'BLOCK', 10 if device == 'cuda' else 1000)
    a = mg.zeros(23, 4, device=device).array
    assert parallel.by_rows(lambda rows: rows, a) == [...]


def test_blocks_and_sums_of_a_small_array_run_the_kernel_once_on_the_arrays_as_given(device):
    x = mg.randn(2, 3, 4, 5, device=device, dtype=mg.float64).array.transpose(0, 1, 3, 2)  # not C-contiguous
    per_channel = mg.randn(3, 1, 1, device=device, dtype=mg.float64).array  # fewer dims: broadcasts as given
    calls = []

    def kernel(a, c, nothing):
        calls.append((a is x, c is per_channel, nothing))
        return a * c
    (product,) = parallel.blocks(kernel, x, x, per_channel, None)
    assert calls == [(True, True, None)]
    np.testing.assert_array_equal(mg.Tensor(product).numpy(), mg.Tensor(x * per_channel).numpy())
    total = parallel.sums(lambda dims, a, c: (a * c).sum(axis=dims, keepdims=True), x, (3, 0), x, per_channel)
    assert total.shape == (1, 3, 5, 1) and total.flags['C_CONTIGUOUS']
    np.testing.assert_allclose(mg.Tensor(total).numpy(),
                               mg.Tensor(x * per_channel).numpy().sum(axis=(0, 3), keepdims=True), rtol=1e-12, atol=1e-12)


def test_an_error_in_a_block_is_raised(monkeypatch):
    monkeypatch.setattr(parallel, 'BLOCK', 10)

    def kernel(rows):
        if rows.start and rows.start > 10:
            raise ValueError('block failed')
    with pytest.raises(ValueError, match='block failed'):
        parallel.by_rows(kernel, mg.zeros(23, 4).array)


@pytest.mark.skipif(not hasattr(__import__('os'), 'fork'), reason='needs os.fork')
def test_a_forked_child_gets_a_pool_of_its_own(monkeypatch):
    import os
    monkeypatch.setattr(parallel, 'BLOCK', 10)
    a = mg.zeros(23, 4).array
    parallel.by_rows(lambda rows: None, a)  # the parent's pool now exists
    pid = os.fork()
    if pid == 0:  # the child: blocks must still run (the inherited pool has no threads)
        try:
            ok = len(parallel.by_rows(lambda rows: rows, a)) > 1
        finally:
            os._exit(0 if ok else 1)
    for _ in range(200):  # up to 10 s: without its own pool the child hangs, so don't wait forever
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child's blocks never ran")
    assert os.WEXITSTATUS(status) == 0


def test_openblas_workers_sleep_at_once_unless_the_user_chose_a_timeout(monkeypatch):
    """minigan/backend.py has OpenBLAS re-read OPENBLAS_THREAD_TIMEOUT (its busy-waiting workers
    would hold the cores the block pool needs); the environment stays as the user left it."""
    import os
    from minigan import backend
    if not backend._openblas_paths():
        pytest.skip("NumPy's BLAS is not a loaded OpenBLAS here")
    monkeypatch.setenv('OPENBLAS_THREAD_TIMEOUT', '8')
    assert backend._let_blas_threads_sleep() is False  # the user's choice, which OpenBLAS read
    monkeypatch.delenv('OPENBLAS_THREAD_TIMEOUT')
    assert backend._let_blas_threads_sleep() is True
    assert 'OPENBLAS_THREAD_TIMEOUT' not in os.environ
    a = np.ones((300, 300), dtype=np.float32)
    np.testing.assert_array_equal(a @ a, 300.0)  # BLAS restarts its workers and still computes
