"""The errors minigan raises on purpose, so a learner's mistake reads as a sentence, not a trace.

Every one of them is a ``MiniganError`` *and* the built-in error Python code expects for that
kind of mistake (ValueError for a bad value, TypeError for a bad type, RuntimeError for misuse
of the graph), so ``except ValueError`` keeps working and ``except minigan.MiniganError`` catches
exactly the errors minigan meant to raise. An error that is *not* a MiniganError -- a NumPy
broadcast error surfacing from deep inside an op -- is a bug in minigan's checks: the
error-quality tests (tests/test_errors.py) throw generated bad inputs at the public API and fail
on any such raw error.

Each message names the op, module or option, what it got (shapes, dtypes, values) and what it
expected, e.g. ``conv2d: input of shape (2, 4, 8, 8) has 4 channels, but weight of shape
(8, 3, 3, 3) expects 3``.

    MiniganError
    ├── ShapeError      (ValueError)   shapes, ranks, channels, sizes that do not fit together
    ├── ArgumentError   (ValueError)   an option's value: stride 0, lr=nan, an unknown reduction
    ├── DeviceError     (ValueError, RuntimeError)  tensors on different devices, no GPU, 'tpu'
    ├── DimError        (IndexError, ValueError)    a dim, index or label out of range
    ├── DTypeError      (TypeError)    a dtype that cannot be used here: int where float is needed
    ├── ArgumentTypeError (TypeError)  an argument of the wrong Python type: a list for a Tensor
    ├── GraphError      (RuntimeError) autograd misuse: backward twice, grad of a constant
    ├── UsageError      (RuntimeError) a tool used out of order: profile results before the block
    ├── StateDictError  (RuntimeError, ValueError)  load_state_dict: missing, extra, mis-shaped keys
    ├── CheckpointError (ValueError)   a file that is not a readable minigan checkpoint
    ├── MissingFileError (FileNotFoundError, ValueError)  no file (or no directory) at the path given
    └── AnomalyError    (RuntimeError) detect_anomaly() found a NaN or an inf

Three classes have two built-in bases. A missing file is an OSError wherever Python code meets
one (torch.load raises FileNotFoundError), and it is a bad path given as an argument, a
ValueError like every other bad value here. Torch is not consistent, and code written for it
catches either: a device mismatch is torch's RuntimeError but was a ValueError here, and
Module.load_state_dict raises RuntimeError where Optimizer.load_state_dict raises ValueError.
A dim, index or class label out of range is torch's IndexError, and a bad value all the same.
"""


class MiniganError(Exception):
    """The base of every error minigan raises on purpose (a mixin beside a built-in error)."""


class ShapeError(MiniganError, ValueError):
    """Shapes, ranks or channel counts that do not fit the op."""


class ArgumentError(MiniganError, ValueError):
    """An argument's value is out of its domain (stride 0, lr=nan, reduction='avg')."""


class DeviceError(MiniganError, ValueError, RuntimeError):
    """Tensors on different devices, a device that does not exist, or no GPU for 'cuda'."""


class DimError(MiniganError, IndexError, ValueError):
    """A dim, an index or a class label out of range: an IndexError, as in torch, and a ValueError."""


class DTypeError(MiniganError, TypeError):
    """A dtype the op cannot use (an int tensor where a float one is needed, mixed floats)."""


class ArgumentTypeError(MiniganError, TypeError):
    """An argument of the wrong Python type (a list where a Tensor is needed, a float stride)."""


class GraphError(MiniganError, RuntimeError):
    """The graph is used in a way autograd cannot follow (backward twice, grad of a constant)."""


class UsageError(MiniganError, RuntimeError):
    """A tool used out of order (a profile read before it ran, a hook registered twice)."""


class StateDictError(MiniganError, RuntimeError, ValueError):
    """load_state_dict met missing, unexpected or mis-shaped entries."""


class CheckpointError(MiniganError, ValueError):
    """A file that is not a readable minigan checkpoint: truncated, corrupt, pickled, foreign."""


class MissingFileError(MiniganError, FileNotFoundError, ValueError):
    """No file at the path given to load, or no directory for save to write into: an OSError, as
    Python code expects of a missing file, and a ValueError, as every bad argument here."""


class AnomalyError(MiniganError, RuntimeError):
    """A NaN or an inf where there must be none: an op's output or a gradient under
    detect_anomaly(), a total norm in clip_grad_norm_(error_if_nonfinite=True)."""
