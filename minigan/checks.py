"""Checks of plain arguments at the boundary: hyper-parameters, sizes, and what a value is.

A NaN learning rate does not fail where it is given: it turns every weight into NaN a step
later, far from the mistake. So every public function that takes a number checks it on the way
in, with a message that names the function, the argument and the value:

    SGD: lr must be a finite number >= 0, got nan
    Linear: in_features must be an int >= 0, got 2.5 (a float)

``number`` is for real-valued hyper-parameters (lr, eps, momentum, p...), ``count`` for integer
sizes (features, channels, batch sizes). Both return the value unchanged, so a caller writes
``self.lr = number('SGD', 'lr', lr, low=0)``.
"""
import math
import numbers

from .errors import ArgumentError, ArgumentTypeError


def describe(value):
    """What ``value`` is, for a message: "str 'a'", "complex (1+2j)", "ndarray of dtype complex128"."""
    dtype = getattr(value, 'dtype', None)
    if dtype is not None and getattr(value, 'ndim', 0) > 0:
        return f"{type(value).__name__} of dtype {dtype}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def is_real_number(value):
    """A Python or NumPy int or float (not a bool, not complex)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def number(where, name, value, low=None, high=None, low_open=False, high_open=False):
    """``value`` if it is a finite real number within [low, high] (open ends if asked); else an
    error naming ``where`` (the function or class), ``name`` (the argument) and the value."""
    if not is_real_number(value):
        raise ArgumentTypeError(f"{where}: {name} must be a number, got {describe(value)}")
    bounds = _bounds(low, high, low_open, high_open)
    inside = (math.isfinite(value)
              and (low is None or (value > low if low_open else value >= low))
              and (high is None or (value < high if high_open else value <= high)))
    if not inside:
        raise ArgumentError(f"{where}: {name} must be a finite number{bounds}, got {value}")
    return value


def count(where, name, value, minimum=0):
    """``value`` if it is an int >= ``minimum`` (bools are not counts); else an error naming it."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ArgumentTypeError(f"{where}: {name} must be an int >= {minimum}, got {value!r} "
                                f"(a {type(value).__name__})")
    if value < minimum:
        raise ArgumentError(f"{where}: {name} must be an int >= {minimum}, got {value!r}")
    return value


def _bounds(low, high, low_open, high_open):
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high:g}"
    return ''
