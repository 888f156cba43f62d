"""The loss functions of torch.nn.functional: binary cross-entropy (from logits and from
probabilities), cross-entropy, negative log-likelihood, mean squared and absolute error.

Every one takes ``reduction='mean' | 'sum' | 'none'`` (and torch's deprecated size_average /
reduce, which map onto it). They are compositions of engine ops -- so their gradients, and the
gradients of those, come for free -- except binary_cross_entropy, whose gradient torch defines
with a clamp we reproduce exactly.

Stability. From logits z, BCE is computed as (1 - t) z - log σ(z), with log σ(z) = -log(1 + e^-z)
evaluated by logaddexp: finite with finite gradients even at z = ±1e4. Cross-entropy goes through
log_softmax (max subtracted).
"""
from .. import backend
from ..checks import count, number
from ..errors import ArgumentError, ArgumentTypeError, DTypeError, DimError, ShapeError
from ..function import Function, check_compatible
from ..tensor import Tensor
from .activation import log_softmax, logsigmoid
from .links import link_gradient
from .math import abs as _abs, clamp, log, where
from .reduce import sum as _sum
from .util import require_tensors


# ----------------------------------------------------------------------------- reduction
def legacy_reduction(size_average, reduce, reduction):
    """torch's legacy (size_average, reduce) pair -> a reduction string."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return 'mean' if size_average and reduce else 'sum' if reduce else 'none'


def _check_reduction(op, reduction):
    if reduction not in ('mean', 'sum', 'none'):
        raise ArgumentError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _check_input(op, input, reduction, floating=True):
    """input is a Tensor (of a floating dtype for scores); 'mean' needs at least one element."""
    if not isinstance(input, Tensor):
        raise ArgumentTypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if floating and not backend.is_floating(input.dtype):
        raise DTypeError(f"{op}: expected a floating-point input (scores), got dtype {input.dtype}")
    if reduction == 'mean' and input.numel() == 0:
        raise ShapeError(f"{op}: input of shape {tuple(input.shape)} is an empty batch, whose mean "
                         "is undefined; expected at least one element (or reduction='sum')")


def _reduce(loss, reduction, op):
    _check_reduction(op, reduction)
    if reduction == 'none':
        return loss
    return loss.sum() if reduction == 'sum' else loss.mean()


def _check_same_shape(op, input, target):
    if tuple(target.shape) != tuple(input.shape):
        raise ShapeError(f"{op}: target of shape {tuple(target.shape)} for input of shape "
                         f"{tuple(input.shape)}; expected the same shape")


def _as_float_target(op, target, input):
    """target as a Tensor of input's float dtype (0/1 integer labels are accepted)."""
    if not isinstance(target, Tensor):
        target = Tensor(backend.numeric_array(target, dtype=input.dtype, device=input.device, op=op))
    check_compatible(op, (input, target))
    if not backend.is_floating(target.dtype):
        target = target.to(input.dtype)
    return target


# ----------------------------------------------------------------------------- binary cross-entropy
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    """BCE of targets t ∈ [0, 1] and logits z, elementwise then reduced:

        ℓ = -w [p t log σ(z) + (1 - t) log(1 - σ(z))]  =  w [(1 - t) z - (1 + (p - 1) t) log σ(z)]

    with p = pos_weight (broadcast along the last dim, one per class). Stable for any z.
    """
    op = 'binary_cross_entropy_with_logits'
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_input(op, input, reduction)
    target = _as_float_target(op, target, input)
    _check_same_shape(op, input, target)
    _check_reduction(op, reduction)
    require_tensors(op, weight=weight, pos_weight=pos_weight)
    log_weight = 1.0 if pos_weight is None else 1.0 + (pos_weight - 1.0) * target
    loss = (1.0 - target) * input - log_weight * logsigmoid(input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, op)


class BinaryCrossEntropy(Function):
    """ℓ = -[t max(log x, -100) + (1 - t) max(log(1 - x), -100)], elementwise (torch's clamp keeps
    ℓ finite at x = 0 or 1).

    Gradients, as torch defines them: dℓ/dx = (x - t) / max(x (1 - x), 1e-12) and
    dℓ/dt = max(log(1 - x), -100) - max(log x, -100), both in engine ops.
    """
    promotes_to_float = True

    def forward(self, x, t):
        return -(t * _raw_clamped_log(x) + (1 - t) * _raw_clamped_log(1 - x))

    def backward(self, gy):
        x, t = self.inputs
        need_x, need_t = self.needs_input_grad
        gx = gy * (x - t) / clamp(x * (1.0 - x), min=1e-12) if need_x else None
        gt = gy * (_clamped_log(1.0 - x) - _clamped_log(x)) if need_t else None
        return gx, gt


