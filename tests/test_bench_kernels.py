"""The kernel benchmark runs end to end (tiny sizes, a few repeats) and writes its JSON report.
No timing is asserted: this only proves the script works, on every device."""
import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / 'benchmarks' / 'bench_kernels.py'


def load_benchmark():
    spec = importlib.util.spec_from_file_location('bench_kernels', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_benchmark_runs_and_writes_json(device, tmp_path, capsys):
    out = tmp_path / 'kernels.json'
    load_benchmark().main(['--quick', '--device', device, '--repeats', '1', '--warmup', '1', '--out', str(out)])
    report = json.loads(out.read_text())
    assert report['device'] == device and report['quick'] is True
    assert report['sgemm_gflops'] > 0 and report['threads']['numpy_blas']
    names = [row['name'] for row in report['rows']]
    assert any(name.startswith('conv2d') for name in names)
    assert any(name.startswith('conv_transpose2d') for name in names)
    for row in report['rows']:
        assert row['minigan_fwd_ms'] > 0 and row['minigan_fwdbwd_ms'] > 0
        if row['op'].startswith('conv'):
            assert row['minigan_fwdbwd_gflops'] > 0 and row['pct_of_sgemm'] > 0
    assert 'conv2d 64->128' in capsys.readouterr().out  # the table was printed
