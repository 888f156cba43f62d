"""Second derivatives through linear and piecewise-linear ops, as a table of cases against torch.

The first derivative of such an op is constant (or piecewise constant) in its input, so what
torch returns for the second one is decided by its graph, not by arithmetic: the gradient of
relu, prelu, abs, remainder, max_pool2d, avg_pool2d, area resampling, reflect/replicate padding
and nll_loss is *linked* to the input (the second derivative is a tensor of zeros); the gradients of a
convolution or a batch norm are linked to x and the weight with no derivative (None); the
gradient of nearest/bilinear resampling, slicing or a product with a constant is not linked at
all (it does not require grad). A case names the computation in minigan and in torch and draws
its inputs; ``check_each_second_derivative`` compares every first and second derivative.
"""
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import numpy as np

import minigan as mg
import minigan.functional as F


@dataclass(frozen=True)
class Case:
    name: str
    minigan: Callable                     # (*tensors, *constants) -> Tensor
    torch: Callable                       # (*torch tensors, *constants) -> torch tensor
    inputs: Tuple                         # shapes of the inputs (float64 normal draws)
    constants: Callable = lambda rng: ()  # rng -> NumPy arrays passed to both sides as they are
    differentiable: Optional[Tuple] = None  # which inputs require grad (default: all)

    def __repr__(self):
        return self.name

    def draw(self, seed=0):
        rng = np.random.default_rng(seed)
        return [rng.standard_normal(s) for s in self.inputs], list(self.constants(rng))


def _tf():
    import torch.nn.functional
    return torch.nn.functional


def _torch():
    import torch
    return torch


def mgc(array, like):
    """A constant minigan tensor beside ``like`` (same device, float64 or int64 as given)."""
    return mg.tensor(array, device=like.device)


def tc(array):
    return _torch().tensor(array)


def _stats(rng):
    """Running mean and (positive) running variance of 3 channels."""
    return rng.standard_normal(3), rng.random(3) + 0.5


def _classes(rng):
    return (np.array([0, 3, 1]),)


CONV_X, CONV_W = (2, 3, 6, 6), (4, 3, 3, 3)
IMAGE = (2, 3, 6, 6)