def _raw_clamped_log(v):
    """max(log v, -100) for v >= 0, computed without log(0) (no divide-by-zero warning)."""
    xp = backend.xp_of(v)
    positive = v > 0
    safe = xp.where(positive, v, 1)
    return xp.where(positive, xp.maximum(xp.log(safe), -100), -100).astype(v.dtype, copy=False)


def _clamped_log(v):
    """max(log v, -100) in engine ops; its gradient is finite (0) where v = 0."""
    positive = v.array > 0
    return where(positive, clamp(log(where(positive, v, 1.0)), min=-100.0), -100.0)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction='mean'):
    """BCE of probabilities x ∈ [0, 1] and targets t: -w [t log x + (1 - t) log(1 - x)], with each
    log clamped to >= -100 as torch does. Prefer binary_cross_entropy_with_logits: it is stable."""
    op = 'binary_cross_entropy'
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_input(op, input, reduction)
    target = _as_float_target(op, target, input)
    _check_same_shape(op, input, target)
    _check_reduction(op, reduction)
    if bool(((input.array < 0) | (input.array > 1)).any()):
        raise ArgumentError(f"{op}: all elements of input should be between 0 and 1 (probabilities); "
                            "for logits use binary_cross_entropy_with_logits")
    require_tensors(op, weight=weight)
    loss = BinaryCrossEntropy()(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, op)


# ----------------------------------------------------------------------------- nll / cross-entropy
def _class_shape_check(op, input, target):
    """input (N, C, *) or (C,); integer target (N, *) or (): the class of each sample."""
    if not isinstance(target, Tensor):
        raise ArgumentTypeError(f"{op}: target must be a Tensor of class indices, got {type(target).__name__}")
    check_compatible(op, (input, target))
    if input.ndim == 0:
        raise ShapeError(f"{op}: input is 0-d; expected (N, C, *) or (C,) class scores")
    expected = () if input.ndim == 1 else (input.shape[0],) + tuple(input.shape[2:])
    if backend.is_floating(target.dtype):
        raise DTypeError(f"{op}: target has dtype {target.dtype}; expected integer class indices "
                         f"(int64) of shape {expected}, e.g. target.long()")
    if tuple(target.shape) != expected:
        raise ShapeError(f"{op}: target of shape {tuple(target.shape)} for input of shape "
                         f"{tuple(input.shape)}; expected target shape {expected}")


def _check_class_options(op, weight, ignore_index):
    require_tensors(op, weight=weight)
    count(op, 'ignore_index', ignore_index, minimum=-2 ** 63)


def _target_weights(op, input, target, weight, ignore_index):
    """A constant array M (input's shape): M[n, c, *] = w_c if c is sample n's class (and it is
    not ignore_index), else 0. Then the picked log-probabilities are sum_c M · input."""
    xp, classes = input.xp, input.shape[1]
    t = target.array
    valid = t != ignore_index
    if bool(((t < 0) | (t >= classes))[valid].any()):
        bad = t[valid & ((t < 0) | (t >= classes))]
        raise DimError(f"{op}: class index {int(bad.reshape(-1)[0])} is out of range for input "
                       f"of shape {tuple(input.shape)}; expected 0 <= target < {classes} "
                       f"(or ignore_index={ignore_index})")
    positions = xp.arange(classes).reshape((1, classes) + (1,) * (input.ndim - 2))
    picked = (xp.expand_dims(t, 1) == positions) & xp.expand_dims(valid, 1)
    m = picked.astype(input.dtype)
    if weight is not None:
        if tuple(weight.shape) != (classes,):
            raise ShapeError(f"{op}: weight of shape {tuple(weight.shape)}; expected ({classes},), "
                             "one per class")
        m *= _per_class(weight.array, input)
    return m


def _as_batch(input, target):
    """(C,) scores and a 0-d target are one sample: make them (1, C) and (1,)."""
    if input.ndim == 1:
        return input.reshape(1, -1), target.reshape(1)
    return input, target


