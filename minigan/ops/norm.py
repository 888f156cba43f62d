"""Normalization: batch_norm, instance_norm, layer_norm, group_norm.

All four standardize x over a set of dims D and then scale and shift it per channel:

    x̂ = (x - μ) / σ,   μ = mean_D x,   σ = sqrt(var_D x + eps)   (biased variance),
    y = γ x̂ + β.

    batch_norm     D = batch and spatial dims (N, *)      one μ, σ per channel
    instance_norm  D = spatial dims (*)                   one μ, σ per (sample, channel)
    layer_norm     D = the last len(normalized_shape) dims
    group_norm     D = the channels of a group and the spatial dims

Gradient. With n = |D| and g = dL/dx̂:

    dL/dx = (1/σ) (g - mean_D g - x̂ mean_D(g x̂))

x̂ and 1/σ depend on x, so for second derivatives they must be *Tensors in the graph*, not raw
arrays (a raw 1/σ is a constant to the second derivative, and batch norm's Hessian comes out
wrong). Here each is the output of a Function of x -- ``Normalize`` (x ↦ x̂) and ``InvStd``
(x ↦ 1/σ) -- whose backward is itself written in Tensor ops: differentiable to any order. The
forward computes μ, σ, x̂ once (``_Moments``); those nodes just hand the values back, so the
graph costs no recomputation.
"""
from .. import backend
from ..function import Function
from ..tensor import Tensor
from .shape import reshape, sum_to


# ----------------------------------------------------------------------------- sums over D
def _einsum_spec(ndim, dims):
    """'abcd->b' for summing a 4-d array over dims (0, 2, 3)."""
    letters = 'abcdefghijklmnopqrstuvwxyz'[:ndim]
    return letters, ''.join(c for i, c in enumerate(letters) if i not in dims)


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def _raw_sum(a, dims, b=None):
    """sum_D a (or sum_D a·b) in keepdim shape, in one einsum pass (no a·b temporary)."""
    xp = backend.xp_of(a)
    src, dst = _einsum_spec(a.ndim, dims)
    total = xp.einsum(f'{src}->{dst}', a) if b is None else xp.einsum(f'{src},{src}->{dst}', a, b)
    return total.reshape(_keep_shape(a.shape, dims))


class SumProduct(Function):
    """sum_D a, or sum_D a·b for two tensors of one shape; keepdim shape.

    One einsum instead of a product and a sum: the reductions of normalization's backward.
    d/da sum_D a·b = b (broadcast), d/db = a.
    """

    def __init__(self, dims):
        self.dims = dims

    def forward(self, a, b=None):
        return _raw_sum(a, self.dims, b)

    def backward(self, g):
        shape = self.inputs[0].shape
        g = g.expand(shape)  # broadcast_to
        if len(self.inputs) == 1:
            return g
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None, g * a if need_b else None)


def _mean_d(a, dims, count, b=None):
    return (SumProduct(dims)(a) if b is None else SumProduct(dims)(a, b)) / count


# ----------------------------------------------------------------------------- x̂ and 1/σ as nodes
class _Moments:
    """μ, biased var, 1/σ and x̂ of x over ``dims``, computed once in the forward (raw arrays).

    They enter the graph only as outputs of Normalize / InvStd nodes of x, which carry the right
    derivatives; the running statistics read μ and var (they get no gradient, as in torch).
    """

    def __init__(self, x, dims, eps):
        self.dims = dims
        self.count = 1
        for d in dims:
            self.count *= x.shape[d]
        xp = backend.xp_of(x)
        self.mean = _raw_sum(x, dims) / self.count
        xhat = x - self.mean                                # two passes (centered, then squared):
        self.var = _raw_sum(xhat, dims, xhat) / self.count  # no cancellation when |μ| >> σ
        self.inv_std = 1.0 / xp.sqrt(self.var + eps)
        xhat *= self.inv_std
        self.xhat = xhat


class Normalize(Function):
    """x ↦ x̂ = (x - μ) / σ over D.  gx = (1/σ) (g - mean_D g - x̂ mean_D(g x̂))."""

    def __init__(self, moments):
        self.m = moments

    def forward(self, x):
        return self.m.xhat

    def backward(self, g):
        (x,) = self.inputs
        xhat, dims, n = self.output(), self.m.dims, self.m.count
        s = InvStd(self.m)(x)
        return s * (g - _mean_d(g, dims, n) - xhat * _mean_d(g, dims, n, xhat))


class InvStd(Function):
    """x ↦ 1/σ = (var_D x + eps)^(-1/2), keepdim shape.  d(1/σ)/dx_i = -(1/σ)² x̂_i / n."""

    def __init__(self, moments):
        self.m = moments

    def forward(self, x):
        return self.m.inv_std

    def backward(self, g):
        (x,) = self.inputs
        s = self.output()
        return Normalize(self.m)(x) * (g * s * s * (-1.0 / self.m.count))


def normalize(x, dims, eps):
    """(x̂ as a Tensor, the _Moments it came from) for standardization over ``dims``."""
    moments = _Moments(x.data, dims, eps)
    return Normalize(moments)(x), moments


