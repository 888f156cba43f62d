"""The conv GEMM-floor benchmark runs end to end (tiny sizes, one round) and writes its report.
No timing is asserted: this only proves the script works, on every device."""
import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / 'benchmarks' / 'bench_conv_floor.py'


def test_quick_floor_benchmark_runs_and_writes_json(device, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location('bench_conv_floor', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / 'conv_floor.json'
    module.main(['--quick', '--pieces', '--device', device, '--out', str(out)])
    report = json.loads(out.read_text())
    assert report['device'] == device and [r['name'][:6] for r in report['rows']] == ['conv2d', 'conv_t']
    for row in report['rows']:
        assert row['minigan_ms'][0] > 0 and row['gemm_floor_ms'][0] > 0 and row['ratio_to_floor'] > 0
        assert row['in_network_ms'][0] > 0 and row['in_network_ratio'] > 0
        assert set(row['gemm_shapes']) == {'O', 'K', 'M'} and len(row['pieces_ms']) == 4
    assert 'GEMM floor' in capsys.readouterr().out
