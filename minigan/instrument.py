"""Instruments: code that watches every op call and every backward step, from outside the ops.

Two tools need to see each op as it runs: the profiler (how long did it take?) and anomaly
detection (did it make a NaN?). Neither belongs inside the ops, so the engine offers three
doors, each a single test when nothing watches:

    Function.__call__      -> instrument.call(fn, inputs)            one op's forward
    autograd's node loop   -> instrument.backward(fn, grad_output)   one node's backward
    autograd's whole pass  -> instrument.backward_pass(run)          backward() / grad()

An Instrument overrides the doors it cares about and calls ``super()`` to let the work run, so
its code sits around the work (a timer) or after it (a check). Instruments stack: when the
profiler runs under detect_anomaly, the outer one's ``super()`` calls the inner one, whose
``super()`` runs the op. Only the outermost sits in the slot of minigan/function.py.
"""
from . import function
from .errors import UsageError


class Instrument:
    """Watches op calls and backward steps; the base class runs them unwatched."""

    inner = None  # the instrument installed before this one, or None

    def call(self, fn, inputs):
        """Run the Function ``fn`` on ``inputs`` (a tuple) and return its output Tensor."""
        return fn._call(inputs) if self.inner is None else self.inner.call(fn, inputs)

    def backward(self, fn, grad_output):
        """Run ``fn.backward(grad_output)`` and return what it returns."""
        if self.inner is None:
            return fn.backward(grad_output)
        return self.inner.backward(fn, grad_output)

    def backward_pass(self, run):
        """Run one whole backward pass, ``run()``, and return its result."""
        return run() if self.inner is None else self.inner.backward_pass(run)


_installed = []  # innermost first


def install(instrument):
    """Start watching with ``instrument`` (outermost from now on)."""
    if is_installed(instrument):
        raise UsageError(f"{type(instrument).__name__} is already active; it cannot be entered twice")
    _installed.append(instrument)
    _relink()


def is_installed(instrument):
    return any(i is instrument for i in _installed)


def remove(instrument):
    """Stop watching with ``instrument``, wherever it sits in the stack."""
    _installed[:] = [i for i in _installed if i is not instrument]
    instrument.inner = None
    _relink()


def _relink():
    for inner, outer in zip([None] + _installed, _installed):
        outer.inner = inner
    function.set_instrument(_installed[-1] if _installed else None)
