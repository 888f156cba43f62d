"""``train --detect-anomaly`` and ``train --profile``: the engine's two instruments, on the loop.

--detect-anomaly   every training step runs under ``minigan.detect_anomaly()``: the first NaN or
                   inf made by an op or a gradient raises AnomalyError naming the op and the line
                   that called it (a recipe's or a model's line: see minigan/anomaly.py). The step
                   is undone (Recipe.transaction), so the run's state is the one before it.
                   Pictures and metrics run unwatched: they are not training.

--profile N        ``minigan.profile()`` around N consecutive steps, starting at the second step of
                   this invocation -- the first pays one-time costs (NumPy's first calls, memory
                   the allocator keeps) that no later step pays -- and closing early at the end of
                   an epoch, so the table holds steps only, never the pictures and metrics that
                   follow an epoch. The table is printed above the progress bar and written, with
                   the flat per-op table after it, to OUT/profile.txt. Watching changes no number:
                   a profiled run is bit for bit the run without it (tests/test_watch.py).
"""
import contextlib
import os
import warnings

from ..anomaly import detect_anomaly
from ..profiler import profile

PROFILE_FILE = 'profile.txt'
PRINTED_ROWS = 6  # rows per level in the printed table; the file holds them all


class StepWatch:
    def __init__(self, anomaly=False, profile_steps=0):
        self.anomaly, self.profile_steps = anomaly, profile_steps
        self.steps_seen = 0          # steps of this invocation so far
        self.profiled = []           # the run's step numbers inside the profile
        self.profiler = None
        self.profile_written = False

    @contextlib.contextmanager
    def around_step(self):
        """The context of one recipe.step(): anomaly detection when asked for."""
        if not self.anomaly:
            yield
            return
        with detect_anomaly(), warnings.catch_warnings():
            warnings.simplefilter('ignore', RuntimeWarning)  # NumPy's "overflow in matmul": the error says more
            yield

    def before_step(self):
        if self.profile_steps and self.steps_seen == 1 and self.profiler is None:
            self.profiler = profile()
            self.profiler.__enter__()

    def after_step(self, step, epoch_ended):
        """Call after each committed step; returns the profile's report when it has just closed."""
        self.steps_seen += 1
        if self.profiler is None:
            return None
        self.profiled.append(step)
        if len(self.profiled) == self.profile_steps or epoch_ended:
            return self._finish()
        return None

    def close(self):
        """At the end of the loop, whatever ended it (an error, Ctrl-C): a profile still open is
        dropped, so that no instrument stays installed."""
        if self.profiler is not None:
            self._discard()

    def _discard(self):
        self.profiler.__exit__(None, None, None)
        self.profiler = None

    def _finish(self):
        prof, steps = self.profiler, self.profiled
        self._discard()
        self.profile_steps = 0  # one profile per invocation
        span = f"step {steps[0]}" if len(steps) == 1 else f"steps {steps[0]}-{steps[-1]}"
        head = (f"--profile: {span} ({len(steps)} step{'s' * (len(steps) > 1)}), "
                f"{prof.wall_ms / len(steps):.1f} ms per step")
        return head, prof

    def write(self, report, out):
        """(text to print, path written): the short table, and the file with both tables."""
        head, prof = report
        path = os.path.join(out, PROFILE_FILE)
        with open(path, 'w') as f:
            f.write(f"{head}\n\n{prof.table()}\n\nself time per op, wherever it ran:\n"
                    f"{prof.table(nested=False)}\n")
        self.profile_written = True
        return f"{head}\n{prof.table(row_limit=PRINTED_ROWS)}\n(all rows: {path})", path