def _weighted_reduce(per_sample, reduction, m, single):
    """'mean' divides by the total weight of the counted targets (sum of M), as torch does."""
    if reduction == 'none':
        return per_sample.reshape(()) if single else per_sample
    if reduction == 'sum':
        return per_sample.sum()
    return per_sample.sum() / Tensor(m.sum())


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction='mean'):
    """Negative log-likelihood of log-probabilities input (N, C, *) at integer targets (N, *):
    ℓ_n = -w_{t_n} input[n, t_n]; 'mean' divides by the sum of the weights of the counted
    samples (targets equal to ignore_index count for nothing)."""
    op = 'nll_loss'
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_input(op, input, reduction)
    _check_class_options(op, weight, ignore_index)
    _class_shape_check(op, input, target)
    _check_reduction(op, reduction)
    single = input.ndim == 1
    input, target = _as_batch(input, target)
    m = _target_weights(op, input, target, weight, ignore_index)
    loss = _weighted_reduce(-_sum(input * Tensor(m), 1), reduction, m, single)
    return link_gradient(loss, input, zeros=True)  # as torch's nll_loss_backward(grad, self, ...)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    """Cross-entropy of class scores (logits) input (N, C, *) against

      * integer class indices target (N, *): nll_loss(log_softmax(input, 1), target), or
      * class probabilities target (N, C, *) (float, same shape as input): -sum_c t_c log p_c.

    label_smoothing ε mixes the target with the uniform distribution over the C classes:
    ℓ = (1 - ε) nll + (ε / C) sum_c -w_c log p_c, as torch does.
    """
    op = 'cross_entropy'
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    number(op, 'label_smoothing', label_smoothing, low=0.0, high=1.0)
    _check_input(op, input, reduction)
    _check_class_options(op, weight, ignore_index)
    if not isinstance(target, Tensor):
        raise ArgumentTypeError(f"{op}: target must be a Tensor, got {type(target).__name__}")
    if input.ndim >= 1 and backend.is_floating(target.dtype) and tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing)
    _class_shape_check(op, input, target)
    single = input.ndim == 1
    input, target = _as_batch(input, target)
    logp = log_softmax(input, 1)
    m = _target_weights(op, input, target, weight, ignore_index)
    loss = -_sum(logp * Tensor(m), 1)
    if label_smoothing > 0.0:
        classes = input.shape[1]
        counted = Tensor((target.array != ignore_index).astype(input.dtype))
        w = 1.0 if weight is None else Tensor(_per_class(weight.array, input))
        smooth = -_sum(logp * w, 1) * counted  # ignored targets contribute nothing
        loss = (1.0 - label_smoothing) * loss + (label_smoothing / classes) * smooth
    return _weighted_reduce(loss, reduction, m, single)


def _per_class(values, input):
    """A (C,) array shaped to broadcast along dim 1 of input (N, C, *)."""
    return values.reshape((1, -1) + (1,) * (input.ndim - 2)).astype(input.dtype, copy=False)


def _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing):
    single = input.ndim == 1
    if single:
        input, target = input.reshape(1, -1), target.reshape(1, -1)
    classes = input.shape[1]
    if label_smoothing > 0.0:
        target = target * (1.0 - label_smoothing) + label_smoothing / classes
    terms = log_softmax(input, 1) * target
    if weight is not None:
        terms = terms * Tensor(_per_class(weight.array, input))
    loss = -_sum(terms, 1)
    if reduction == 'mean':  # averaged over samples (and positions), not over the weights
        return loss.sum() / loss.numel()
    return _reduce(loss.reshape(()) if single else loss, reduction, 'cross_entropy')


# ----------------------------------------------------------------------------- regression
def _pointwise_target(op, input, target, reduction):
    """target as a float Tensor that broadcasts against input (torch broadcasts, with a warning)."""
    _check_input(op, input, reduction)
    target = _as_float_target(op, target, input)
    if tuple(target.shape) != tuple(input.shape):
        try:
            backend.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        except ValueError:
            raise ShapeError(f"{op}: target of shape {tuple(target.shape)} for input of shape "
                             f"{tuple(input.shape)}; expected the same shape") from None
    return target


def _pointwise(op, error, input, size_average, reduce, reduction, weight):
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    if weight is None:
        return _reduce(error, reduction, op)
    require_tensors(op, weight=weight)
    if tuple(weight.shape) != tuple(input.shape):
        raise ShapeError(f"{op}: weight of shape {tuple(weight.shape)}; expected the input's shape "
                         f"{tuple(input.shape)}")
    error = error * weight
    if reduction == 'mean':  # torch's weighted mean: sum(w e) / sum(w)
        return error.sum() / weight.sum()
    return _reduce(error, reduction, op)


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """(x - y)², elementwise (target broadcasts, as in torch), then reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    diff = input - _pointwise_target('mse_loss', input, target, reduction)
    return _pointwise('mse_loss', diff * diff, input, None, None, reduction, weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """|x - y|, elementwise, then reduced. The gradient at x = y is 0 (sign(0), as in torch)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    error = _abs(input - _pointwise_target('l1_loss', input, target, reduction))
    return _pointwise('l1_loss', error, input, None, None, reduction, weight)

