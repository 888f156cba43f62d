"""The command line: ``python -m minigan train ...`` and ``python -m minigan sample ...``.

    train.py     the one training loop (and --resume)       options.py   its options
    sample.py    outputs of a trained model                 stream.py    the resumable batch stream
    progress.py  the progress bar

A wrong command line or bad input ends with one line, ``minigan: error: ...``, and exit status 2
(set MINIGAN_DEBUG=1 to see the traceback instead).
"""
import os
import sys

from ..errors import MiniganError

from .sample import sample_command
from .train import train_command

USAGE = """usage: python -m minigan {train,sample} ...

  python -m minigan train                     the main job: a conditional GAN on the shipped digits
  python -m minigan train VARIANT [options]   train one GAN of the course (--help lists them)
  python -m minigan sample --checkpoint FILE --n N --out FILE.png|FILE.npy

`python -m minigan train --help` and `python -m minigan sample --help` explain every option."""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    commands = {'train': train_command, 'sample': sample_command}
    if command not in commands:
        print(f"{USAGE}\n\nminigan: error: unknown command {command!r}; expected train or sample",
              file=sys.stderr)
        return 2
    try:
        return commands[command](rest)
    except (MiniganError, ValueError, TypeError, OSError, RuntimeError) as err:
        if os.environ.get('MINIGAN_DEBUG'):
            raise
        print(f"minigan: error: {err}", file=sys.stderr)
        return 2
