"""Kernels: the layers of the GANs one at a time, minigan against PyTorch on the same device.

Each case is timed forward (no graph) and forward+backward (the gradient of the input and of
every parameter, from an output gradient of the output's shape), in interleaved blocks
(timing.blocks). Besides the times, per case:

    GFLOP/s      for a convolution or a matrix product (2 FLOPs per multiply-add; fwd+bwd is
                 3 products of the forward's size: output, input gradient, weight gradient),
                 and its % of the sgemm ceiling (machine.py)
    GB/s         for the memory-bound kernels (elementwise, normalization): the least traffic any
                 implementation needs -- forward reads x and writes y (2 passes over x's bytes),
                 fwd+bwd adds reading x and the output gradient and writing x's (5 passes) --
                 and its % of the copy ceiling
    GEMM floor   a convolution (or matmul) is one to three matrix products plus data movement
                 (im2col, col2im); the floor times those products alone on ready operands, in
                 the same blocks: what the kernel would cost if moving data were free

Layouts (DESIGN.md rule 5). A convolution hands out an (N, C, H, W) view of (C, H, W, N)
storage, so inside a network most kernels meet that layout. Each case is timed on the layout it
meets in its network ('conv') and, where that differs, on a contiguous input too; the output
gradient arrives laid out as the output. PyTorch always gets contiguous tensors (its
convolutions return them). "vs contig" is minigan's time on the row's layout over its time on a
contiguous input.
"""
import numpy as np

import minigan as mg
import minigan.functional as mF
from minigan import backend
from minigan.ops.conv import padded_conv2d

from . import dcgan, timing
from .sides import Side, synchronizer, torch, torch_on


def case(name, op, x, w=None, net='contiguous', quick=(None, None), **kw):
    """A kernel to time: ``op`` on input shape ``x`` (weight shape ``w``), keyword arguments
    ``kw``; ``net``: the input's layout inside the network; ``quick``: (x, w) for a smoke run."""
    reflect = kw.pop('reflect', 0)
    return dict(name=name, op=op, x=x, w=w, net=net, quick=quick, kw=kw, reflect=reflect)


DCGAN, CYCLEGAN = 'DCGAN (B 64, 28x28)', 'CycleGAN (B 1, 64x64)'
CASES = [
    case('conv2d 1->64 28x28 k4s2p1', 'conv2d', (64, 1, 28, 28), (64, 1, 4, 4), stride=2, padding=1,
         quick=((2, 1, 8, 8), (4, 1, 4, 4))),
    case('conv2d 64->128 14x14 k4s2p1', 'conv2d', (64, 64, 14, 14), (128, 64, 4, 4), 'conv', stride=2,
         padding=1, quick=((2, 4, 6, 6), (8, 4, 4, 4))),
    case('conv_transpose2d 128->64 7->14 k4s2p1', 'conv_transpose2d', (64, 128, 7, 7), (128, 64, 4, 4),
         stride=2, padding=1, quick=((2, 8, 3, 3), (8, 4, 4, 4))),
    case('conv_transpose2d 64->1 14->28 k4s2p1', 'conv_transpose2d', (64, 64, 14, 14), (64, 1, 4, 4), 'conv',
         stride=2, padding=1, quick=((2, 4, 6, 6), (4, 1, 4, 4))),
    case('batch_norm train (64,128,7,7)', 'batch_norm', (64, 128, 7, 7), (128,), 'conv', training=True,
         quick=((2, 4, 3, 3), (4,))),
    case('batch_norm train (64,64,14,14)', 'batch_norm', (64, 64, 14, 14), (64,), 'conv', training=True,
         quick=((2, 4, 3, 3), (4,))),
    case('leaky_relu 0.2 (64,64,14,14)', 'leaky_relu', (64, 64, 14, 14), None, 'conv', negative_slope=0.2,
         quick=((2, 4, 3, 3), None)),
    case('leaky_relu 0.2 (64,128,7,7)', 'leaky_relu', (64, 128, 7, 7), None, 'conv', negative_slope=0.2,
         quick=((2, 4, 3, 3), None)),
    case('relu (64,64,14,14)', 'relu', (64, 64, 14, 14), None, 'conv', quick=((2, 4, 3, 3), None)),
    case('matmul (64,64)@(64,6272)', 'matmul', (64, 64), (64, 6272), quick=((2, 4), (4, 8))),
    case('matmul (64,6272)@(6272,1024)', 'matmul', (64, 6272), (6272, 1024), quick=((2, 8), (8, 4))),
    case('conv2d reflect 64->64 64x64 k3p1', 'conv2d', (1, 64, 64, 64), (64, 64, 3, 3), reflect=1,
         quick=((1, 4, 8, 8), (4, 4, 3, 3))),
    case('instance_norm (1,64,64,64)', 'instance_norm', (1, 64, 64, 64), quick=((1, 4, 8, 8), None)),
    case('adam step, DCGAN G + D', 'adam', None, net='net'),
]
GROUPS = {c['name']: CYCLEGAN if c['x'] and c['x'][0] == 1 else DCGAN for c in CASES}
MEMORY_BOUND = ('batch_norm', 'instance_norm', 'leaky_relu', 'relu')


