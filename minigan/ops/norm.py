"""Normalization: batch_norm, instance_norm, layer_norm, group_norm.

All four standardize x over a set of dims D and then scale and shift it per channel:

    x̂ = (x - μ) / σ,   μ = mean_D x,   σ = sqrt(var_D x + eps)   (biased variance),
    y = γ x̂ + β.

    batch_norm     D = batch and spatial dims (N, *)      one μ, σ per channel
    instance_norm  D = spatial dims (*)                   one μ, σ per (sample, channel)
    layer_norm     D = the last len(normalized_shape) dims
    group_norm     D = the channels of a group and the spatial dims

x̂ and 1/σ are graph nodes of x (ops/moments.py), so every backward here differentiates again:
batch norm's second derivative included. Batch and instance norm with γ, β run as one fused node
(``NormAffine``) with a closed-form backward; layer and group norm compose x̂ with engine ops.
"""
from .. import backend
from ..checks import count, number
from ..errors import ArgumentError, DTypeError, ShapeError
from ..function import Function
from ..tensor import Tensor, is_grad_enabled
from . import parallel
from .links import link, link_gradient
from .moments import Centered, Combine, InvStd, Moments, SumProduct, combine, normalize, raw_sum
from .shape import reshape, sum_to
from .util import require_tensor


# ----------------------------------------------------------------------------- fused: normalize + affine
class NormAffine(Function):
    """y = γ x̂ + β with x̂ standardized over D and γ, β per channel (dim 1), channel not in D.

    The batch norm (and instance norm) kernel in one node. Everything is written with
    c = x - μ (x̂ is never materialized) and per-channel coefficients. With k = γ/σ:

        forward   y = c k + β
        backward  gβ = S_g = sum gy,   gγ = S_x̂ = sum gy x̂ = (sum gy c) / σ
                  gx = k (gy - mean_D gy - x̂ mean_D(gy x̂))          (γ is constant over D)
                     = c (-k S_x̂ / (n σ)) + gy k - k S_g / n         (``Combine``)

    c and 1/σ in the backward are Centered / InvStd nodes of x, and the rest are engine ops, so
    the backward differentiates again.

    Speed: each direction is one pass over memory. A block of x that holds whole groups (a
    convolution's output, stored (C, H, W, N), cut into blocks of channels) has all it needs for
    its own μ and σ, so one kernel takes it from x to y while it sits in cache (``_forward_in_
    groups``), and the backward's two sums and gx likewise (``_backward_in_groups``): the graph
    is the same, its nodes get their values from the kernel. On one core (conv layout, float32,
    CPU time of two runs) the backward took 0.75-0.77 ms for (64, 128, 7, 7) and 0.88-1.05 ms
    for (64, 64, 14, 14), against 0.88-0.90 and 1.29-1.34 pass by pass; the forward 0.65 (the
    same) and 0.80-0.82 against 0.95. In another layout (an (N, C, H, W) array cuts every
    channel into a block per image) it goes pass by pass.
    """

    def __init__(self, dims, eps):
        self.dims, self.eps = dims, eps

    def forward(self, x, weight, bias):
        shape = _channel_shape(x.ndim, x.shape[1])
        weight, bias = weight.reshape(shape), bias.reshape(shape)
        y = backend.xp_of(x).empty_like(x)  # x's layout, as every array of the moments
        self.m = _forward_in_groups(x, weight, bias, y, self.dims, self.eps)
        if self.m is None:
            self.m = Moments(x, self.dims, self.eps, keep_centered=True)
            parallel.blocks(_affine_kernel, x, self.m.centered, self.m.inv_std * weight, bias, y)
        return y

    def backward(self, gy):
        x, weight, bias = self.inputs
        gy = link(gy, x, weight)  # as torch's batch_norm_backward(gy, x, weight): gβ requires grad too
        dims, n = self.dims, self.m.count
        need_x, need_w, need_b = self.needs_input_grad
        centered, s = Centered(self.m)(x), InvStd(self.m)(x)
        weight = reshape(weight, _channel_shape(x.ndim, x.shape[1]))
        done = need_x and _backward_in_groups(gy.array, centered.array, s.array, weight.array, dims, n)
        gx_value, sum_g, sum_gc = done or (None, None, None)
        sum_g = SumProduct(dims, sum_g)(gy)               # keepdim over D
        sum_gc = SumProduct(dims, sum_gc)(gy, centered)
        sum_gxhat = sum_gc * s                            # sum gy x̂
        gx = None
        if done and not is_grad_enabled():  # nothing records this backward: no node for gx
            gx = Tensor(gx_value)
        elif need_x:
            # laid out as x (through c): that is what the node before this one wants back
            gx = Combine(gx_value)(centered, gy, *_coefficients(s, weight, sum_g, sum_gxhat, n))
        gw = reshape(sum_to(sum_gxhat, weight.shape), (-1,)) if need_w else None
        gb = reshape(sum_to(sum_g, weight.shape), (-1,)) if need_b else None
        return gx, gw, gb


