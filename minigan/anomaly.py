"""``minigan.detect_anomaly()``: stop at the first NaN or inf, and say which op made it, and where.

A NaN spreads: once one value is NaN, everything computed from it is, and the loss that finally
shows it says nothing about where it began. Under anomaly detection (torch's name) every op's
output and every gradient a backward node returns is checked as it is made:

    forward    the op's output (floating outputs only)
    backward   each input gradient a node's backward returns

The first non-finite value raises AnomalyError naming the op and the line of *your* code that
called it -- the innermost frame of the call stack outside the engine: outside the minigan
package, or in its model zoo and training recipes (minigan/gan/), which are written on the
public API as your code is (so ``train --detect-anomaly`` names a recipe's or a model's line). For a gradient that
line is where the op's forward ran, recorded at forward time; so run the forward under
detect_anomaly too. The message also says whether the op's inputs were finite: if they were, this
op made the NaN (log(-1), 0 * inf, sqrt's gradient at 0); if not, it came from outside the
recorded graph (the data, or a parameter an optimizer step blew up).

An error of any other kind raised in a node's backward gets the same forward call site added as a
note, as torch prints the forward traceback.

Cost: a check is one pass over the output (``isfinite(...).all()``) and finding the call site walks
a few stack frames: 13 us a call on the loaded development machine, 0.1% of a DCGAN step but far
more on small ops (benchmarks/profiler_overhead.py). Turn it on to debug, not to train.
"""
import contextlib
import linecache
import os
import sys

from . import backend
from .errors import AnomalyError
from .instrument import Instrument, install, is_installed, remove

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_USER_CODE_INSIDE = _PACKAGE + 'gan' + os.sep  # recipes and models: user code of the engine


def _in_engine(filename):
    return filename.startswith(_PACKAGE) and not filename.startswith(_USER_CODE_INSIDE)


def call_site():
    """((filename, line number, function name), ...): the innermost frame outside the engine, then
    the frames of minigan/gan that led to it (a model's forward called by a recipe's step)."""
    frame = sys._getframe(1)
    while frame is not None and _in_engine(frame.f_code.co_filename):
        frame = frame.f_back
    sites = []
    while frame is not None and (not sites or frame.f_code.co_filename.startswith(_PACKAGE)):
        code = frame.f_code
        if not _in_engine(code.co_filename):  # the engine's frames between (Module.__call__) are skipped
            sites.append((code.co_filename, frame.f_lineno, getattr(code, 'co_qualname', code.co_name)))
        frame = frame.f_back
    return tuple(sites) or None


def describe_site(sites):
    """'path:line, in function:\\n    source line' (then the lines of minigan/gan that led there)
    for a call_site() result."""
    if sites is None:
        return "an unknown place (the forward ran without detect_anomaly, so its call site was not recorded)"
    filename, lineno, function = sites[0]
    source = linecache.getline(filename, lineno).strip()
    text = f"{filename}:{lineno}, in {function}" + (f":\n    {source}" if source else '')
    for filename, lineno, function in sites[1:]:
        text += f"\n  from {filename}:{lineno}, in {function}"
    return text


def _bad_values(t):
    """'nan', 'inf' or 'nan and inf' when the tensor holds such values; None when all are finite."""
    a = t.array
    if not backend.is_floating(a.dtype):
        return None
    xp = backend.xp_of(a)
    if bool(xp.isfinite(a).all()):
        return None
    has_nan = bool(xp.isnan(a).any())
    has_inf = bool(xp.isinf(a).any())
    return ' and '.join(kind for kind, present in (('nan', has_nan), ('inf', has_inf)) if present)


def _inputs_note(tensors, what):
    """Where the bad values came from: made here (inputs finite), or already in an input."""
    for i, t in enumerate(tensors):
        bad = _bad_values(t) if t is not None else None
        if bad:
            return (f"{what} {i} (shape {tuple(t.shape)}) already held {bad}: the bad values came "
                    "from outside the ops watched here (the data, a parameter changed in place, "
                    "or a forward run without detect_anomaly)")
    return f"its {what}s were finite, so this op made them"


class _AnomalyDetector(Instrument):
    check_nan = True  # False: only record call sites (for the notes on errors in backward)

    def __init__(self):
        self.running = []  # (name, forward call site) of the nodes whose backward is running

    def call(self, fn, inputs):
        output = super().call(fn, inputs)
        if output.grad_fn is fn:
            fn.anomaly_call_site = call_site()  # for the message of a bad gradient in backward
        bad = _bad_values(output) if self.check_nan else None
        if bad:
            op = type(fn).__name__
            made = (f"{op} returned {bad} values in its output of shape {tuple(output.shape)}; "
                    f"{_inputs_note(fn._as_tensors(inputs), 'input')}")
            if self.running:  # an op inside a node's backward: the backward is what went wrong
                node, site = self.running[-1]
                raise AnomalyError(f"detect_anomaly: {node}.backward made {bad} values: its {made}.\n"
                                   f"  The {node} was called at {describe_site(site)}")
            raise AnomalyError(f"detect_anomaly: {made}.\n  {op} was called at {describe_site(call_site())}")
        return output

    def backward(self, fn, grad_output):
        name = type(fn).__name__
        site = getattr(fn, 'anomaly_call_site', None)  # read now: backward may release fn
        self.running.append((name, site))
        try:
            grads = super().backward(fn, grad_output)
        except AnomalyError:
            raise
        except Exception as err:  # noqa: BLE001 -- annotated and re-raised unchanged
            if hasattr(err, 'add_note'):  # Python >= 3.11 prints notes under the traceback
                err.add_note(f"detect_anomaly: raised in {name}.backward; the {name} was called at "
                             f"{describe_site(site)}")
            raise
        finally:
            self.running.pop()
        for i, g in enumerate(grads if isinstance(grads, tuple) else (grads,)):
            bad = None if g is None or not self.check_nan else _bad_values(g)
            if bad:
                raise AnomalyError(
                    f"detect_anomaly: {name}.backward returned {bad} values in the gradient for its "
                    f"input {i} (shape {tuple(g.shape)}); "
                    f"{_inputs_note([grad_output], 'incoming gradient')}.\n"
                    f"  The {name} was called at {describe_site(site)}")
        return grads


_detector = _AnomalyDetector()


def is_anomaly_enabled():
    """Is anomaly detection on (as torch.is_anomaly_enabled)?"""
    return is_installed(_detector)


def is_anomaly_check_nan_enabled():
    return is_anomaly_enabled() and _detector.check_nan


class set_detect_anomaly(contextlib.ContextDecorator):  # noqa: N801 -- torch's name
    """Turn anomaly detection on or off: as a call, or as a context manager that restores it.

    ``check_nan=False`` only records where each op was called (for the notes on errors)."""

    def __init__(self, mode, check_nan=True):
        self.previous = (is_anomaly_enabled(), _detector.check_nan)
        _switch(bool(mode), check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _switch(*self.previous)
        return False


class detect_anomaly(contextlib.ContextDecorator):  # noqa: N801 -- torch's name
    """Within it, the first NaN or inf made by an op or a gradient raises AnomalyError."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self.previous = (is_anomaly_enabled(), _detector.check_nan)
        _switch(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        _switch(*self.previous)
        return False


def _switch(on, check_nan):
    _detector.check_nan = bool(check_nan)
    if on and not is_anomaly_enabled():
        install(_detector)
    elif not on and is_anomaly_enabled():
        remove(_detector)
