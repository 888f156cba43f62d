"""A small progress bar: steps done, rate, time left, and the latest losses, on one line.

On a terminal the line is redrawn in place at most 10 times a second; when the output is a file
or a pipe (a log, a test) it prints a plain line at every tenth of the run instead, so logs stay
short. Losses are shown as running means (the last ~20 steps) because a single step's value
jumps around.
"""
import sys
import time

WIDTH = 24  # characters of the bar


def clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60:02d}:{seconds % 60:02d}"


class Progress:
    def __init__(self, total, done=0, out=None):
        self.total, self.done, self.start_done = total, done, done
        self.out = out or sys.stderr
        self.live = hasattr(self.out, 'isatty') and self.out.isatty()
        self.start = self.last_draw = time.perf_counter()
        self.next_line = done + max(1, total // 10)
        self.means = {}

    def update(self, epoch, values):
        self.done += 1
        for name, value in values.items():
            mean = self.means.get(name)
            self.means[name] = value if mean is None else 0.95 * mean + 0.05 * value
        now = time.perf_counter()
        if self.live and (now - self.last_draw > 0.1 or self.done >= self.total):
            self.last_draw = now
            self.out.write('\r' + self.line(epoch, now) + '\033[K')
            self.out.flush()
        elif not self.live and self.done >= self.next_line:
            self.next_line += max(1, self.total // 10)
            self.out.write(self.line(epoch, now) + '\n')
            self.out.flush()

    def line(self, epoch, now):
        total = max(self.total, self.done)
        fraction = self.done / total if total else 1.0
        filled = int(WIDTH * fraction)
        elapsed = now - self.start
        rate = (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0
        left = (total - self.done) / rate if rate > 0 else 0.0
        losses = ' '.join(f"{name} {value:.3g}" for name, value in self.means.items())
        return (f"epoch {epoch + 1} {'#' * filled}{'.' * (WIDTH - filled)} {self.done}/{total} "
                f"[{clock(elapsed)}<{clock(left)}, {rate:.2f} step/s] {losses}")

    def write(self, text):
        """Print a line of text above the bar."""
        if self.live:
            self.out.write('\r\033[K')
        self.out.write(text + '\n')
        self.out.flush()

    def close(self):
        if self.live:
            self.out.write('\n')
            self.out.flush()