# ----------------------------------------------------------------------------- what is counted
def output_shape(c, x, w):
    """The forward's output shape, by the usual formulas (stride s, padding p, kernel k)."""
    if c['op'] == 'matmul':
        return (x[0], w[1])
    if not c['op'].startswith('conv'):
        return tuple(x)
    s, p = c['kw'].get('stride', 1), c['kw'].get('padding', 0) + c['reflect']
    if c['op'] == 'conv2d':
        return (x[0], w[0]) + tuple((n + 2 * p - k) // s + 1 for n, k in zip(x[2:], w[2:]))
    return (x[0], w[1]) + tuple((n - 1) * s - 2 * p + k for n, k in zip(x[2:], w[2:]))


def gemm_shapes(c, x, w, y):
    """(M, K, P): the forward as one product (M, K) @ (K, P) (conv2d: W @ cols; conv_transpose2d
    is the adjoint, with input and output swapped; matmul: itself); None for other ops."""
    if c['op'] == 'matmul':
        return x[0], x[1], w[1]
    if c['op'] == 'conv2d':
        return w[0], w[1] * w[2] * w[3], y[0] * y[2] * y[3]
    if c['op'] == 'conv_transpose2d':
        return w[0], w[1] * w[2] * w[3], x[0] * x[2] * x[3]
    return None


def gemm_floor(M, K, P, device, rng):
    """(forward, forward+backward) closures of the products alone, on ready operands."""
    xp = backend.module_for(device)
    a, b, gy = (xp.asarray(rng.standard_normal(s).astype(np.float32)) for s in ((M, K), (K, P), (M, P)))

    def forward():
        return xp.matmul(a, b)

    def forward_backward():
        xp.matmul(a, b)            # Y = A @ B
        xp.matmul(a.T, gy)         # dB = A^T @ dY
        return xp.matmul(gy, b.T)  # dA = dY @ B^T
    return forward, forward_backward


# ----------------------------------------------------------------------------- the contenders
def in_layout(array, layout):
    """``array`` (N, C, H, W) with the same values stored as ``layout`` says ('conv': C, H, W, N)."""
    if layout != 'conv' or array.ndim != 4:
        return array
    xp = backend.xp_of(array)
    return xp.ascontiguousarray(array.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


def kernel(c, F, params, stats):
    """The case's op as a function of its input, in the library whose functional is ``F``."""
    op, kw = c['op'], c['kw']
    if op == 'matmul':
        return lambda x: x @ params[0]
    if op.startswith('conv'):
        conv, p = getattr(F, op), c['reflect']
        if p and F is mF:  # what nn.Conv2d(..., padding_mode='reflect') does in each library:
            return lambda x: padded_conv2d(x, *params, padding=p, padding_mode='reflect', **kw)
        if p:              # minigan pads inside the convolution, torch pads first
            return lambda x: conv(F.pad(x, [p] * 4, mode='reflect'), *params, **kw)
        return lambda x: conv(x, *params, **kw)
    if op == 'batch_norm':
        return lambda x: F.batch_norm(x, *stats, *params, **kw)
    return lambda x: getattr(F, op)(x, **kw)


def contender(c, x, w, side, rng, layout='contiguous'):
    """(forward, forward+backward) closures for one library (``side``), input in ``layout``."""
    data = lambda shape: side.tensor(rng.standard_normal(shape).astype(np.float32))  # noqa: E731
    xs = data(x)
    if not side.is_torch:
        xs = mg.Tensor(in_layout(xs.array, layout))
    xs.requires_grad_()
    params, stats = [], []
    if c['op'].startswith('conv'):
        params = [data(w), data((w[0] if c['op'] == 'conv2d' else w[1],))]
    elif c['op'] == 'batch_norm':
        params = [data(w), data(w)]
        stats = [side.tensor(np.zeros(w, np.float32)), side.tensor(np.ones(w, np.float32))]
    elif c['op'] == 'matmul':
        params = [data(w)]
    for p in params:
        p.requires_grad_()
    fn = kernel(c, mF if not side.is_torch else torch.nn.functional, params, stats)
    with side.no_grad():
        y = fn(xs)
    g = data(tuple(y.shape))
    if not side.is_torch:  # the output gradient arrives laid out as the output
        stored = backend.xp_of(y.array).empty_like(y.array)
        stored[...] = g.array
        g = mg.Tensor(stored)
    leaves = [xs] + params

    def forward():
        with side.no_grad():
            return fn(xs)

    def forward_backward():
        for t in leaves:
            t.grad = None
        fn(xs).backward(g)
    return forward, forward_backward


def adam_steps(device, quick):
    """{'net': minigan's Adam step of G and D, 'contiguous': the same with C-contiguous
    gradients, 'torch': PyTorch's}, each after one real DCGAN step gave them gradients."""
    steps = {}
    for layout in ('net', 'contiguous'):
        for name, (step, nets) in dcgan.build('dcgan', 4 if quick else 64, device).items():
            if name == 'torch' and 'torch' in steps:
                continue
            step()
            G, D, opt_g, opt_d = nets
            if name == 'minigan' and layout == 'contiguous':
                for p in list(G.parameters()) + list(D.parameters()):
                    p.grad = mg.Tensor(backend.xp_of(p.grad.array).ascontiguousarray(p.grad.array))
            steps[layout if name == 'minigan' else 'torch'] = lambda o=(opt_g, opt_d): (o[0].step(), o[1].step())
    return steps


# ----------------------------------------------------------------------------- timing a case
def time_case(c, device, quick, repeats, warmup, ceilings):
    """The rows of one case: one per layout; every layout, PyTorch and the GEMM floor interleaved."""
    sync, pause = synchronizer('minigan', device), 0.0 if quick else 0.02
    with_torch = torch_on(device)
    if c['op'] == 'adam':
        sides = adam_steps(device, quick)
        syncs = [synchronizer(name if name == 'torch' else 'minigan', device) for name in sides]
        t = dict(zip(sides, timing.blocks(list(sides.values()), syncs, repeats, warmup, pause=pause)))
        theirs = t.get('torch')
        return [dict(name=c['name'], op='adam', group=DCGAN, layout=layout, minigan_fwd=t[layout].as_dict(),
                     torch_fwd=theirs and theirs.as_dict(), fwd_ratio=theirs and t[layout].median / theirs.median,
                     fwd_vs_contiguous=t[layout].median / t['contiguous'].median)
                for layout in ('net', 'contiguous')]
    x, w = c['quick'] if quick else (c['x'], c['w'])
    y = output_shape(c, x, w)
    layouts = [c['net']] + (['contiguous'] if c['net'] != 'contiguous' else [])
    rng = np.random.default_rng(0)
    fns = [contender(c, x, w, Side(mg, device), rng, layout) for layout in layouts]
    syncs = [sync] * len(fns)
    if with_torch:
        fns.append(contender(c, x, w, Side(torch, device), rng))
        syncs.append(synchronizer('torch', device))
    shapes = gemm_shapes(c, x, w, y)
    if shapes:
        fns.append(gemm_floor(*shapes, device, rng))
        syncs.append(sync)
    fwd = timing.blocks([f[0] for f in fns], syncs, repeats, warmup, pause=pause)
    fb = timing.blocks([f[1] for f in fns], syncs, repeats, warmup, pause=pause)
    n = len(layouts)
    t_fwd, t_fb = (fwd[n], fb[n]) if with_torch else (None, None)
    floor_fwd, floor_fb = (fwd[-1], fb[-1]) if shapes else (None, None)
    flops = 2 * shapes[0] * shapes[1] * shapes[2] if shapes else None
    nbytes = 4 * int(np.prod(x)) if c['op'] in MEMORY_BOUND else None
    rows = []
    for i, layout in enumerate(layouts):
        row = dict(name=c['name'], op=c['op'], group=GROUPS[c['name']], layout=layout, input=list(x),
                   weight=None if w is None else list(w), output=list(y),
                   minigan_fwd=fwd[i].as_dict(), torch_fwd=t_fwd and t_fwd.as_dict(),
                   fwd_ratio=t_fwd and fwd[i].median / t_fwd.median,
                   minigan_fwdbwd=fb[i].as_dict(), torch_fwdbwd=t_fb and t_fb.as_dict(),
                   fwdbwd_ratio=t_fb and fb[i].median / t_fb.median,
                   fwdbwd_vs_contiguous=fb[i].median / fb[layouts.index('contiguous')].median,
                   gemm_floor_fwd=floor_fwd and floor_fwd.as_dict(), gemm_floor_fwdbwd=floor_fb and floor_fb.as_dict(),
                   fwdbwd_over_floor=floor_fb and fb[i].median / floor_fb.median)
        if flops:
            row.update(fwd_gflops=flops / fwd[i].median / 1e6, fwdbwd_gflops=3 * flops / fb[i].median / 1e6)
            row['pct_of_sgemm'] = 100 * row['fwdbwd_gflops'] / ceilings['sgemm_gflops']
        if nbytes:
            row.update(fwd_gbps=2 * nbytes / fwd[i].median / 1e6, fwdbwd_gbps=5 * nbytes / fb[i].median / 1e6)
            row['pct_of_copy'] = 100 * row['fwdbwd_gbps'] / ceilings['copy_gbps']['best']
        rows.append(row)
    return rows


def default_repeats(quick, repeats=None, warmup=None):
    """(timed repeats, warm-up runs): the ones given, else (20, 3) ((3, 1) in a --quick run)."""
    default = (3, 1) if quick else (20, 3)
    return repeats or default[0], warmup or default[1]
