"""``minigan.profile()``: where a step's time goes, op by op, forward and backward.

    with minigan.profile() as prof:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    print(prof.table())

What is timed. The clock is read at the start and the end of three kinds of work (the doors of
minigan/instrument.py):

    'Conv2d'            one op call: its checks, its kernel, its link into the graph
    'backward()'        one whole backward pass: a call of backward() or grad()
    'Conv2d.backward'   inside a pass, the backward of one Conv2d node

They nest: a pass runs the nodes' backwards, and each node's backward is made of ops -- Conv2d's
backward calls ConvTranspose2d (the input's gradient) and Conv2dWeight (the weight's). The table
keeps that nesting: one row per name at one place in it, with

    calls   how often it ran there
    total   its time, including the rows inside it
    self    total minus the rows inside it: an op's own kernel, a backward's own Python glue

So 'Conv2d.backward' answers "what did Conv2d cost in backward", and the rows indented under it
say which ops that time went to. The top-level rows never overlap, so their totals plus
'outside ops' (the time between op calls: Python, the optimizer's update, loading data) make the
wall time of the block; the self times of all rows plus 'outside ops' make it too.
``table(nested=False)`` sums each name's self time wherever it ran: which kernels cost most.

Cost. Each timed call adds two clock reads and a little bookkeeping: 5 us a call on the loaded
2-core development machine, 0.04% of a DCGAN step (benchmarks/profiler_overhead.py measures it).
Outside a profile the ops pay one ``is not None`` test. On the GPU the profiler waits for the
device at each boundary (backend.synchronize), so each op is charged for its own kernels.
Only the thread that entered the block is timed.
"""
import threading
import time
from collections import namedtuple

from . import backend
from .errors import UsageError
from .instrument import Instrument, install, remove

OpStat = namedtuple('OpStat', ['name', 'calls', 'total_ms', 'self_ms'])
OUTSIDE = 'outside ops (Python, optimizer, data)'


class _Row:
    """The time spent under one name at one place in the nesting."""
    __slots__ = ('name', 'calls', 'total', 'self_time', 'children')

    def __init__(self, name):
        self.name, self.calls, self.total, self.self_time, self.children = name, 0, 0.0, 0.0, {}


