"""Function: one node of the computation graph.

A Function is used once: ``y = Exp()(x)``. Calling it

  1. turns its inputs into Tensors (Python numbers become constants beside the first Tensor),
  2. checks them at the boundary (one device; one floating dtype),
  3. runs ``forward`` on the raw arrays and wraps the result in a Tensor,
  4. if grad mode is on and an input requires grad, links the output to this node.

Subclasses write

    forward(self, *arrays) -> array        raw NumPy/CuPy arrays in and out; may save raw values
                                           that are *constant* w.r.t. the inputs (masks, indices,
                                           shapes) on ``self`` for backward
    backward(self, grad_output) -> grads   Tensors in and out, one per input (None for "no grad"),
                                           written in engine ops on ``self.inputs`` /
                                           ``self.output()``

Because backward is made of Tensor ops, running it with grad mode on records a graph of the
gradient itself: that is all higher-order gradients need. A value that depends on the inputs
must never be saved as a raw array for backward (it would be a constant to the second
derivative); use the input or output Tensors instead.

The node holds its output only by weak reference, so graph and tensors form no reference cycle:
dropping the last Tensor frees the whole graph at once.

Instruments. The profiler and anomaly detection (minigan/profiler.py, minigan/anomaly.py) watch
every call through one slot, ``_instrument``, set by minigan/instrument.py. When nothing watches,
the slot is None and a call pays one ``is not None`` test for it.
"""
import weakref

from . import backend
from .errors import ArgumentTypeError, DTypeError, DeviceError
from .tensor import Tensor, _GradMode, as_tensor_like, is_number_beside_float

_instrument = None  # the outermost active Instrument (minigan/instrument.py), or None


class Function:
    differentiable = True   # False for comparisons, argmax...: the output never requires grad
    promotes_to_float = False  # True for arithmetic: int/bool tensors join a float one as floats
    released = False        # set once backward has freed the saved state (see release())

    @property
    def name(self):
        """The op's name in error messages: the class name in lower case."""
        return type(self).__name__.lower()

    def __call__(self, *inputs):
        if _instrument is not None:  # profiling or anomaly detection is on
            return _instrument.call(self, inputs)
        return self._call(inputs)

    def _call(self, inputs):
        """The call itself: boundary checks, forward, and the link into the graph.

        Written for speed (it runs ~1,700 times in a CycleGAN step): plain loops, no generators,
        one read of the grad mode; each generator expression here cost ~0.5 us a call."""
        if not same_kind(inputs):
            inputs = self._as_tensors(inputs)
        output = Tensor(self.forward(*[t.array for t in inputs]))
        if _GradMode.enabled and self.differentiable:
            for t in inputs:
                if t.requires_grad:
                    self._link(inputs, output)
                    break
        return output

    def _link(self, inputs, output):
        """Make this node ``output``'s grad_fn, holding its inputs (and the output weakly)."""
        self.inputs = inputs
        self.needs_input_grad = tuple([t.requires_grad for t in inputs])
        self.output = weakref.ref(output)
        output.grad_fn = self
        output.requires_grad = True

    def forward(self, *arrays):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad_output):
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    def release(self):
        """Drop the inputs and every saved value; the node stays in the graph, marked released."""
        self.__dict__.clear()
        self.released = True

    # ---- boundary checks
    def _as_tensors(self, inputs):
        """The inputs as Tensors beside the first Tensor, checked: one device, at most one floating
        dtype (and, for arithmetic, int/bool tensors promoted to it). Python numbers beside a
        floating tensor take its dtype and device, so ``x * 2`` needs no further check."""
        reference = next((t for t in inputs if isinstance(t, Tensor)), None)
        if reference is None:
            raise ArgumentTypeError(f"{self.name}: expected at least one Tensor argument, got "
                                    f"{', '.join(type(v).__name__ for v in inputs)}")
        name = self.name
        tensors = tuple([v if isinstance(v, Tensor) else as_tensor_like(v, reference, name) for v in inputs])
        if all(v is reference or is_number_beside_float(v, reference) for v in inputs):
            return tensors  # x * 2: the constant was made on x's device with x's dtype
        floats = check_compatible(name, tensors)
        if self.promotes_to_float and floats:
            (dtype,) = floats
            tensors = tuple(t if t.dtype == dtype else Tensor(t.array.astype(dtype)) for t in tensors)
        return tensors


def same_kind(inputs):
    """Are the inputs all Tensors whose arrays have one type (so one device) and one dtype? Then
    they pass every boundary check as they are: a Function call's usual case, ~250 per DCGAN step."""
    first = inputs[0] if inputs else None
    if not isinstance(first, Tensor):
        return False
    kind, dtype = type(first.array), first.array.dtype
    for t in inputs[1:]:
        if not (isinstance(t, Tensor) and type(t.array) is kind and t.array.dtype == dtype):
            return False
    return True


def check_compatible(op, tensors):
    """The tensors (None skipped) are on one device and have at most one floating dtype; returns
    that dtype as a set ({} when none is floating). The error names ``op``: the function the user
    called, which for a composite (F.linear, F.mse_loss) is not the Function that would fail."""
    devices = {t.device for t in tensors if t is not None}
    if len(devices) > 1:
        raise DeviceError(f"{op}: expected all tensors on one device, got "
                          f"{' and '.join(sorted(devices))}; move them with .to(device)")
    floats = {t.dtype for t in tensors if t is not None and backend.is_floating(t.dtype)}
    if len(floats) > 1:
        raise DTypeError(f"{op}: expected one floating dtype, got "
                         f"{' and '.join(sorted(str(d) for d in floats))}; "
                         "convert with .float() or .double()")
    return floats


def active_instrument():
    """The instrument watching the ops now (None when none is), for the autograd engine."""
    return _instrument


def set_instrument(instrument):
    """Let ``instrument`` (or None) watch every call; minigan/instrument.py manages the chain."""
    global _instrument
    _instrument = instrument
