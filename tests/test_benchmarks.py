"""``python -m benchmarks`` runs end to end in its tiny mode and reports every row it promises.

No timing is asserted (speed is measured in benchmarks, never in tests): this proves the command
works on every device, that its JSON and table hold the expected kernels and steps, and that
each whole step's two sides compute the same step (equal first losses), or its ratio would mean
nothing. Without PyTorch (or on the test suite's GPU stand-in, which PyTorch cannot use) the
PyTorch columns are empty and no chart is drawn.
"""
import json
import runpy
import sys
from pathlib import Path

import pytest

from benchmarks import __main__ as command
from benchmarks import kernels, steps
from benchmarks.sides import torch_on

BENCHMARKS = Path(__file__).resolve().parent.parent / 'benchmarks'


def quick_run(device, folder, capsys):
    command.main(['--quick', '--device', device, '--repeats', '1', '--warmup', '1', '--out', str(folder)])
    return json.loads((folder / f'{device}.json').read_text()), capsys.readouterr().out


def test_the_quick_run_reports_ceilings_machine_kernels_and_steps(device, tmp_path, capsys):
    report, printed = quick_run(device, tmp_path, capsys)
    with_torch = torch_on(device)
    assert report['device'] == device and report['quick'] is True and report['parts'] == ['kernels', 'steps']
    ceilings, machine = report['ceilings'], report['machine']
    assert ceilings['sgemm_gflops'] > 0 and ceilings['copy_gbps']['one_thread'] > 0
    assert ceilings['copy_gbps']['all_cores'] > 0 and (ceilings['torch_sgemm_gflops'] is not None) == with_torch
    assert machine['date'] and machine['versions']['numpy'] and machine['threads']['usable_cores'] >= 1
    assert len(report['load_average']['start']) == 3 and len(report['load_average']['end']) == 3

    rows = report['kernels']
    assert {r['name'] for r in rows} == {c['name'] for c in kernels.CASES}
    assert {'conv', 'contiguous'} <= {r['layout'] for r in rows if r['op'] == 'leaky_relu'}
    for r in rows:
        assert r['minigan_fwd']['median_ms'] > 0
        assert r['minigan_fwd']['min_ms'] <= r['minigan_fwd']['median_ms'] <= r['minigan_fwd']['max_ms']
        assert (r['torch_fwd'] is not None) == (r['fwd_ratio'] is not None) == with_torch
        if r['op'] in ('conv2d', 'conv_transpose2d', 'matmul'):
            assert r['fwdbwd_gflops'] > 0 and r['pct_of_sgemm'] > 0 and r['gemm_floor_fwdbwd']['median_ms'] > 0
        if r['op'] in kernels.MEMORY_BOUND:
            assert r['fwdbwd_gbps'] > 0 and r['pct_of_copy'] > 0
    reflect = next(r for r in rows if 'reflect' in r['name'])
    assert reflect['output'] == reflect['input'][:1] + reflect['weight'][:1] + reflect['input'][2:]  # 'same' size

    assert [r['step'] for r in report['steps']] == list(steps.STEPS)
    for r in report['steps']:
        assert r['minigan']['median_ms'] > 0
        assert (r.get('torch') is not None) == (r['ratio'] is not None) == with_torch
        if with_torch:
            assert r['losses_agree'], (r['step'], r['first_losses'])
    assert (tmp_path / f'{device}.png').exists() == with_torch
    for name in ('conv2d reflect 64->64', 'instance_norm', 'CycleGAN step', 'InfoGAN step', 'sgemm'):
        assert name in printed


def test_only_full_size_unfiltered_runs_write_to_the_results_folder():
    folder = lambda *argv: command.out_dir(command.parser().parse_args(list(argv)))  # noqa: E731
    assert folder() == command.RESULTS and folder('--only', 'steps') == command.RESULTS
    assert folder('--quick') is None and folder('--match', 'conv') is None and folder('--out', '') is None
    assert folder('--quick', '--out', 'somewhere') == Path('somewhere')


@pytest.mark.parametrize('script, match, part', [('bench_kernels.py', 'leaky_relu', 'kernels'),
                                                 ('bench_steps.py', 'WGAN', 'steps')])
def test_the_old_scripts_run_one_part_of_the_command(script, match, part, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sys, 'argv', [script, '--quick', '--device', 'cpu', '--repeats', '1', '--match', match,
                                      '--out', str(tmp_path)])
    runpy.run_path(str(BENCHMARKS / script), run_name='__main__')
    report = json.loads((tmp_path / f'cpu-{part}.json').read_text())
    assert report['parts'] == [part] and report[part] and all(match in json.dumps(r) for r in report[part])
    assert match in capsys.readouterr().out


def test_steps_are_timed_in_runs_of_one_library_each_after_an_untimed_step(monkeypatch):
    """timing.runs: each library's steps back to back (a step is never timed right after the other
    library's), the first call's results returned, and ``repeats`` timed calls of each."""
    from benchmarks import timing
    calls = []
    monkeypatch.setattr(timing.time, 'sleep', lambda seconds: calls.append('pause'))
    fns = [lambda name=name: calls.append(name) or (name, len(calls)) for name in 'ab']
    times, first = timing.runs(fns, [lambda: None] * 2, repeats=6, warmup=3, length=3)
    assert first == [('a', 1), ('b', 2)]
    assert [t.n for t in times] == [6, 6]
    # the first calls, then per round and library: a pause, warm-up (2, then 1) untimed, 3 timed
    assert calls == ['a', 'b'] + ['pause'] + ['a'] * 5 + ['pause'] + ['b'] * 5 + ['pause'] + ['a'] * 4 + ['pause'] + ['b'] * 4