class profile(Instrument):  # noqa: N801 -- a context manager named as torch.profiler.profile
    """Times every op call, node backward and backward pass inside the ``with`` block.

    print_table   print ``table(row_limit=row_limit)`` when the block ends
    row_limit     at most this many rows per level in the printed table (None: all)
    """

    def __init__(self, print_table=False, row_limit=None):
        self.print_table, self.row_limit = print_table, row_limit
        self._root, self._stack, self._start, self._end, self._thread = None, [], None, None, None

    def __enter__(self):
        install(self)  # first: entering a profile that is running already raises, and changes nothing
        self._root = _Row('')
        self._stack = [[self._root, 0.0, 0.0]]  # frames: [row, start time, time of the rows inside]
        self._thread = threading.get_ident()
        backend.synchronize()
        self._start, self._end = time.perf_counter(), None
        return self

    def __exit__(self, *exc):
        backend.synchronize()
        self._end = time.perf_counter()
        remove(self)
        if self.print_table:
            print(self.table(row_limit=self.row_limit))
        return False

    # ---- the instrument's doors
    def call(self, fn, inputs):
        return self._timed(type(fn).__name__, super().call, fn, inputs)

    def backward(self, fn, grad_output):
        return self._timed(type(fn).__name__ + '.backward', super().backward, fn, grad_output)

    def backward_pass(self, run):
        return self._timed('backward()', super().backward_pass, run)

    def _timed(self, name, work, *args):
        if threading.get_ident() != self._thread:
            return work(*args)
        parent = self._stack[-1]
        row = parent[0].children.get(name)
        if row is None:
            row = parent[0].children[name] = _Row(name)
        backend.synchronize()
        frame = [row, time.perf_counter(), 0.0]
        self._stack.append(frame)
        try:
            return work(*args)
        finally:
            backend.synchronize()
            elapsed = time.perf_counter() - frame[1]
            self._stack.pop()
            row.calls += 1
            row.total += elapsed
            row.self_time += elapsed - frame[2]
            parent[2] += elapsed

    # ---- results
    @property
    def wall_ms(self):
        """Milliseconds from entering the block to leaving it (to now, inside it)."""
        if self._start is None:
            raise UsageError("profile: no results yet; use it as `with minigan.profile() as prof:`")
        end = time.perf_counter() if self._end is None else self._end
        return (end - self._start) * 1e3

    @property
    def outside_ms(self):
        """Wall time spent between op calls and backward passes (Python, optimizer, data)."""
        return self.wall_ms - sum(row.total for row in self._root.children.values()) * 1e3

    def key_averages(self):
        """One OpStat(name, calls, total_ms, self_ms) per name, wherever it ran, by self time."""
        merged = {}
        for row in _walk(self._root):
            calls, total, self_time = merged.get(row.name, (0, 0.0, 0.0))
            merged[row.name] = (calls + row.calls, total + row.total, self_time + row.self_time)
        stats = [OpStat(name, calls, total * 1e3, self_time * 1e3)
                 for name, (calls, total, self_time) in merged.items()]
        return sorted(stats, key=lambda s: -s.self_ms)

    def table(self, nested=True, row_limit=None):
        """The profile as text: nested rows sorted by total time (or, with ``nested=False``, one
        row per name sorted by self time), then 'outside ops' and the wall time."""
        wall = self.wall_ms
        if nested:
            lines = [(name, calls, total, self_ms) for name, calls, total, self_ms
                     in _nested_lines(self._root, row_limit, '')]
        else:
            stats = self.key_averages()
            if row_limit is not None and len(stats) > row_limit:
                rest = stats[row_limit:]
                stats = stats[:row_limit] + [OpStat(f'... {len(rest)} more', sum(s.calls for s in rest),
                                                    None, sum(s.self_ms for s in rest))]
            lines = [(s.name, s.calls, s.total_ms, s.self_ms) for s in stats]
        lines.append((OUTSIDE, None, self.outside_ms, self.outside_ms))
        width = max(len(line[0]) for line in lines + [('wall time',)])
        header = f"{'':{width}}  {'calls':>7}  {'total ms':>10}  {'self ms':>10}  {'% of wall':>9}"
        out = [f"minigan.profile: {wall:.1f} ms of wall time", header]
        for name, calls, total, self_ms in lines:
            share = (total if nested else self_ms) / wall * 100 if wall > 0 else 0.0
            out.append(f"{name:{width}}  {'' if calls is None else calls:>7}  "
                       f"{'' if total is None else format(total, '.2f'):>10}  {self_ms:>10.2f}  {share:>9.1f}")
        out.append(f"{'wall time':{width}}  {'':>7}  {wall:>10.2f}  {wall:>10.2f}  {100.0:>9.1f}")
        return '\n'.join(out)


def _walk(row):
    for child in row.children.values():
        yield child
        yield from _walk(child)


def _nested_lines(row, row_limit, indent):
    """(name, calls, total ms, self ms) of ``row``'s children, each followed by its own, by total."""
    children = sorted(row.children.values(), key=lambda r: -r.total)
    shown = children if row_limit is None else children[:row_limit]
    for child in shown:
        yield indent + child.name, child.calls, child.total * 1e3, child.self_time * 1e3
        yield from _nested_lines(child, row_limit, indent + '  ')
    rest = children[len(shown):]
    if rest:  # merged, so the column sums still add up
        yield (f"{indent}... {len(rest)} more", sum(r.calls for r in rest),
               sum(r.total for r in rest) * 1e3, sum(_subtree_self(r) for r in rest) * 1e3)


def _subtree_self(row):
    return row.self_time + sum(_subtree_self(c) for c in row.children.values())
