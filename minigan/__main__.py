"""``python -m minigan``: the command line (see minigan/cli)."""
import sys

from .cli import main

if __name__ == '__main__':
    sys.exit(main())