# ----------------------------------------------------------------------------- fused: normalize + affine
class NormAffine(Function):
    """y = γ x̂ + β with x̂ standardized over D and γ, β per channel (dim 1), channel not in D.

    The batch norm (and instance norm) kernel in one node, so its backward needs only two
    reductions and four passes over x:
        gβ = sum gy,   gγ = sum gy x̂   (over all dims but the channel)
        gx = (γ/σ) (gy - mean_D gy - x̂ mean_D(gy x̂))     (γ is constant over D)
    x̂ and 1/σ in the backward are Normalize / InvStd nodes of x, so it differentiates again.
    """

    def __init__(self, dims, eps):
        self.dims, self.eps = dims, eps

    def forward(self, x, weight, bias):
        self.m = _Moments(x, self.dims, self.eps)
        shape = _channel_shape(x.ndim, x.shape[1])
        y = self.m.xhat * weight.reshape(shape)
        y += bias.reshape(shape)
        return y

    def backward(self, gy):
        x, weight, bias = self.inputs
        dims, n = self.dims, self.m.count
        xhat = Normalize(self.m)(x)
        sum_gy = SumProduct(dims)(gy)              # keepdim over D
        sum_gy_xhat = SumProduct(dims)(gy, xhat)
        need_x, need_w, need_b = self.needs_input_grad
        gx = None
        if need_x:
            k = InvStd(self.m)(x) * reshape(weight, _channel_shape(x.ndim, x.shape[1]))
            gx = k * (gy - sum_gy / n - xhat * (sum_gy_xhat / n))
        gw = reshape(sum_to(sum_gy_xhat, _channel_shape(x.ndim, x.shape[1])), weight.shape) if need_w else None
        gb = reshape(sum_to(sum_gy, _channel_shape(x.ndim, x.shape[1])), bias.shape) if need_b else None
        return gx, gw, gb


def _channel_shape(ndim, channels):
    """(1, C, 1, 1) for 4-d input: how a per-channel vector broadcasts against it."""
    return (1, channels) + (1,) * (ndim - 2)


# ----------------------------------------------------------------------------- checks
def _check_channel_vector(op, name, t, channels, input_shape):
    if t is not None and tuple(t.shape) != (channels,):
        raise ValueError(f"{op}: {name} of shape {tuple(t.shape)}; expected ({channels},) for input "
                         f"of shape {tuple(input_shape)} (one value per channel, dim 1)")


def _check_input(op, input, min_dims=2):
    if input.ndim < min_dims:
        raise ValueError(f"{op}: expected input of at least {min_dims} dims (N, C, *), got shape "
                         f"{tuple(input.shape)}")


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
    as x · scale + shift: two passes, differentiable in x, γ, β through engine ops."""
    scale = (var + eps) ** -0.5
    if weight is not None:
        scale = scale * weight
    shift = -mean * scale
    if bias is not None:
        shift = shift + bias
    shape = _channel_shape(x.ndim, x.shape[1])
    return x * reshape(scale, shape) + reshape(shift, shape)


def _update_running(running, batch_value, momentum):
    """running ← (1 - momentum) running + momentum batch_value, in place on the data (no graph)."""
    running.data[...] = ((1.0 - momentum) * running.data
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
    channels = input.shape[1]
    for name, t in [('running_mean', running_mean), ('running_var', running_var),
                    ('weight', weight), ('bias', bias)]:
        _check_channel_vector('batch_norm', name, t, channels, input.shape)
    dims = (0,) + tuple(range(2, input.ndim))
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var must be given when "
                             "training=False (they are the statistics evaluation normalizes with)")
        return _normalize_with(input, running_mean, running_var, weight, bias, eps)
    if input.numel() // channels <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got "
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
    n, channels = input.shape[:2]
    for name, t in [('running_mean', running_mean), ('running_var', running_var),
                    ('weight', weight), ('bias', bias)]:
        _check_channel_vector('instance_norm', name, t, channels, input.shape)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: running_mean and running_var must be given when "
                             "use_input_stats=False")
        return _normalize_with(input, running_mean, running_var, weight, bias, eps)
    dims = tuple(range(2, input.ndim))
    if input.numel() // (n * channels) <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when training, got "
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
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise ValueError(f"layer_norm: normalized_shape {shape}; expected input of shape "
                         f"(*, {', '.join(map(str, shape))}), got {tuple(input.shape)}")
    for name, t in [('weight', weight), ('bias', bias)]:
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"layer_norm: {name} of shape {tuple(t.shape)}; expected normalized_shape {shape}")
    y, _ = normalize(input, tuple(range(input.ndim - k, input.ndim)), eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the C channels of input (N, C, *) into num_groups groups; standardize each sample's
    group over its channels and spatial dims; then scale and shift per channel."""
    _check_input('group_norm', input)
    n, channels = input.shape[:2]
    if num_groups <= 0 or channels % num_groups:
        raise ValueError(f"group_norm: {channels} channels (input of shape {tuple(input.shape)}) "
                         f"cannot be split into {num_groups} groups; expected C divisible by num_groups")
    for name, t in [('weight', weight), ('bias', bias)]:
        _check_channel_vector('group_norm', name, t, channels, input.shape)
    grouped, _ = normalize(reshape(input, (n, num_groups, -1)), (2,), eps)
    return _affine(reshape(grouped, input.shape), weight, bias)
