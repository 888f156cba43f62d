"""The error-quality suite's machinery: a bad input, the check it must pass, and the tally.

A *row* is one kind of mistake (a conv2d input of the wrong rank, a NaN learning rate, a
truncated checkpoint): a hypothesis strategy that draws a ``Bad`` -- a call that makes the mistake,
the minigan error class it must raise, and the words its message must contain (the op, module
or option, and the offending shapes or values). Rows live in tests/error_rows_*.py and register
themselves with ``@row('name')``; tests/test_errors.py draws from every row.

What passes (``raises_minigan_error``):
  * the call raises an instance of ``bad.error``, which must be a MiniganError and a ValueError,
    TypeError or RuntimeError (minigan/errors.py) -- a raw NumPy or Python error is neither;
  * the message contains every one of ``bad.mentions``;
  * no other exception is chained to it for the traceback to print (a NumPy error caught and
    re-raised without ``from None`` would still show NumPy's traceback);
  * it was raised by minigan's code (the innermost frame lies in the minigan package).

A row whose input may turn out harmless (a byte changed in a part of a file nobody reads) gives
``harmless``: a test of the call's result; such a result counts as harmless, not as a failure,
and the tally says how many there were.

A row for the command line (tests/error_rows_cli.py) calls ``minigan.cli.run_command`` -- the
command line without main's catching -- and sets ``command_line``: its error must pass the same
checks, and the line main prints for it (``minigan.cli.describe``) must be one line that contains
every one of ``mentions`` (the option and the offending value).
"""
import collections
import os
from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple

from hypothesis import strategies as st

import minigan
from minigan.errors import MiniganError

PACKAGE = os.path.dirname(os.path.abspath(minigan.__file__)) + os.sep
BUILTIN_KINDS = (ValueError, TypeError, RuntimeError)

ROWS = {}                        # row name -> strategy of Bad
TALLY = collections.Counter()    # outcome -> count, over the whole session
TRIED = set()                    # distinct descriptions tried


@dataclass(repr=False)
class Bad:
    """One bad call: ``call()`` must raise ``error`` with every string of ``mentions`` in its message."""
    description: str
    call: Callable[[], object]
    error: type
    mentions: Tuple[str, ...] = ()
    harmless: Optional[Callable[[object], bool]] = field(default=None, repr=False)
    command_line: bool = False

    def __repr__(self):  # hypothesis prints this for a failing example
        return f"Bad({self.description})"


def row(name):
    """Register a strategy of Bad (usually an ``@st.composite`` function) under ``name``."""
    def register(strategy_fn):
        assert name not in ROWS, f"two rows named {name!r}"
        ROWS[name] = strategy_fn()
        return strategy_fn
    return register


def raising_frame(err):
    tb = err.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename, tb.tb_lineno


def raises_minigan_error(bad):
    """Run ``bad.call`` and check its error as the module docstring says; -> the outcome."""
    try:
        result = bad.call()
    except Exception as err:  # noqa: BLE001 -- the error under test, whatever it is
        error = err
    else:
        if bad.harmless is not None and bad.harmless(result):
            return 'harmless'
        raise AssertionError(f"{bad.description}: no error was raised (returned {type(result).__name__})")
    name = f"{type(error).__module__}.{type(error).__qualname__}"
    assert isinstance(error, MiniganError) and isinstance(error, BUILTIN_KINDS), (
        f"{bad.description}: raised {name}: {error}\n-- not a minigan error (minigan.errors)")
    assert isinstance(error, bad.error), (
        f"{bad.description}: raised {name}: {error}\n-- expected a {bad.error.__name__}")
    message = str(error)
    missing = [m for m in bad.mentions if m not in message]
    assert not missing, f"{bad.description}: the message {message!r} does not mention {missing}"
    chained = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    assert chained is None, (f"{bad.description}: {name} has {type(chained).__name__}: {chained} chained "
                             "to it; raise it `from None` so the traceback shows only minigan's message")
    filename, line = raising_frame(error)
    assert filename.startswith(PACKAGE), f"{bad.description}: raised at {filename}:{line}, outside minigan"
    if bad.command_line:
        from minigan.cli import describe  # what main prints after "minigan: error: "
        printed = describe(error)
        assert '\n' not in printed, f"{bad.description}: main would print several lines: {printed!r}"
        missing = [m for m in bad.mentions if m not in printed]
        assert not missing, f"{bad.description}: the printed line {printed!r} does not mention {missing}"
    return 'raised'


def check(bad):
    outcome = raises_minigan_error(bad)
    TALLY[outcome] += 1
    TRIED.add(bad.description)
    return outcome


def summary():
    """One line for the end of the test session (tests/conftest.py prints it), or None."""
    total = sum(TALLY.values())
    if not total:
        return None
    harmless = f"; {TALLY['harmless']} were harmless byte changes that loaded the same data" if TALLY['harmless'] else ''
    return (f"error-quality suite: {total} bad inputs tried ({len(TRIED)} distinct) in {len(ROWS)} rows; "
            f"{TALLY['raised']} raised a clear minigan error{harmless}")


# ----------------------------------------------------------------------------- shared strategies
def sides(low=1, high=4):
    return st.integers(low, high)


def shapes(min_dims=0, max_dims=4, low=1, high=4):
    return st.lists(sides(low, high), min_size=min_dims, max_size=max_dims).map(tuple)


@st.composite
def non_broadcastable(draw, min_dims=1, max_dims=3):
    """Two shapes that do not broadcast: one trailing dim differs and neither side is 1."""
    a = draw(shapes(min_dims, max_dims, low=2))
    k = draw(st.integers(1, len(a)))                   # which trailing dim disagrees
    other = draw(sides(2, 5).filter(lambda n: n != a[-k]))
    b = list(a[draw(st.integers(0, len(a) - k)):])   # a suffix of a (fewer dims broadcast too)...
    b[-k] = other                                      # ...with that dim changed
    return (a, tuple(b)) if draw(st.booleans()) else (tuple(b), a)


def bad_numbers(allow_negative=True):
    """NaN and infinities (and negative numbers) for hyper-parameters that must be finite and >= 0."""
    values = [float('nan'), float('inf'), float('-inf')]
    return st.sampled_from(values) | (st.floats(-10, -1e-3) if allow_negative else st.nothing())
