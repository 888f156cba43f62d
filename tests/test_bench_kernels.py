"""The benchmarks run end to end (tiny sizes, a few repeats) and write their reports. No timing
is asserted: this only proves the scripts work, on every device -- and that the whole-step
benchmark's two sides compute the same step (equal first losses), or its ratio would mean nothing."""
import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / 'benchmarks'


def load(name):
    sys.path.insert(0, str(BENCHMARKS))  # bench_kernels imports bench_steps from beside it
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f'{name}.py')
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def test_quick_kernel_benchmark_runs_and_writes_json(device, tmp_path, capsys):
    out = tmp_path / 'kernels.json'
    load('bench_kernels').main(['--quick', '--device', device, '--repeats', '1', '--warmup', '1',
                                '--out', str(out), '--no-steps'])
    report = json.loads(out.read_text())
    assert report['device'] == device and report['quick'] is True
    assert report['sgemm_gflops'] > 0 and report['threads']['numpy_blas']
    rows = report['rows']
    names = [row['name'] for row in rows]
    assert any(name.startswith('conv2d') for name in names)
    assert any(name.startswith('conv_transpose2d') for name in names)
    assert {'conv', 'contiguous'} <= {row['layout'] for row in rows if row['op'] == 'leaky_relu'}
    for row in rows:
        assert row['minigan_fwd_ms'] > 0
        if row['op'] != 'adam':
            assert row['minigan_fwdbwd_ms'] > 0 and row['fwdbwd_vs_contiguous'] > 0
        if row['op'].startswith('conv'):
            assert row['minigan_fwdbwd_gflops'] > 0 and row['pct_of_sgemm'] > 0
            assert row['gemm_floor_fwd_ms'] > 0 and row['gemm_floor_fwdbwd_ms'] > 0
    assert 'conv2d 64->128' in capsys.readouterr().out  # the table was printed


def test_quick_step_benchmark_runs_both_steps_alike(device, capsys):
    pytest.importorskip('torch')
    rows = load('bench_steps').main(['--quick', '--device', device, '--repeats', '1', '--warmup', '1'])
    assert [row['step'] for row in rows] == ['dcgan', 'wgan_gp']
    for row in rows:
        assert row['minigan_ms'] > 0 and row['torch_ms'] > 0 and row['ratio'] > 0
        mine, theirs = row['first_losses']['minigan'], row['first_losses']['torch']
        assert mine == pytest.approx(theirs, rel=1e-4)
    assert 'wgan_gp' in capsys.readouterr().out
