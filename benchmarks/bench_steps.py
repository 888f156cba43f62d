"""The whole training steps alone: ``python benchmarks/bench_steps.py [options]`` is
``python -m benchmarks --only steps [options]`` (see benchmarks/__main__.py for the options)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

from benchmarks.__main__ import main  # noqa: E402

if __name__ == '__main__':
    main(['--only', 'steps'] + sys.argv[1:])
