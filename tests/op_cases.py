"""The core ops as a table of cases, shared by the NumPy, gradcheck, device and torch tests.

A case draws its inputs (NumPy arrays) and parameters with hypothesis, and names the same
computation three times: in minigan, in NumPy (forward reference) and in torch (forward and
gradient reference). A test takes ``case.draw(data.draw)`` and compares.
"""
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from hypothesis import strategies as st

import minigan as mg

from .strategies import arrays, broadcastable_pair, shapes



@dataclass(frozen=True)
class Case:
    name: str
    draw: Callable            # draw -> (list of float64 arrays, dict of params)
    minigan: Callable         # (*Tensors, **params) -> Tensor
    numpy: Callable           # (*arrays, **params) -> array
    torch: Callable           # (*torch tensors, **params) -> torch tensor
    differentiable: bool = True
    max_grad_numel: Optional[int] = None  # cap on input size for finite differences

    def __repr__(self):
        return self.name


# ----------------------------------------------------------------------------- input drawers
def unary(domain='real', min_dims=0):
    def draw(d):
        return [d(arrays(d(shapes(min_dims=min_dims)), domain))], {}
    return draw


def binary(domain_a='real', domain_b='real'):
    def draw(d):
        sa, sb = d(broadcastable_pair())
        return [d(arrays(sa, domain_a)), d(arrays(sb, domain_b, salt=1))], {}
    return draw


def with_params(base, **param_strategies):
    def draw(d):
        xs, params = base(d)
        return xs, dict(params, **{k: d(s) for k, s in param_strategies.items()})
    return draw


def reduction(dim_kind='any', min_count=1, min_dims=0):
    """One input and a dim (None / int / tuple, possibly negative) plus keepdim."""
    def draw(d):
        shape = d(shapes(min_dims=min_dims))
        ndim = max(len(shape), 1)
        choices = {'int': st.integers(-ndim, ndim - 1),
                   'any': st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                                    st.sets(st.integers(0, ndim - 1), min_size=1).map(tuple)),
                   'some': st.one_of(st.integers(-ndim, ndim - 1),
                                     st.sets(st.integers(0, ndim - 1), min_size=1).map(tuple))}
        dim = d(choices[dim_kind])
        dims = range(len(shape)) if dim is None else [k % ndim for k in np.atleast_1d(dim)]
        count = int(np.prod([shape[k] for k in dims if k < len(shape)]))
        if count < min_count:  # e.g. the unbiased variance of one number is undefined
            shape = tuple(max(n, 2) for n in shape) or (2,)
        x = d(arrays(shape, 'real'))
        return [x], {'dim': dim, 'keepdim': d(st.booleans())}
    return draw


def np_dims(x, dim):
    """NumPy's axis for torch's dim (a 0-d array has no axis 0)."""
    return None if dim is None or x.ndim == 0 else dim


def _np_reduce(fn):
    return lambda x, dim, keepdim: fn(x, axis=np_dims(x, dim), keepdims=keepdim)


def _torch_dims(x, dim):
    return tuple(range(x.dim())) if dim is None else dim


# ----------------------------------------------------------------------------- shape drawers
def draw_permute(d):
    shape = d(shapes(min_dims=1))
    return [d(arrays(shape))], {'dims': tuple(d(st.permutations(range(len(shape)))))}


def draw_reshape(d):
    shape = d(shapes())
    n = int(np.prod(shape))
    factors = [k for k in range(1, n + 1) if n % k == 0]
    first = d(st.sampled_from(factors))
    target = d(st.sampled_from([(n,), (first, -1), (-1, first, 1), ()])) if n == 1 else \
        d(st.sampled_from([(n,), (first, -1), (-1, first, 1)]))
    return [d(arrays(shape))], {'shape': target}


def draw_transpose(d):
    shape = d(shapes(min_dims=1))
    nd = len(shape)
    return [d(arrays(shape))], {'dim0': d(st.integers(-nd, nd - 1)), 'dim1': d(st.integers(-nd, nd - 1))}


