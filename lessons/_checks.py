"""What a lesson's checks are written with: call an answer, compare it, and say clearly how it is wrong.

A check receives the function to test (the learner's answer, the worked answer, or a wrong answer
from the solutions file) and raises ``Mismatch`` when it is wrong:

    @im2col.check
    def check_im2col(im2col):
        x = rng().standard_normal((2, 3, 6, 6))
        got = call(im2col, x, 3, stride=2, padding=1)
        expect_close(got, reference_columns(x, 3, 2, 1), source="F.conv2d with one-hot kernels")

``call`` remembers how the answer was called, so that a failure can say it; ``expect_close``
compares shapes, then values, and names the largest error and where it is:

    called   im2col(array (2, 3, 6, 6) float64, 3, stride=2, padding=1)   inputs drawn with seed 0
    returned array (2, 27, 9) float64
    expected array (2, 27, 9) float64 (F.conv2d with one-hot kernels)
    largest error 1.73 at [0, 4, 2]: got 0, expected 1.73

Checks draw their inputs from ``rng()`` (NumPy, seed 0) and the runner seeds minigan with
``mg.manual_seed(0)`` before each one, so a failure is the same on every run.
"""
import numpy as np

import minigan as mg

SEED = 0


class Mismatch(AssertionError):
    """An answer ran but gave the wrong result; the message says what was called, got and expected."""


class _Record:
    """The exercise being checked and the description of its last ``call`` (for failure messages)."""
    exercise = None
    last_call = None


def start(exercise_name):
    """Forget the last call and seed minigan's generator: the runner calls this before each check."""
    _Record.exercise, _Record.last_call = exercise_name, None
    mg.manual_seed(SEED)


def last_call():
    return _Record.last_call


def rng():
    """A NumPy generator seeded with SEED: the same inputs on every run."""
    return np.random.default_rng(SEED)


# ----------------------------------------------------------------------------- describing values
def describe(value, depth=0):
    """A short description of a value for messages: shapes and dtypes of arrays, not their contents."""
    if isinstance(value, mg.Tensor):
        flag = ', requires_grad' if value.requires_grad else ''
        return f"Tensor {tuple(value.shape)} {value.dtype}{flag}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"array({value.item()!r})"
        return f"array {value.shape} {value.dtype}"
    if isinstance(value, (bool, int, float, np.number)):
        return f"{value:.6g}" if isinstance(value, (float, np.floating)) else repr(value)
    if isinstance(value, (tuple, list)):
        if depth > 1 or len(value) > 6:
            return f"{type(value).__name__} of {len(value)}"
        inner = ', '.join(describe(v, depth + 1) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    if value is None:
        return 'None'
    if callable(value):
        return getattr(value, '__name__', type(value).__name__)
    return type(value).__name__


def call(fn, *args, **kwargs):
    """fn(*args, **kwargs), remembered so that a failure can say what was called (under the
    exercise's name: fn may be the learner's function, the worked answer or a wrong answer)."""
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    _Record.last_call = f"{_Record.exercise or getattr(fn, '__name__', 'answer')}({', '.join(parts)})"
    return fn(*args, **kwargs)


def called(text):
    """Say what the check is about to run, when it is more than one call of the answer
    (``called("gradcheck of softmax with your backward, x: Tensor (3, 5) float64")``)."""
    _Record.last_call = text


def as_array(value, what='the result'):
    """A NumPy array of a Tensor, array, number or (nested) list; a clear Mismatch for anything else."""
    if value is None:
        raise Mismatch(f"{what} is None: did the function forget to `return`?")
    if isinstance(value, mg.Tensor):
        return value.detach().numpy()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise Mismatch(f"{what} is a {type(value).__name__}, which is not a number or an array "
                       f"({error})") from None
    if array.dtype == object:
        raise Mismatch(f"{what} is a {describe(value)}, which is not a number or an array")
    return array


# ----------------------------------------------------------------------------- comparing
def expect_close(got, expected, *, atol=1e-6, rtol=1e-5, what='the result', source=None):
    """Raise Mismatch unless ``got`` has ``expected``'s shape and |got - expected| <= atol + rtol |expected|.

    got and expected may be Tensors, arrays or numbers. The message names the largest error
    (beyond the tolerance) and its index.
    """
    a, e = as_array(got, what), as_array(expected, 'the reference')
    origin = f", from {source}" if source else ''
    label = 'returned' if what == 'the result' else what
    width = max(8, len(label))
    header = [f"{label:<{width}} {describe(got)}", f"{'expected':<{width}} {describe(expected)}{origin}"]
    if a.shape != e.shape:
        raise Mismatch('\n'.join(header + [f"{what} has shape {a.shape}, expected shape {e.shape}"]))
    if a.dtype.kind not in 'fiub' or (a.dtype.kind == 'b' and e.dtype.kind != 'b'):
        raise Mismatch('\n'.join(header + [f"{what} has dtype {a.dtype}; expected numbers"]))
    a, e = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid='ignore'):
        excess = np.abs(a - e) - (atol + rtol * np.abs(e))
    excess = np.where(np.isnan(excess), np.inf, excess)
    if a.size == 0 or not (excess > 0).any():
        return
    index = np.unravel_index(int(np.argmax(excess)), a.shape)
    g, x = a[index], e[index]
    where = f" at {list(map(int, index))}" if a.ndim else ''
    if not np.isfinite(g) and np.isfinite(x):
        line = f"{what} is {g}{where}, expected {x:.6g}: something overflowed or divided by zero"
    else:
        line = (f"largest error {abs(g - x):.3g}{where}: got {g:.6g}, expected {x:.6g} "
                f"(tolerance {atol:g} + {rtol:g}·|expected|)")
    bad = int((excess > 0).sum())
    if bad > 1:
        line += f"; {bad} of {a.size} entries are off"
    raise Mismatch('\n'.join(header + [line]))