def _coefficients(s, weight, sum_g, sum_gxhat, n):
    """(p, q, r) of gx = c p + gy q + r, from 1/σ, γ and the sums (keepdim shapes): Tensors in
    the graph, or raw arrays in the fused kernel -- the same formula either way."""
    k = s * weight
    k_n = k * (-1.0 / n)
    return k_n * s * sum_gxhat, k, k_n * sum_g


def _affine_kernel(c, k, b, y):
    """y = c k + b, on one block."""
    backend.xp_of(c).multiply(c, k, out=y)
    y += b


def _forward_in_groups(x, weight, bias, y, dims, eps):
    """NormAffine's forward in one pass over the blocks of x: each block's μ, σ, c = x - μ and
    y = c γ/σ + β, while the block is in cache. Returns the Moments (y is written), or None,
    running nothing, when x's layout cuts groups apart (parallel.whole_groups)."""
    xp = backend.xp_of(x)
    count = 1
    for d in dims:
        count *= x.shape[d]
    centered = xp.empty_like(x)

    def kernel(dims_here, x, weight, bias, c, y):
        mean = raw_sum(dims_here, x) / count
        xp.subtract(x, mean, out=c)        # two passes over the block (center, then square):
        var = raw_sum(dims_here, c, c) / count  # no cancellation when |μ| >> σ
        inv_std = 1.0 / xp.sqrt(var + eps)
        _affine_kernel(c, inv_std * weight, bias, y)
        return mean, var, inv_std
    stats = parallel.whole_groups(kernel, x, dims, x, weight, bias, centered, y)
    return None if stats is None else Moments.given(dims, count, *stats, centered=centered)


def _backward_in_groups(gy, centered, inv_std, weight, dims, n):
    """NormAffine's gx and its two sums in one pass over the blocks of gy and c = x - μ (raw
    arrays): (gx, sum_D gy, sum_D gy c), or None when c's layout cuts groups apart."""
    xp = backend.xp_of(centered)
    gx = xp.empty_like(centered)  # laid out as x

    def kernel(dims_here, gy, c, s, weight, out):
        sum_g, sum_gc = raw_sum(dims_here, gy), raw_sum(dims_here, gy, c)
        combine(c, gy, *_coefficients(s, weight, sum_g, sum_gc * s, n), out)
        return sum_g, sum_gc
    sums = parallel.whole_groups(kernel, centered, dims, gy, centered, inv_std, weight, gx)
    return None if sums is None else (gx, *sums)


def _channel_shape(ndim, channels):
    """(1, C, 1, 1) for 4-d input: how a per-channel vector broadcasts against it."""
    return (1, channels) + (1,) * (ndim - 2)


# ----------------------------------------------------------------------------- checks
def _check_channel_vector(op, name, t, channels, input_shape):
    if t is not None:
        require_tensor(op, t, name)
    if t is not None and tuple(t.shape) != (channels,):
        raise ShapeError(f"{op}: {name} of shape {tuple(t.shape)}; expected ({channels},) for input "
                         f"of shape {tuple(input_shape)} (one value per channel, dim 1)")


def _check_input(op, input, min_dims=2):
    require_tensor(op, input)
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"{op}: expected a floating-point input, got dtype {input.dtype}")
    if input.ndim < min_dims:
        raise ShapeError(f"{op}: expected input of at least {min_dims} dims (N, C, *), got shape "
                         f"{tuple(input.shape)}")


def _check_numbers(op, eps, momentum=0.0):
    """eps >= 0 and momentum in [0, 1], finite: a NaN here would reach every running statistic."""
    number(op, 'eps', eps, low=0.0)
    number(op, 'momentum', momentum, low=0.0, high=1.0)


def _affine(x, weight, bias):
    """γ x̂ + β with per-channel γ, β composed from engine ops (either may be None)."""
    shape = _channel_shape(x.ndim, x.shape[1])
    if weight is not None:
        x = x * reshape(weight, shape)
    if bias is not None:
        x = x + reshape(bias, shape)
    return x


def _normalize_affine(x, dims, weight, bias, eps):
    """(y, moments): the fused kernel when there is an affine part, plain x̂ otherwise."""
    if weight is None and bias is None:
        return normalize(x, dims, eps)
    xp, channels = x.xp, x.shape[1]
    weight = Tensor(xp.ones(channels, dtype=x.dtype)) if weight is None else weight
    bias = Tensor(xp.zeros(channels, dtype=x.dtype)) if bias is None else bias
    fn = NormAffine(dims, eps)
    return fn(x, weight, bias), fn.m


def _normalize_with(x, mean, var, weight, bias, eps):
    """Evaluation mode: (x - mean) / sqrt(var + eps) · γ + β with given (running) statistics,
    as x · scale + shift: two passes, differentiable in x, γ, β through engine ops.

    The gradient is linked to x and γ, as torch's batch_norm_backward(gy, x, γ, ...) is: the
    gradients are then differentiable in x even though linear in it (second derivative None).
    """
    scale = (var + eps) ** -0.5
    if weight is not None:
        scale = scale * weight
    shift = -mean * scale
    if bias is not None:
        shift = shift + bias
    shape = _channel_shape(x.ndim, x.shape[1])
    return link_gradient(x * reshape(scale, shape) + reshape(shift, shape), x, weight)


