"""Normalization layers: BatchNorm1d/2d, InstanceNorm2d, LayerNorm, GroupNorm, as torch.nn.

Each normalizes x to zero mean and unit variance over some dims, then scales and shifts per
channel:  y = (x - mean) / sqrt(var + eps) · weight + bias  (var is the biased variance). They
differ in the dims the statistics are taken over, for x of shape (N, C, H, W):

    BatchNorm      over (N, H, W), per channel   -- mixes the samples of a batch
    InstanceNorm   over (H, W), per sample and channel  (CycleGAN, style transfer)
    LayerNorm      over the trailing normalized_shape dims, per sample
    GroupNorm      over (C/G, H, W) for each of G channel groups, per sample

BatchNorm in training uses the batch's statistics and updates running estimates
(running = (1 - momentum) · running + momentum · batch, with the unbiased batch variance); in
eval mode it uses the running estimates. momentum=None means a cumulative average 1/n.
"""
from ... import backend, creation
from ... import functional as F
from ...checks import count, number
from ...errors import ShapeError
from ...tensor import tensor
from ..module import Module
from ..parameter import Parameter


def _affine_parameters(module, shape, affine, bias, device, dtype):
    """The learned scale and shift: weight = 1 and bias = 0 of ``shape`` (each None when off)."""
    module.register_parameter(
        'weight', Parameter(creation.ones(shape, device=device, dtype=dtype)) if affine else None)
    module.register_parameter(
        'bias', Parameter(creation.zeros(shape, device=device, dtype=dtype)) if affine and bias else None)


class _NormBase(Module):
    """weight/bias (if affine) and running_mean/running_var/num_batches_tracked buffers (if tracked)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        name = type(self).__name__
        count(name, 'num_features', num_features, minimum=1)
        number(name, 'eps', eps, low=0.0)
        if momentum is not None:  # None: a cumulative average
            number(name, 'momentum', momentum, low=0.0, high=1.0)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer('running_mean', creation.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer('running_var', creation.ones(num_features, device=device, dtype=dtype))
            self.register_buffer('num_batches_tracked', tensor(0, dtype=backend.int64, device=device))
        else:
            for name in ('running_mean', 'running_var', 'num_batches_tracked'):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
            self.num_batches_tracked.array[...] = 0

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            self.weight.array[...] = 1
            if self.bias is not None:
                self.bias.array[...] = 0

    dims = ()            # the input ndims accepted
    unbatched_ndim = None  # the ndim of an input without batch dim, whose channels are dim 0

    def _check_input(self, input):
        if input.ndim not in self.dims:
            raise ShapeError(f"{type(self).__name__}: expected {' or '.join(f'{d}D' for d in self.dims)} input "
                             f"(got {input.ndim}D input of shape {tuple(input.shape)})")
        channel_dim = 0 if input.ndim == self.unbatched_ndim else 1
        if (self.affine or self.track_running_stats) and input.shape[channel_dim] != self.num_features:
            raise ShapeError(f"{type(self).__name__}: expected input's size at dim={channel_dim} to match "
                             f"num_features ({self.num_features}), but got input of shape {tuple(input.shape)}")

    def extra_repr(self):
        return (f'{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, '
                f'bias={self.bias is not None}, track_running_stats={self.track_running_stats}')


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        # in eval mode without running statistics there is nothing to use but the batch's own
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, use_batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Over (N, C) or (N, C, L) inputs."""
    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Over (N, C, H, W) inputs."""
    dims = (4,)


class InstanceNorm2d(_NormBase):
    """Over (N, C, H, W) or unbatched (C, H, W) inputs; by default no affine and no running stats."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    dims, unbatched_ndim = (3, 4), 3

    def forward(self, input):
        self._check_input(input)
        if input.ndim == 3:
            return self.forward(input.unsqueeze(0)).squeeze(0)
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)


class LayerNorm(Module):
    """Normalizes over the last len(normalized_shape) dims; weight and bias have that shape."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape, self.eps = tuple(normalized_shape), eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f'{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, '
                f'bias={self.bias is not None}')


class GroupNorm(Module):
    """Splits the C channels into num_groups groups and normalizes each group of each sample."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        count('GroupNorm', 'num_groups', num_groups, minimum=1)
        count('GroupNorm', 'num_channels', num_channels, minimum=1)
        number('GroupNorm', 'eps', eps, low=0.0)
        if num_channels % num_groups != 0:
            raise ShapeError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _affine_parameters(self, num_channels, affine, bias, device, dtype)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f'{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, '
                f'bias={self.bias is not None}')
