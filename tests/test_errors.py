"""The error-quality suite: generated bad inputs thrown at the public API, each of which must
raise a clear minigan error (tests/error_cases.py says exactly what passes). The number of
inputs tried is printed at the end of the session."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigan as mg
from minigan import errors

from . import error_rows_cli, error_rows_cli_files, error_rows_ops, error_rows_training  # noqa: F401 -- rows
from .error_cases import ROWS, Bad, check, raises_minigan_error


@pytest.mark.filterwarnings('ignore::RuntimeWarning')
@pytest.mark.parametrize('name', sorted(ROWS))
@given(data=st.data())
def test_bad_input_raises_a_clear_minigan_error(name, data):
    check(data.draw(ROWS[name], label=name))


# ----------------------------------------------------------------------------- the check itself
def raw_numpy_error():
    return np.ones(2) + np.ones(3)  # NumPy's own broadcast error


def test_the_check_fails_on_a_raw_numpy_error():
    bad = Bad('numpy broadcast', raw_numpy_error, errors.ShapeError)
    with pytest.raises(AssertionError, match='not a minigan error'):
        raises_minigan_error(bad)


def test_the_check_fails_when_a_raw_error_is_chained_to_a_minigan_error():
    def rewrapped():
        try:
            raw_numpy_error()
        except ValueError:
            mg.zeros(-1)  # a minigan error raised while NumPy's is handled: both would print
    with pytest.raises(AssertionError, match='chained'):
        raises_minigan_error(Bad('chained', rewrapped, errors.ShapeError))


def test_the_check_fails_on_a_vague_message_a_wrong_class_or_no_error():
    x = mg.zeros(2, 3)
    with pytest.raises(AssertionError, match='does not mention'):
        raises_minigan_error(Bad('vague', lambda: x.reshape(4), errors.ShapeError, ('reshape', '(5,)')))
    with pytest.raises(AssertionError, match='expected a DTypeError'):
        raises_minigan_error(Bad('wrong class', lambda: x.reshape(4), errors.DTypeError))
    with pytest.raises(AssertionError, match='no error was raised'):
        raises_minigan_error(Bad('fine', lambda: x.reshape(6), errors.ShapeError))


def test_the_check_fails_on_a_minigan_error_raised_outside_minigan():
    def outside():
        raise errors.ShapeError('made up')
    with pytest.raises(AssertionError, match='outside minigan'):
        raises_minigan_error(Bad('outside', outside, errors.ShapeError))


def test_every_minigan_error_is_also_a_builtin_error_old_code_catches():
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.MiniganError)]
    assert len(classes) > 10
    for cls in classes:
        if cls is not errors.MiniganError:
            assert issubclass(cls, (ValueError, TypeError, RuntimeError)), cls
            assert cls.__doc__, cls