def _update_running(running, batch_value, momentum):
    """running ← (1 - momentum) running + momentum batch_value, in place on the data (no graph)."""
    running.array[...] = ((1.0 - momentum) * running.array
                         + momentum * batch_value.astype(running.dtype, copy=False))


# ----------------------------------------------------------------------------- the F functions
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization of input (N, C, *): one mean and variance per channel over N and *.

    training: normalize with the batch's statistics (biased variance) and, when running_mean /
    running_var are given, blend them in place: r ← (1 - momentum) r + momentum · batch value,
    with the *unbiased* variance n/(n-1) · var (as torch). Otherwise normalize with the running
    statistics. weight γ and bias β (C,) scale and shift each channel.
    """
    _check_input('batch_norm', input)
    _check_numbers('batch_norm', eps, momentum)
    channels = input.shape[1]
    for name, t in [('running_mean', running_mean), ('running_var', running_var),
                    ('weight', weight), ('bias', bias)]:
        _check_channel_vector('batch_norm', name, t, channels, input.shape)
    dims = (0,) + tuple(range(2, input.ndim))
    if not training:
        if running_mean is None or running_var is None:
            raise ArgumentError("batch_norm: running_mean and running_var must be given when "
                                "training=False (they are the statistics evaluation normalizes with)")
        return _normalize_with(input, running_mean, running_var, weight, bias, eps)
    if input.numel() // channels <= 1:
        raise ShapeError(f"batch_norm: expected more than 1 value per channel when training, got "
                         f"input of shape {tuple(input.shape)}")
    y, m = _normalize_affine(input, dims, weight, bias, eps)
    if running_mean is not None:
        _update_running(running_mean, m.mean.reshape(channels), momentum)
    if running_var is not None:
        _update_running(running_var, m.var.reshape(channels) * (m.count / (m.count - 1)), momentum)
    return y


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Instance normalization of input (N, C, *): one mean and variance per sample and channel,
    over the spatial dims *. With use_input_stats=False, normalizes with the running statistics.

    Running statistics (optional) are blended with the batch average of the per-instance means
    and unbiased variances, as torch does.
    """
    _check_input('instance_norm', input, min_dims=3)
    _check_numbers('instance_norm', eps, momentum)
    n, channels = input.shape[:2]
    for name, t in [('running_mean', running_mean), ('running_var', running_var),
                    ('weight', weight), ('bias', bias)]:
        _check_channel_vector('instance_norm', name, t, channels, input.shape)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ArgumentError("instance_norm: running_mean and running_var must be given when "
                                "use_input_stats=False")
        return _normalize_with(input, running_mean, running_var, weight, bias, eps)
    dims = tuple(range(2, input.ndim))
    if input.numel() // (n * channels) <= 1:
        raise ShapeError(f"instance_norm: expected more than 1 spatial element when training, got "
                         f"input of shape {tuple(input.shape)}")
    y, m = _normalize_affine(input, dims, weight, bias, eps)
    if running_mean is not None:
        _update_running(running_mean, m.mean.reshape(n, channels).mean(axis=0), momentum)
    if running_var is not None:
        unbiased = m.var.reshape(n, channels) * (m.count / (m.count - 1))
        _update_running(running_var, unbiased.mean(axis=0), momentum)
    return y


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Standardize over the last dims (those of normalized_shape), then y = γ x̂ + β with γ, β of
    shape normalized_shape (elementwise)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"layer_norm: expected a floating-point input, got dtype {input.dtype}")
    _check_numbers('layer_norm', eps)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise ShapeError(f"layer_norm: normalized_shape {shape}; expected input of shape "
                         f"(*, {', '.join(map(str, shape))}), got {tuple(input.shape)}")
    for name, t in [('weight', weight), ('bias', bias)]:
        if t is not None and tuple(t.shape) != shape:
            raise ShapeError(f"layer_norm: {name} of shape {tuple(t.shape)}; expected "
                             f"normalized_shape {shape}")
    y, _ = normalize(input, tuple(range(input.ndim - k, input.ndim)), eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    if weight is None and bias is None:
        return y
    return link_gradient(y, input, weight)  # as torch's layer_norm_backward(gy, x, ..., γ, β)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the C channels of input (N, C, *) into num_groups groups; standardize each sample's
    group over its channels and spatial dims; then scale and shift per channel."""
    _check_input('group_norm', input)
    _check_numbers('group_norm', eps)
    count('group_norm', 'num_groups', num_groups, minimum=1)
    n, channels = input.shape[:2]
    if channels % num_groups:
        raise ShapeError(f"group_norm: {channels} channels (input of shape {tuple(input.shape)}) "
                         f"cannot be split into {num_groups} groups; expected C divisible by num_groups")
    for name, t in [('weight', weight), ('bias', bias)]:
        _check_channel_vector('group_norm', name, t, channels, input.shape)
    grouped, _ = normalize(reshape(input, (n, num_groups, -1)), (2,), eps)
    return _affine(reshape(grouped, input.shape), weight, bias)
