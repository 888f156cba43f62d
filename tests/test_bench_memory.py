"""benchmarks/memory.py runs end to end on a few steps and computes growth as its docstring says.
No memory figure is asserted here (tests/test_memory.py checks what keeps graphs alive)."""
import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / 'benchmarks' / 'memory.py'


@pytest.fixture(scope='module')
def memory():
    spec = importlib.util.spec_from_file_location('memory_benchmark', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_growth_is_measured_from_the_end_of_the_warm_up(memory):
    mib = 2 ** 20
    samples = [{'step': step, 'rss': rss * mib, 'objects': 10} for step, rss in
               [(1, 50), (50, 90), (100, 100), (150, 104), (200, 102)]]
    summary = memory.summarize(samples, warmup=100)
    assert summary['rss_at_warmup_mb'] == 100 and summary['rss_last_mb'] == 102
    assert summary['growth_percent'] == pytest.approx(2.0) and summary['peak_growth_percent'] == pytest.approx(4.0)
    assert summary['slope_bytes_per_step'] == pytest.approx(0.02 * mib)  # least squares through 100, 104, 102
    with pytest.raises(ValueError, match='warm-up of 500 steps'):
        memory.summarize(samples, warmup=500)


def test_a_short_run_writes_the_curve(memory, tmp_path, capsys, monkeypatch):
    from minigan.gan.evaluation import Evaluation
    monkeypatch.setattr(Evaluation, 'digit_samples', 40)  # the final metrics: plumbing, not values
    report = memory.main(['--steps', '12', '--warmup', '4', '--sample-every', '2', '--limit', '40',
                          '--width', '2', '--out', str(tmp_path)])
    saved = json.loads((tmp_path / 'memory.json').read_text())
    assert [s['step'] for s in saved['samples']] == [1, 2, 4, 6, 8, 10, 12]
    assert all(s['rss'] > 2 ** 20 for s in saved['samples']) and saved['growth_percent'] == report['growth_percent']
    assert (tmp_path / 'memory.png').stat().st_size > 0
    assert 'growth after the warm-up' in capsys.readouterr().out
