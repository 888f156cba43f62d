"""Timing that is fair to every contender on a noisy machine.

A figure here is the median of many repeats after a warm-up, with the fastest and the slowest
repeat beside it. Contenders are interleaved so that all of them meet the same machine load:
kernels in short blocks (``blocks``), whole steps in short runs of each (``runs``).
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


RUN_LENGTH = 4  # steps of one library timed back to back (``runs``)


def runs(fns, syncs, repeats, warmup, length=RUN_LENGTH):
    """([Timing] of each function, what each function's first call returned): whole training
    steps, timed in runs of ``length`` back-to-back steps of one library (``blocks``, with its pause
    and one untimed step before each run), the libraries taking turns run by run.

    Runs, not one step of each in turn: a step is timed as a training loop meets it, after a step
    of its own library. After a PyTorch step its OpenMP workers spin on for a few milliseconds
    (2-core development machine: 9.3 ms of CPU burnt during a 50 ms sleep that followed a DCGAN
    step; 0.1 ms after a minigan step), and a step started meanwhile shares the cores with them.
    Three times each, alternated in one process: minigan's DCGAN step took 102.5-118.3 ms one step
    each in turn and 95.1-98.3 ms in runs, PyTorch's 69.1-73.2 and 67.1-69.1 ms.
    """
    first = [fn() for fn in fns]  # the first losses, compared between the libraries
    return blocks(fns, syncs, repeats, max(1, warmup - 1), rounds=-(-repeats // length)), first