def draw_flatten(d):
    shape = d(shapes(min_dims=1))
    nd = len(shape)
    a, b = sorted([d(st.integers(0, nd - 1)), d(st.integers(0, nd - 1))])
    return [d(arrays(shape))], {'start_dim': a, 'end_dim': b}


def draw_squeeze(d):
    shape = tuple(d(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=1, max_size=4)))
    nd = len(shape)
    return [d(arrays(shape))], {'dim': d(st.one_of(st.none(), st.integers(-nd, nd - 1)))}


def draw_unsqueeze(d):
    shape = d(shapes())
    return [d(arrays(shape))], {'dim': d(st.integers(-len(shape) - 1, len(shape)))}


def draw_expand(d):
    small, big = d(broadcastable_pair(min_dims=1))
    target = np.broadcast_shapes(small, big)
    return [d(arrays(small))], {'sizes': tuple(target)}


def draw_repeat(d):
    shape = d(shapes(max_dims=3))
    extra = d(st.integers(0, 1))
    sizes = tuple(d(st.lists(st.integers(1, 3), min_size=len(shape) + extra, max_size=len(shape) + extra)))
    return [d(arrays(shape))], {'sizes': sizes}


def draw_basic_index(d):
    shape = d(shapes(min_dims=1))
    index = []
    for n in shape[:d(st.integers(1, len(shape)))]:
        index.append(d(st.one_of(st.integers(-n, n - 1),
                                 st.builds(slice, st.integers(0, n - 1), st.integers(1, n + 1),
                                           st.integers(1, 2)))))
    return [d(arrays(shape))], {'index': tuple(index)}


def draw_int_array_index(d):
    """Integer-array indices, with repeats (their gradients must add up)."""
    shape = d(shapes(min_dims=2))
    rng = np.random.default_rng(d(st.integers(0, 1000)))
    rows = rng.integers(0, shape[0], size=d(st.integers(1, 6)))
    if d(st.booleans()):
        return [d(arrays(shape))], {'index': (rows,)}
    cols = rng.integers(0, shape[1], size=rows.shape)
    return [d(arrays(shape))], {'index': (rows, cols)}


def draw_mask_index(d):
    shape = d(shapes(min_dims=1))
    mask = np.random.default_rng(d(st.integers(0, 1000))).random(shape) > 0.5
    return [d(arrays(shape))], {'index': mask}


def draw_cat(d):
    shape = d(shapes(min_dims=1))
    dim = d(st.integers(-len(shape), len(shape) - 1))
    xs = []
    for _ in range(d(st.integers(1, 3))):
        s = list(shape)
        s[dim] = d(st.integers(1, 3))
        xs.append(d(arrays(tuple(s), salt=len(xs))))
    return xs, {'dim': dim}


def draw_stack(d):
    shape = d(shapes())
    count = d(st.integers(1, 3))
    return [d(arrays(shape, salt=i)) for i in range(count)], {'dim': d(st.integers(-len(shape) - 1, len(shape)))}


def draw_split(d):
    shape = d(shapes(min_dims=1))
    dim = d(st.integers(0, len(shape) - 1))
    size = d(st.integers(1, shape[dim]))
    return [d(arrays(shape))], {'size': size, 'dim': dim}


def draw_pad(d):
    shape = d(shapes(min_dims=1))
    pad = tuple(d(st.lists(st.integers(0, 2), min_size=2, max_size=2 * len(shape)).filter(lambda p: len(p) % 2 == 0)))
    return [d(arrays(shape))], {'pad': pad, 'value': d(st.sampled_from([0.0, 1.5]))}


def draw_matmul(d):
    n, k, m = d(st.integers(1, 4)), d(st.integers(1, 4)), d(st.integers(1, 4))
    kind = d(st.sampled_from(['mm', 'batched', 'broadcast', 'vec-mat', 'mat-vec', 'dot']))
    shapes_ = {'mm': ((n, k), (k, m)), 'batched': ((2, n, k), (2, k, m)),
               'broadcast': ((3, 1, n, k), (2, k, m)), 'vec-mat': ((k,), (2, k, m)),
               'mat-vec': ((2, n, k), (k,)), 'dot': ((k,), (k,))}[kind]
    return [d(arrays(s, salt=i)) for i, s in enumerate(shapes_)], {}