CASES = [
    # ---- piecewise linear: the gradient is linked to x, the second derivative is 0
    Case('relu', F.relu, lambda x: _tf().relu(x), [(3, 4)]),
    Case('leaky_relu', lambda x: F.leaky_relu(x, 0.2), lambda x: _tf().leaky_relu(x, 0.2), [(3, 4)]),
    Case('relu(x)*y', lambda x, y: F.relu(x) * y, lambda x, y: _tf().relu(x) * y, [(3, 4), (3, 4)]),
    Case('hinge', lambda x: F.relu(1.0 - x).mean(), lambda x: _tf().relu(1.0 - x).mean(), [(5,)]),
    Case('hinge_discriminator_loss', mg.losses.hinge_discriminator_loss,
         lambda r, f: _tf().relu(1 - r).mean() + _tf().relu(1 + f).mean(), [(4,), (4,)]),
    Case('abs', mg.abs, lambda x: x.abs(), [(3, 4)]),
    Case('sign*x', lambda x: mg.sign(x) * x, lambda x: x.sign() * x, [(3, 4)]),
    Case('sign', mg.sign, lambda x: x.sign(), [(3, 4)]),
    Case('norm p=1', lambda x: x.norm(1), lambda x: x.norm(1), [(3, 4)]),
    Case('norm p=inf', lambda x: x.norm(float('inf'), 1), lambda x: x.norm(float('inf'), 1), [(3, 4)]),
    Case('l1_loss', F.l1_loss, lambda x, t: _tf().l1_loss(x, t), [(3, 4), (3, 4)]),
    Case('l1_loss constant target', F.l1_loss, lambda x, t: _tf().l1_loss(x, t), [(3, 4), (3, 4)],
         differentiable=(True, False)),
    Case('nll_loss', lambda x, t: F.nll_loss(x, mgc(t, x)), lambda x, t: _tf().nll_loss(x, tc(t)),
         [(3, 4)], _classes),
    Case('nll_loss weighted sum', lambda x, t, w: F.nll_loss(x, mgc(t, x), mgc(w, x), reduction='sum'),
         lambda x, t, w: _tf().nll_loss(x, tc(t), tc(w), reduction='sum'), [(3, 4)],
         lambda rng: (np.array([2, 0, 1]), rng.random(4))),
    Case('max_pool2d', lambda x: F.max_pool2d(x, 2), lambda x: _tf().max_pool2d(x, 2), [IMAGE]),
    Case('max_pool2d padded dilated unbatched', lambda x: F.max_pool2d(x, 3, 2, 1, 2),
         lambda x: _tf().max_pool2d(x, 3, 2, 1, 2), [(3, 9, 9)]),
    Case('max_pool2d of a product', lambda x, y: F.max_pool2d(x * y, 2),
         lambda x, y: _tf().max_pool2d(x * y, 2), [IMAGE, IMAGE]),
    Case('avg_pool2d', lambda x: F.avg_pool2d(x, 2), lambda x: _tf().avg_pool2d(x, 2), [IMAGE]),
    Case('avg_pool2d padded ceil uncounted', lambda x: F.avg_pool2d(x, 3, 2, 1, True, False),
         lambda x: _tf().avg_pool2d(x, 3, 2, 1, True, False), [(2, 2, 7, 7)]),
    Case('avg_pool2d divisor_override', lambda x: F.avg_pool2d(x, 2, divisor_override=3),
         lambda x: _tf().avg_pool2d(x, 2, divisor_override=3), [IMAGE]),
    Case('adaptive_avg_pool2d', lambda x: F.adaptive_avg_pool2d(x, (4, 3)),
         lambda x: _tf().adaptive_avg_pool2d(x, (4, 3)), [IMAGE]),
    Case('interpolate area', lambda x: F.interpolate(x, size=(4, 5), mode='area'),
         lambda x: _tf().interpolate(x, size=(4, 5), mode='area'), [IMAGE]),
    Case('pad reflect', lambda x: F.pad(x, (1, 2, 2, 1), mode='reflect'),
         lambda x: _tf().pad(x, (1, 2, 2, 1), mode='reflect'), [IMAGE]),
    Case('pad reflect 1-d', lambda x: F.pad(x, (2, 1), mode='reflect'),
         lambda x: _tf().pad(x, (2, 1), mode='reflect'), [(2, 3, 5)]),
    Case('pad replicate 3-d', lambda x: F.pad(x, (1, 1, 1, 0, 0, 1), mode='replicate'),
         lambda x: _tf().pad(x, (1, 1, 1, 0, 0, 1), mode='replicate'), [(1, 2, 3, 4, 4)]),
    Case('pad reflect by 0', lambda x: F.pad(x, (0, 0), mode='reflect'),
         lambda x: _tf().pad(x, (0, 0), mode='reflect'), [(2, 3, 4)]),
    Case('avg_pool2d then nearest', lambda x: F.interpolate(F.avg_pool2d(x, 2), scale_factor=2),
         lambda x: _tf().interpolate(_tf().avg_pool2d(x, 2), scale_factor=2), [IMAGE]),
    Case('max_pool2d then bilinear', lambda x: F.interpolate(F.max_pool2d(x, 2), scale_factor=2, mode='bilinear'),
         lambda x: _tf().interpolate(_tf().max_pool2d(x, 2), scale_factor=2, mode='bilinear'), [IMAGE]),
    Case('prelu', F.prelu, lambda x, w: _tf().prelu(x, w), [IMAGE, (3,)]),
    Case('remainder', lambda a, b: (a * 3) % (b.abs() + 0.5), lambda a, b: (a * 3) % (b.abs() + 0.5),
         [(3, 4), (3, 4)]),
    Case('leaky_relu then linear', lambda x, w: F.linear(F.leaky_relu(x, 0.2), w),
         lambda x, w: _tf().linear(_tf().leaky_relu(x, 0.2), w), [(3, 4), (2, 4)]),
    # ---- linear in x and not linked: the gradient does not require grad
    Case('interpolate nearest x2', lambda x: F.interpolate(x, scale_factor=2),
         lambda x: _tf().interpolate(x, scale_factor=2), [IMAGE]),
    Case('interpolate nearest size', lambda x: F.interpolate(x, size=(4, 9)),
         lambda x: _tf().interpolate(x, size=(4, 9)), [IMAGE]),
    Case('interpolate bilinear', lambda x: F.interpolate(x, size=(9, 4), mode='bilinear'),
         lambda x: _tf().interpolate(x, size=(9, 4), mode='bilinear'), [IMAGE]),
    Case('interpolate bilinear align_corners', lambda x: F.interpolate(x, size=(9, 4), mode='bilinear', align_corners=True),
         lambda x: _tf().interpolate(x, size=(9, 4), mode='bilinear', align_corners=True), [IMAGE]),
    Case('adaptive_avg_pool2d to 1x1', lambda x: F.adaptive_avg_pool2d(x, 1),
         lambda x: _tf().adaptive_avg_pool2d(x, 1), [IMAGE]),
    Case('pad constant', lambda x: F.pad(x, (1, 2), value=0.5), lambda x: _tf().pad(x, (1, 2), value=0.5), [(3, 4)]),
    Case('times a constant', lambda x, c: x * mgc(c, x) * 2.0, lambda x, c: x * tc(c) * 2.0, [(3, 4)],
         lambda rng: (rng.standard_normal((3, 4)),)),
    Case('matmul by a constant', lambda x, c: x @ mgc(c, x), lambda x, c: x @ tc(c), [(3, 4)],
         lambda rng: (rng.standard_normal((4, 2)),)),
    Case('sum and mean', lambda x: x.sum(0) + x.mean(1).sum(), lambda x: x.sum(0) + x.mean(1).sum(), [(3, 4)]),
    Case('slice, index, mask', lambda x, m: x[1:, ::2].sum() + x[[0, 0, 2]].sum() + x[mgc(m, x)].sum(),
         lambda x, m: x[1:, ::2].sum() + x[[0, 0, 2]].sum() + x[tc(m)].sum(), [(3, 4)],
         lambda rng: (rng.random((3, 4)) > 0.5,)),
    Case('cat, split, stack', lambda x, y: mg.stack([mg.cat(x.split(2, 1)[::-1], 1), y]),
         lambda x, y: _torch().stack([_torch().cat(x.split(2, 1)[::-1], 1), y]), [(3, 4), (3, 4)]),
    Case('gather, index_select, pixel_shuffle',
         lambda x: mg.gather(x, 1, mgc(np.array([[0], [2], [1]]), x)).sum() + mg.index_select(x, 0, mgc(np.array([2, 2]), x)).sum()
         + F.pixel_shuffle(x.reshape(1, 4, 3, 1), 2).sum(1).sum(),
         lambda x: _torch().gather(x, 1, tc(np.array([[0], [2], [1]]))).sum() + _torch().index_select(x, 0, tc(np.array([2, 2]))).sum()
         + _tf().pixel_shuffle(x.reshape(1, 4, 3, 1), 2).sum(1).sum(), [(3, 4)]),
    Case('clamp', lambda x: x.clamp(-0.5, 0.5), lambda x: x.clamp(-0.5, 0.5), [(3, 4)]),
    Case('maximum, minimum', lambda x, y: mg.maximum(x, y) + mg.minimum(x, y) * 2,
         lambda x, y: _torch().maximum(x, y) + _torch().minimum(x, y) * 2, [(3, 4), (3, 4)]),
    Case('where, masked_fill', lambda x, y, m: mg.where(mgc(m, x), x, y).masked_fill(mgc(~m, x), 1.0),
         lambda x, y, m: _torch().where(tc(m), x, y).masked_fill(tc(~m), 1.0), [(3, 4), (3, 4)],
         lambda rng: (rng.random((3, 4)) > 0.5,)),
    Case('max, amax', lambda x: x.max() + x.max(1).values.sum() + x.amax(0).sum(),
         lambda x: x.max() + x.max(1).values.sum() + x.amax(0).sum(), [(3, 4)]),
    # ---- convolution and batch norm: gradients linked to x and the weight, with no derivative
    Case('conv2d', lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
         lambda x, w, b: _tf().conv2d(x, w, b, stride=2, padding=1), [CONV_X, CONV_W, (4,)]),
    Case('conv2d constant weight', lambda x, w: F.conv2d(x, mgc(w, x), padding=1),
         lambda x, w: _tf().conv2d(x, tc(w), padding=1), [CONV_X], lambda rng: (rng.standard_normal(CONV_W),)),
    Case('conv2d in x and bias', lambda x, w, b: F.conv2d(x, w, b), lambda x, w, b: _tf().conv2d(x, w, b),
         [CONV_X, CONV_W, (4,)], differentiable=(True, False, True)),
    Case('conv2d in the weight', lambda x, w: F.conv2d(x, w, dilation=2), lambda x, w: _tf().conv2d(x, w, dilation=2),
         [CONV_X, (4, 3, 2, 2)], differentiable=(False, True)),
    Case('conv2d groups', lambda x, w: F.conv2d(x, w, groups=3), lambda x, w: _tf().conv2d(x, w, groups=3),
         [CONV_X, (3, 1, 3, 3)]),
    Case('conv_transpose2d', lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
         lambda x, w, b: _tf().conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
         [(2, 3, 4, 4), (3, 2, 3, 3), (2,)]),
    Case('conv_transpose2d constant weight', lambda x, w: F.conv_transpose2d(x, mgc(w, x), stride=2),
         lambda x, w: _tf().conv_transpose2d(x, tc(w), stride=2), [(2, 3, 4, 4)],
         lambda rng: (rng.standard_normal((3, 2, 3, 3)),)),
    Case('batch_norm eval', lambda x, m, v: F.batch_norm(x, mgc(m, x), mgc(v, x)),
         lambda x, m, v: _tf().batch_norm(x, tc(m), tc(v)), [IMAGE], _stats),
    Case('batch_norm eval affine', lambda x, w, b, m, v: F.batch_norm(x, mgc(m, x), mgc(v, x), w, b),
         lambda x, w, b, m, v: _tf().batch_norm(x, tc(m), tc(v), w, b), [IMAGE, (3,), (3,)], _stats),
    Case('batch_norm eval in x and bias', lambda x, w, b, m, v: F.batch_norm(x, mgc(m, x), mgc(v, x), w, b),
         lambda x, w, b, m, v: _tf().batch_norm(x, tc(m), tc(v), w, b), [IMAGE, (3,), (3,)], _stats,
         differentiable=(True, False, True)),
    Case('batch_norm train affine', lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         lambda x, w, b: _tf().batch_norm(x, None, None, w, b, training=True), [IMAGE, (3,), (3,)]),
    Case('instance_norm eval affine', lambda x, w, b, m, v: F.instance_norm(x, mgc(m, x), mgc(v, x), w, b, False),
         lambda x, w, b, m, v: _tf().instance_norm(x, tc(m), tc(v), w, b, False), [IMAGE, (3,), (3,)], _stats),
    Case('instance_norm affine', lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
         lambda x, w, b: _tf().instance_norm(x, weight=w, bias=b), [IMAGE, (3,), (3,)]),
    Case('layer_norm affine', lambda x, w, b: F.layer_norm(x, (6,), w, b),
         lambda x, w, b: _tf().layer_norm(x, (6,), w, b), [IMAGE, (6,), (6,)]),
    Case('group_norm affine', lambda x, w, b: F.group_norm(x, 3, w, b),
         lambda x, w, b: _tf().group_norm(x, 3, w, b), [IMAGE, (3,), (3,)]),
    # ---- smooth, for contrast: a true second derivative
    Case('mse_loss', F.mse_loss, lambda x, t: _tf().mse_loss(x, t), [(3, 4), (3, 4)]),
    Case('elu', F.elu, lambda x: _tf().elu(x), [(3, 4)]),
    Case('cross_entropy', lambda x, t: F.cross_entropy(x, mgc(t, x)), lambda x, t: _tf().cross_entropy(x, tc(t)),
         [(3, 4)], _classes),
]
