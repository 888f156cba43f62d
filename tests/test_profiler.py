"""minigan.profile(): time goes to the right rows, the rows add up to the wall time, and a step's
table agrees with a stopwatch around the same step. (Speed is measured in
benchmarks/profiler_overhead.py, never asserted.)"""
import importlib.util
import json
import re
import threading
import time
from pathlib import Path

import pytest

import minigan as mg
import minigan.nn as nn
from minigan import function
from minigan.function import Function

MS = 1e-3


class Nap(Function):
    """Sleeps 10 ms in forward: a stand-in kernel of known length."""

    def forward(self, x):
        time.sleep(10 * MS)
        return x.copy()


class Sleepy(Function):
    """20 ms forward; its backward sleeps 5 ms of its own and calls Nap (10 ms)."""

    def forward(self, x):
        time.sleep(20 * MS)
        return x.copy()

    def backward(self, gy):
        time.sleep(5 * MS)
        return Nap()(gy)


def rows_by_path(prof):
    """{('backward()', 'Sleepy.backward', 'Nap'): (calls, total ms, self ms), ...} from the tree."""
    out = {}

    def walk(row, path):
        for child in row.children.values():
            out[path + (child.name,)] = (child.calls, child.total / MS, child.self_time / MS)
            walk(child, path + (child.name,))
    walk(prof._root, ())
    return out


def test_time_goes_to_the_op_its_backward_and_the_ops_inside_that():
    """Sleeps of known length stand in for kernels. A sleep lasts at least its length, so each row
    must hold at least its sleeps; and whatever a loaded machine adds (late wake-ups) is at most
    the block's stopwatch time minus the sum of all the sleeps, so each row holds at most that
    much more. Time counted twice, or in the wrong row, breaks one bound or the other."""
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    start = time.perf_counter()
    with mg.profile() as prof:
        y = Sleepy()(x)
        time.sleep(30 * MS)  # outside any op
        y.sum().backward()
    stopwatch = (time.perf_counter() - start) / MS
    expected = {('Sleepy',): 20, ('backward()', 'Sleepy.backward'): 15,
                ('backward()', 'Sleepy.backward', 'Nap'): 10}
    slack = stopwatch - (20 + 15 + 30)
    rows = rows_by_path(prof)
    for path, ms in expected.items():
        calls, total, _ = rows[path]
        assert calls == 1 and ms <= total <= ms + slack, (path, total, slack)
    assert 5 <= rows[('backward()', 'Sleepy.backward')][2] <= 5 + slack  # its own glue: self time
    assert rows[('Sleepy',)][1] == rows[('Sleepy',)][2]  # an op with nothing inside: self = total
    assert ('Nap',) not in rows  # Nap ran only inside the backward
    assert 30 <= prof.outside_ms <= 30 + slack
    assert 65 <= prof.wall_ms <= stopwatch


def table_columns(text):
    """(name, total ms, self ms, % of wall) of each body row of a printed table."""
    rows = []
    for line in text.splitlines()[2:]:
        m = re.match(r'^(.*?)\s+(\d*)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$', line)
        assert m, f"unparsed table line {line!r}"
        rows.append((m.group(1), float(m.group(3)), float(m.group(4)), float(m.group(5))))
    return rows


def small_step():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.LeakyReLU(0.2),
                          nn.Flatten(), nn.Linear(4 * 8 * 8, 1))
    opt = mg.optim.Adam(model.parameters(), lr=1e-3)
    x = mg.randn(8, 1, 8, 8)

    def step():
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
    return step


@pytest.mark.parametrize('nested', [True, False])
def test_the_columns_of_the_printed_table_add_up_to_the_wall_time(nested):
    step = small_step()
    with mg.profile() as prof:
        for _ in range(3):
            step()
    text = prof.table(nested=nested)
    rows = table_columns(text)
    assert rows[-1][0] == 'wall time' and rows[-2][0].startswith('outside ops')
    wall, body = rows[-1][1], rows[:-1]
    rounding = 0.01 * len(body)
    assert abs(sum(r[2] for r in body) - wall) <= rounding  # the self column
    top = [r for r in body if not r[0].startswith(' ')]
    if nested:  # the top level's totals do not overlap
        assert abs(sum(r[1] for r in top) - wall) <= rounding
        assert abs(sum(r[3] for r in top) - 100.0) <= 0.1 * len(top)
    assert abs(wall - prof.wall_ms) < 0.01