def expect_equal(got, expected, what='the result', source=None):
    """Raise Mismatch unless got == expected (ints, tuples, lists, strings: exact values)."""
    if got != expected:
        origin = f" ({source})" if source else ''
        raise Mismatch(f"{what} is {got!r}, expected {expected!r}{origin}")


def expect(condition, message):
    """Raise Mismatch(message) unless condition holds."""
    if not condition:
        raise Mismatch(message)


# ----------------------------------------------------------------------------- references
def leaf(array, requires_grad=False):
    """A float64 Tensor of a NumPy array (a copy); requires_grad=True for gradients taken at it."""
    return mg.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def engine_grads(fn, inputs, grad_output):
    """minigan's gradients of fn at ``inputs`` (NumPy arrays) against ``grad_output``, as arrays.

    The vector-Jacobian product: d/d inputs of sum(fn(*inputs) * grad_output), in float64.
    """
    leaves = [leaf(x, requires_grad=True) for x in inputs]
    out = fn(*leaves)
    grads = mg.grad([out], leaves, grad_outputs=[leaf(grad_output)], allow_unused=True)
    return tuple(np.zeros_like(x, dtype=np.float64) if g is None else g.numpy()
                 for x, g in zip(inputs, grads))


def answer_and_grads(answer, inputs, grad_output, wrt=(0,)):
    """Run an answer written in Tensor ops at float64 leaves of ``inputs`` (NumPy arrays) and
    differentiate it: (its output, (dL/d inputs[i] for i in wrt)), with L = sum(output · grad_output).

    The gradient of an input the answer does not reach through the graph comes back as zeros,
    so a check can compare it (and a detached answer fails there)."""
    leaves = [leaf(v, requires_grad=i in wrt) for i, v in enumerate(inputs)]
    out = answer(*leaves)
    if not isinstance(out, mg.Tensor) or not out.requires_grad:
        raise Mismatch(f"the result is a {describe(out)} that does not depend on its inputs through "
                       "the graph: build it with Tensor ops (no NumPy, no .detach(), no .item())")
    grads = mg.grad([out], [leaves[i] for i in wrt], grad_outputs=[leaf(grad_output)],
                    allow_unused=True)
    return out, tuple(np.zeros(np.shape(inputs[i])) if g is None else g.numpy() for i, g in zip(wrt, grads))