def draw_clamp_bounds(d):
    """x and tensor bounds lo < hi that broadcast with it."""
    sx, sb = d(broadcastable_pair())
    lo = d(arrays(sb, 'unit', salt=1)) - 0.5
    return [d(arrays(sx)), lo, lo + 1.0], {}


def draw_where(d):
    sa, sb = d(broadcastable_pair())
    cond = np.random.default_rng(d(st.integers(0, 1000))).random(sa) > 0.5
    return [d(arrays(sa)), d(arrays(sb, salt=1))], {'cond': cond}


def _torch_index(index):
    import torch
    if isinstance(index, tuple):
        return tuple(_torch_index(i) for i in index)
    return torch.as_tensor(index) if isinstance(index, np.ndarray) else index


def _torch(name):
    """torch.<name>, imported only when a torch test runs."""
    def call(*args, **kwargs):
        import torch
        return getattr(torch, name)(*args, **kwargs)
    return call


def _torch_where(a, b, cond):
    import torch
    return torch.where(torch.as_tensor(cond), a, b)


# ----------------------------------------------------------------------------- the table
CASES = [
    # elementwise, two tensors (broadcasting)
    Case('add', binary(), lambda a, b: a + b, np.add, _torch('add')),
    Case('sub', binary(), lambda a, b: a - b, np.subtract, _torch('sub')),
    Case('mul', binary(), lambda a, b: a * b, np.multiply, _torch('mul')),
    Case('div', binary('real', 'nonzero'), lambda a, b: a / b, np.divide, _torch('div')),
    Case('pow', binary('positive', 'real'), lambda a, b: a ** b, np.power, _torch('pow')),
    Case('maximum', binary(), mg.maximum, np.maximum, _torch('maximum')),
    Case('minimum', binary(), mg.minimum, np.minimum, _torch('minimum')),
    Case('where', draw_where, lambda a, b, cond: mg.where(mg.tensor(cond, device=a.device), a, b),
         lambda a, b, cond: np.where(cond, a, b), _torch_where),
    # elementwise with a Python number
    Case('add_scalar', unary(), lambda x: x + 1.5, lambda x: x + 1.5, lambda x: x + 1.5),
    Case('rsub_scalar', unary(), lambda x: 2 - x, lambda x: 2 - x, lambda x: 2 - x),
    Case('rdiv_scalar', unary('nonzero'), lambda x: 1 / x, lambda x: 1 / x, lambda x: 1 / x),
    Case('pow_int', unary(), lambda x: x ** 3, lambda x: x ** 3, lambda x: x ** 3),
    Case('pow_half', unary('positive'), lambda x: x ** 0.5, lambda x: x ** 0.5, lambda x: x ** 0.5),
    Case('pow_negative', unary('nonzero'), lambda x: x ** -2, lambda x: x ** -2.0, lambda x: x ** -2),
    Case('rpow', unary(), lambda x: 2.0 ** x, lambda x: 2.0 ** x, lambda x: 2.0 ** x),
    # unary math
    Case('neg', unary(), lambda x: -x, np.negative, _torch('neg')),
    Case('exp', unary(), mg.exp, np.exp, _torch('exp')),
    Case('log', unary('positive'), mg.log, np.log, _torch('log')),
    Case('sqrt', unary('positive'), mg.sqrt, np.sqrt, _torch('sqrt')),
    Case('abs', unary('nonzero'), mg.abs, np.abs, _torch('abs')),
    Case('sin', unary(), mg.sin, np.sin, _torch('sin')),
    Case('cos', unary(), mg.cos, np.cos, _torch('cos')),
    Case('log1p', unary('unit'), mg.log1p, np.log1p, _torch('log1p')),
    Case('expm1', unary(), mg.expm1, np.expm1, _torch('expm1')),
    Case('square', unary(), mg.square, np.square, _torch('square')),
    Case('clamp', unary('clampable'), lambda x: mg.clamp(x, -0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5),
         lambda x: x.clamp(-0.5, 0.5)),
    Case('clamp_min', unary('clampable'), lambda x: x.clamp(min=0.5), lambda x: np.maximum(x, 0.5),
         lambda x: x.clamp(min=0.5)),
    Case('clamp_tensor_bounds', draw_clamp_bounds, lambda x, lo, hi: mg.clamp(x, lo, hi),
         lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi), _torch('clamp')),
    # reductions
    Case('sum', reduction(), lambda x, dim, keepdim: x.sum(dim, keepdim), _np_reduce(np.sum),
         lambda x, dim, keepdim: x.sum(_torch_dims(x, dim), keepdim)),
    Case('mean', reduction(), lambda x, dim, keepdim: x.mean(dim, keepdim), _np_reduce(np.mean),
         lambda x, dim, keepdim: x.mean(_torch_dims(x, dim), keepdim)),
    Case('var', reduction(min_count=2), lambda x, dim, keepdim: x.var(dim, keepdim=keepdim),
         lambda x, dim, keepdim: np.var(x, axis=np_dims(x, dim), keepdims=keepdim, ddof=1),
         lambda x, dim, keepdim: x.var(_torch_dims(x, dim), keepdim=keepdim)),
    Case('var_biased', reduction(), lambda x, dim, keepdim: x.var(dim, unbiased=False, keepdim=keepdim),
         lambda x, dim, keepdim: np.var(x, axis=np_dims(x, dim), keepdims=keepdim),
         lambda x, dim, keepdim: x.var(_torch_dims(x, dim), unbiased=False, keepdim=keepdim)),
    Case('std', reduction(min_count=2), lambda x, dim, keepdim: x.std(dim, keepdim=keepdim),
         lambda x, dim, keepdim: np.std(x, axis=np_dims(x, dim), keepdims=keepdim, ddof=1),
         lambda x, dim, keepdim: x.std(_torch_dims(x, dim), keepdim=keepdim)),
    Case('max', unary(), lambda x: x.max(), np.max, lambda x: x.max()),
    Case('max_dim', reduction('int', min_dims=1), lambda x, dim, keepdim: x.max(dim, keepdim).values,
         _np_reduce(np.max), lambda x, dim, keepdim: x.max(dim, keepdim).values),
    Case('min_dim', reduction('int', min_dims=1), lambda x, dim, keepdim: x.min(dim, keepdim=keepdim)[0],
         _np_reduce(np.min), lambda x, dim, keepdim: x.min(dim, keepdim=keepdim)[0]),
    Case('amax', reduction('some', min_dims=1), lambda x, dim, keepdim: x.amax(dim, keepdim),
         _np_reduce(np.max), lambda x, dim, keepdim: x.amax(dim, keepdim)),
    Case('norm', with_params(reduction('some', min_dims=1), p=st.sampled_from([2, 1, 3])),
         lambda x, dim, keepdim, p: x.norm(p, dim, keepdim),
         lambda x, dim, keepdim, p: np.sum(np.abs(x) ** p, axis=dim, keepdims=keepdim) ** (1 / p),
         lambda x, dim, keepdim, p: x.norm(p, dim, keepdim)),
    Case('logsumexp', reduction('some', min_dims=1), lambda x, dim, keepdim: x.logsumexp(dim, keepdim),
         lambda x, dim, keepdim: np.log(np.sum(np.exp(x), axis=dim, keepdims=keepdim)),
         lambda x, dim, keepdim: x.logsumexp(dim, keepdim)),
    # shape
    Case('reshape', draw_reshape, lambda x, shape: x.reshape(shape), lambda x, shape: x.reshape(shape),
         lambda x, shape: x.reshape(shape)),
    Case('permute', draw_permute, lambda x, dims: x.permute(dims), lambda x, dims: x.transpose(dims),
         lambda x, dims: x.permute(dims)),
    Case('transpose', draw_transpose, lambda x, dim0, dim1: x.transpose(dim0, dim1),
         lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1), lambda x, dim0, dim1: x.transpose(dim0, dim1)),
    Case('flatten', draw_flatten, lambda x, start_dim, end_dim: x.flatten(start_dim, end_dim),
         lambda x, start_dim, end_dim: x.reshape(x.shape[:start_dim] + (-1,) + x.shape[end_dim + 1:]),
         lambda x, start_dim, end_dim: x.flatten(start_dim, end_dim)),
    Case('squeeze', draw_squeeze, lambda x, dim: x.squeeze(dim),
         lambda x, dim: np.squeeze(x, dim) if dim is None or x.shape[dim] == 1 else x,
         lambda x, dim: x.squeeze() if dim is None else x.squeeze(dim)),
    Case('unsqueeze', draw_unsqueeze, lambda x, dim: x.unsqueeze(dim),
         lambda x, dim: np.expand_dims(x, dim), lambda x, dim: x.unsqueeze(dim)),
    Case('expand', draw_expand, lambda x, sizes: x.expand(sizes), lambda x, sizes: np.broadcast_to(x, sizes),
         lambda x, sizes: x.expand(sizes)),
    Case('repeat', draw_repeat, lambda x, sizes: x.repeat(sizes),
         lambda x, sizes: np.tile(x, sizes), lambda x, sizes: x.repeat(sizes)),
    Case('masked_fill', draw_where, lambda a, b, cond: (a + b).masked_fill(mg.tensor(cond, device=a.device), -1.5),
         lambda a, b, cond: np.where(cond, -1.5, a + b),
         lambda a, b, cond: (a + b).masked_fill(__import__('torch').as_tensor(cond), -1.5)),
    Case('index_basic', draw_basic_index, lambda x, index: x[index], lambda x, index: x[index],
         lambda x, index: x[index]),
    Case('index_int_arrays', draw_int_array_index, lambda x, index: x[index], lambda x, index: x[index],
         lambda x, index: x[_torch_index(index)]),
    Case('index_bool_mask', draw_mask_index, lambda x, index: x[mg.tensor(index, device=x.device)],
         lambda x, index: x[index], lambda x, index: x[_torch_index(index)]),
    Case('cat', draw_cat, lambda *xs, dim: mg.cat(xs, dim), lambda *xs, dim: np.concatenate(xs, dim),
         lambda *xs, dim: _torch('cat')(xs, dim)),
    Case('stack', draw_stack, lambda *xs, dim: mg.stack(xs, dim), lambda *xs, dim: np.stack(xs, dim),
         lambda *xs, dim: _torch('stack')(xs, dim)),
    Case('split', draw_split, lambda x, size, dim: mg.cat([p * (i + 1) for i, p in enumerate(x.split(size, dim))], dim),
         lambda x, size, dim: np.concatenate([p * (i + 1) for i, p in enumerate(
             np.split(x, range(size, x.shape[dim], size), dim))], dim),
         lambda x, size, dim: _torch('cat')([p * (i + 1) for i, p in enumerate(x.split(size, dim))], dim)),
    Case('pad_constant', draw_pad, lambda x, pad, value: mg.ops.shape.constant_pad(x, pad, value),
         lambda x, pad, value: np.pad(x, [(0, 0)] * (x.ndim - len(pad) // 2) + [
             (pad[2 * i], pad[2 * i + 1]) for i in reversed(range(len(pad) // 2))], constant_values=value),
         lambda x, pad, value: __import__('torch').nn.functional.pad(x, pad, value=value)),
    Case('matmul', draw_matmul, lambda a, b: a @ b, np.matmul, _torch('matmul')),
    Case('clone', unary(), lambda x: x.clone() * 1.0, lambda x: x.copy(), lambda x: x.clone()),
    # not differentiable: forward only
    Case('less', binary(), lambda a, b: a < b, np.less, _torch('lt'), differentiable=False),
    Case('equal', binary(), lambda a, b: a == mg.maximum(a, b), lambda a, b: a == np.maximum(a, b),
         lambda a, b: a == _torch('maximum')(a, b), differentiable=False),
    Case('argmax', reduction('int', min_dims=1), lambda x, dim, keepdim: x.argmax(dim, keepdim),
         lambda x, dim, keepdim: np.argmax(x, axis=dim, keepdims=keepdim),
         lambda x, dim, keepdim: x.argmax(dim, keepdim), differentiable=False),
]

CASES_BY_NAME = {c.name: c for c in CASES}