def test_a_convolution_backward_nests_the_two_convolutions_it_is_made_of():
    x = mg.randn(2, 3, 8, 8, requires_grad=True)
    w = mg.randn(4, 3, 3, 3, requires_grad=True)
    with mg.profile() as prof:
        mg.functional.conv2d(x, w).sum().backward()
    rows = rows_by_path(prof)
    assert rows[('Conv2d',)][0] == 1
    assert rows[('backward()', 'Conv2d.backward')][0] == 1
    assert rows[('backward()', 'Conv2d.backward', 'ConvTranspose2d')][0] == 1  # x's gradient
    assert rows[('backward()', 'Conv2d.backward', 'Conv2dWeight')][0] == 1     # w's gradient
    assert 'Conv2d.backward' in prof.table() and '    ConvTranspose2d' in prof.table()


def test_a_step_profiled_agrees_with_a_stopwatch_around_it():
    step = small_step()
    step()  # warm-up
    outer = time.perf_counter()
    with mg.profile() as prof:
        start = time.perf_counter()
        step()
        inner = (time.perf_counter() - start) / MS
    outer = (time.perf_counter() - outer) / MS
    assert inner <= prof.wall_ms <= outer  # a stopwatch inside the block and one around it
    ops = sum(s.self_ms for s in prof.key_averages())
    assert ops + prof.outside_ms == pytest.approx(prof.wall_ms)
    assert ops > 0 and prof.outside_ms > 0  # the optimizer's update runs outside the ops


def test_key_averages_merge_each_name_wherever_it_ran():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.profile() as prof:
        Nap()(x)
        Sleepy()(x).sum().backward()
    naps = [s for s in prof.key_averages() if s.name == 'Nap']
    assert len(naps) == 1 and naps[0].calls == 2 and naps[0].total_ms >= 20


def test_print_table_on_exit_and_row_limit(capsys):
    step = small_step()
    with mg.profile(print_table=True, row_limit=2):
        step()
    out = capsys.readouterr().out
    assert out.startswith('minigan.profile:') and 'more' in out and 'wall time' in out


def test_the_profiler_leaves_nothing_behind_even_after_an_error():
    assert function.active_instrument() is None
    with pytest.raises(ValueError):
        with mg.profile() as prof:
            mg.tensor([1.0, 2.0]) + mg.tensor([1.0, 2.0, 3.0])  # does not broadcast
    assert function.active_instrument() is None
    assert prof.key_averages()[0].name == 'Add'   # the failed call was still timed
    with pytest.raises(RuntimeError, match='already active'):
        with prof:
            mg.tensor([1.0]) * 2
            with prof:
                pass
    assert function.active_instrument() is None
    assert [s.name for s in prof.key_averages()] == ['Mul']  # the outer block's record survived


def test_calls_from_another_thread_are_not_timed():
    x = mg.tensor([1.0])
    with mg.profile() as prof:
        worker = threading.Thread(target=lambda: Nap()(x))
        worker.start()
        worker.join()
    assert prof.key_averages() == []


def test_profiling_on_both_devices(device):
    x = mg.randn(2, 3, device=device, requires_grad=True)
    with mg.profile() as prof:
        (x * x).sum().backward()
    names = {s.name for s in prof.key_averages()}
    assert {'Mul', 'Sum', 'backward()', 'Mul.backward'} <= names


def test_results_before_entering_raise_a_clear_error():
    with pytest.raises(RuntimeError, match='no results yet'):
        mg.profile().table()


def test_the_overhead_benchmark_runs_in_its_quick_mode(tmp_path, capsys):
    script = Path(__file__).resolve().parent.parent / 'benchmarks' / 'profiler_overhead.py'
    spec = importlib.util.spec_from_file_location('profiler_overhead', script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / 'overhead.json'
    module.main(['--quick', '--out', str(out)])
    report = json.loads(out.read_text())
    assert set(report['step_ms']) == {'plain', 'profile', 'detect_anomaly'}
    assert all(ms > 0 for ms in report['step_ms'].values())
    assert 'Conv2d.backward' in capsys.readouterr().out
