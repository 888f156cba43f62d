"""Gradient clipping, as torch.nn.utils: rescale or cut the gradients before the optimizer step.

    clip_grad_norm_   g ← g · min(1, max_norm / (‖g‖ + 1e-6)), ‖g‖ the p-norm of all gradients
                      together (as if concatenated into one vector); returns ‖g‖
    clip_grad_value_  g ← clamp(g, -c, c), elementwise

Both change ``p.grad`` in place, outside any graph.
"""
import math

from ... import backend
from ...errors import AnomalyError
from ...tensor import Tensor


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients together so that their total ``norm_type``-norm is at most max_norm."""
    grads = _grads(parameters)
    if not grads:
        return Tensor(backend.asarray(0.0))
    norm_type = float(norm_type)
    xp = grads[0].xp
    if norm_type == math.inf:
        norms = [xp.abs(g.array).max() for g in grads]
        total = xp.max(xp.stack(norms))
    else:
        norms = [(xp.abs(g.array) ** norm_type).sum() ** (1.0 / norm_type) for g in grads]
        total = (xp.stack(norms) ** norm_type).sum() ** (1.0 / norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise AnomalyError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
                         "non-finite, so it cannot be clipped; pass error_if_nonfinite=False to skip")
    coef = xp.minimum(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        g.array *= coef.astype(g.dtype)
    return Tensor(xp.asarray(total))


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to [-clip_value, clip_value]."""
    for g in _grads(parameters):
        g.array[...] = g.xp.clip(g.array, -clip_value, clip_value)
