"""Timing that is fair to every contender on a noisy machine.

A figure here is the median of many repeats after a warm-up, with the fastest and the slowest
repeat beside it. Contenders are interleaved so that all of them meet the same machine load:
kernels in short blocks (``blocks``), whole steps one step each in turn (``alternating``).
"""
import statistics
import time
from dataclasses import dataclass


@dataclass
class Timing:
    """Milliseconds of one function: the median, fastest and slowest of ``n`` timed calls."""
    median: float
    min: float
    max: float
    n: int

    @classmethod
    def of(cls, seconds):
        ms = [1e3 * s for s in seconds]
        return cls(statistics.median(ms), min(ms), max(ms), len(ms))

    def as_dict(self):
        return dict(median_ms=self.median, min_ms=self.min, max_ms=self.max, n=self.n)


def _timed(fn, sync):
    start = time.perf_counter()
    fn()
    sync()
    return time.perf_counter() - start


def blocks(fns, syncs, repeats, warmup, rounds=10, pause=0.02):
    """[Timing] of each function, timed in blocks: some calls of one, a pause, some of the next,
    and round again.

    Blocks, not call-by-call interleaving: OpenMP (torch's CPU threads) keeps its workers busy-
    waiting for a while after parallel work, so a call made right after it runs with a core
    still taken; the pause lets them go back to sleep (GNU OpenMP's workers, PyTorch's on Linux,
    spin for well under the 20 ms default; OpenBLAS's sleep at once, minigan/backend.py). Several rounds of short blocks, so that a
    burst of other work on a shared machine falls on a few samples of every function rather
    than on all samples of one.
    """
    rounds = max(1, min(rounds, repeats))
    times = [[] for _ in fns]
    for r in range(rounds):
        for i, (fn, sync) in enumerate(zip(fns, syncs)):
            time.sleep(pause)
            for _ in range(warmup if r == 0 else 1):
                fn()
            sync()
            for _ in range(repeats // rounds + (r < repeats % rounds)):
                times[i].append(_timed(fn, sync))
    return [Timing.of(t) for t in times]


def alternating(fns, syncs, repeats, warmup):
    """[Timing] of each function, called one after the other, round after round (A, B, A, B...):
    for whole training steps, long enough (tens of ms) that one's spinning threads hardly touch
    the next. Returns also what each function's first call returned (its first losses)."""
    first = [fn() for fn in fns]
    for _ in range(warmup - 1):
        for fn in fns:
            fn()
    for sync in syncs:
        sync()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for i, (fn, sync) in enumerate(zip(fns, syncs)):
            times[i].append(_timed(fn, sync))
    return [Timing.of(t) for t in times], first
