"""The kernels alone: ``python benchmarks/bench_kernels.py [options]`` is
``python -m benchmarks --only kernels [options]`` (see benchmarks/__main__.py for the options)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

from benchmarks.__main__ import main  # noqa: E402

if __name__ == '__main__':
    main(['--only', 'kernels'] + sys.argv[1:])
