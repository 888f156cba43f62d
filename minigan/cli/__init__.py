"""The command line: ``python -m minigan train ...`` and ``python -m minigan sample ...``.

    train.py     the train command: options, start or resume   options.py   its options
    run.py       a run: the one training loop, exact resume   stream.py    the resumable batch stream
    files.py     --out, checkpoints and --input, checked       watch.py     --detect-anomaly, --profile
    sample.py    outputs of a trained model                   progress.py  the progress bar

A wrong command line or bad input ends with one line, ``minigan: error: ...``, and exit status 2
(set MINIGAN_DEBUG=1 to see the traceback instead); Ctrl-C with exit status 130 (in the training
loop after saving the run: see run.py). ``run_command`` is the same without the catching.
"""
import os
import sys

from ..errors import AnomalyError, ArgumentError, MiniganError

from .files import one_line

from .sample import sample_command
from .train import train_command

USAGE = """usage: python -m minigan {train,sample} ...

  python -m minigan train                     the main job: a conditional GAN on the shipped digits
  python -m minigan train VARIANT [options]   train one GAN of the course (--help lists them)
  python -m minigan sample --checkpoint FILE --n N --out FILE.png|FILE.npy

`python -m minigan train --help` and `python -m minigan sample --help` explain every option."""


def run_command(argv):
    """Run ``train ...`` or ``sample ...`` and return the exit status; errors propagate."""
    if not argv or argv[0] in ('-h', '--help'):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    commands = {'train': train_command, 'sample': sample_command}
    if command not in commands:
        raise ArgumentError(f"unknown command {command!r}; expected train or sample (python -m minigan "
                            "--help)")
    return commands[command](rest)


def main(argv=None):
    """The command line: run_command, with every error ending in one line and exit status 2."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return run_command(argv)
    except KeyboardInterrupt:  # outside the training loop, which saves the run itself
        print("minigan: interrupted", file=sys.stderr)
        return 130
    except (MiniganError, ValueError, TypeError, OSError, RuntimeError, MemoryError) as err:
        if os.environ.get('MINIGAN_DEBUG'):
            raise
        print(f"minigan: error: {describe(err)}", file=sys.stderr)
        return 2


def describe(err):
    """The message of an error as main prints it, on one line (but an AnomalyError's few lines):
    minigan's own as they are; another's with its kind (a NumPy error slipping through a check
    reads as what it is); running out of memory with advice."""
    if isinstance(err, AnomalyError):  # the op, the line that called it, its source: on purpose
        return str(err)
    if isinstance(err, MiniganError):
        return one_line(err)
    if isinstance(err, MemoryError):
        return f"out of memory ({err or 'MemoryError'}); try a smaller --batch-size, --width or --n"
    return f"{type(err).__name__}: {one_line(err)}"
