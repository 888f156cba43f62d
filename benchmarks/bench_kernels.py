"""Kernel benchmark: minigan against PyTorch CPU on the layers of a 28x28 DCGAN, and the whole step.

For each case: the forward time and the forward+backward time (gradients for the input and every
parameter), the median of many repeats after a warm-up, minigan and torch timed in alternating
blocks so that both see the same machine load; then the ratio minigan / torch, minigan's GFLOP/s
and its share of the machine's sgemm ceiling (a large float32 matmul timed in the same run).

Layouts. A convolution hands out an (N, C, H, W) view of (C, H, W, N) storage, so inside a
network most kernels meet that layout, not a contiguous array. Each case is timed on the layout
it meets in the DCGAN ("net") and, where that differs, on a contiguous input too, interleaved in
the same blocks; the output gradient arrives laid out as the output. torch always gets contiguous
tensors (its convolutions return them). The "vs contig" column is minigan's time on the row's
layout over its time on a contiguous input (fwd+bwd; for the Adam step, gradients as the network
hands them over against contiguous copies).

GEMM floor. A convolution here is one to three matrix products plus data movement (im2col,
col2im); the floor column times those products alone, on ready operands of the same shapes, in
the same blocks: what the convolution would cost if moving data were free.

After the kernels, the whole training steps of benchmarks/bench_steps.py (DCGAN, WGAN-GP critic),
minigan and torch alternating step by step, in the same run.

    python benchmarks/bench_kernels.py                 # minigan on the CPU (NumPy)
    python benchmarks/bench_kernels.py --device cuda   # minigan on the GPU (CuPy), torch on the CPU
    python benchmarks/bench_kernels.py --quick         # tiny sizes, a few repeats: a smoke run

Results are printed as tables and written as JSON (default benchmarks/results/kernels.json).
Threads: torch gets one per core (torch.set_num_threads); NumPy's BLAS uses every core by default.
No environment variable is set: the benchmark runs as a user's script does (minigan itself makes
OpenBLAS's idle threads sleep; see minigan/backend.py).
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_steps beside this file

import numpy as np  # noqa: E402 -- the benchmark, not minigan, times raw NumPy for the ceiling

import bench_steps  # noqa: E402
import minigan as mg  # noqa: E402
import minigan.functional as F  # noqa: E402
from minigan import backend  # noqa: E402
from minigan.ops.parallel import cores  # noqa: E402

try:
    import torch
except ImportError:  # the minigan columns still run
    torch = None

RESULTS = Path(__file__).resolve().parent / 'results' / 'kernels.json'

# name, op in minigan.functional, shapes, keyword arguments, the layout of the input inside the
# DCGAN ('conv': a convolution's output; 'contiguous': images, or a Linear's output reshaped), and
# the "quick" shapes for a smoke run.
CASES = [
    dict(name='conv2d 1->64 28x28 k4s2p1', op='conv2d', x=(64, 1, 28, 28), w=(64, 1, 4, 4),
         kw=dict(stride=2, padding=1), net='contiguous', quick=((2, 1, 8, 8), (4, 1, 4, 4))),
    dict(name='conv2d 64->128 14x14 k4s2p1', op='conv2d', x=(64, 64, 14, 14), w=(128, 64, 4, 4),
         kw=dict(stride=2, padding=1), net='conv', quick=((2, 4, 6, 6), (8, 4, 4, 4))),
    dict(name='conv_transpose2d 128->64 7->14 k4s2p1', op='conv_transpose2d', x=(64, 128, 7, 7),
         w=(128, 64, 4, 4), kw=dict(stride=2, padding=1), net='contiguous', quick=((2, 8, 3, 3), (8, 4, 4, 4))),
    dict(name='conv_transpose2d 64->1 14->28 k4s2p1', op='conv_transpose2d', x=(64, 64, 14, 14),
         w=(64, 1, 4, 4), kw=dict(stride=2, padding=1), net='conv', quick=((2, 4, 6, 6), (4, 1, 4, 4))),
    dict(name='batch_norm train (64,128,7,7)', op='batch_norm', x=(64, 128, 7, 7), w=(128,),
         kw=dict(training=True), net='conv', quick=((2, 4, 3, 3), (4,))),
    dict(name='batch_norm train (64,64,14,14)', op='batch_norm', x=(64, 64, 14, 14), w=(64,),
         kw=dict(training=True), net='conv', quick=((2, 4, 3, 3), (4,))),
    dict(name='leaky_relu 0.2 (64,64,14,14)', op='leaky_relu', x=(64, 64, 14, 14), w=None,
         kw=dict(negative_slope=0.2), net='conv', quick=((2, 4, 3, 3), None)),
    dict(name='leaky_relu 0.2 (64,128,7,7)', op='leaky_relu', x=(64, 128, 7, 7), w=None,
         kw=dict(negative_slope=0.2), net='conv', quick=((2, 4, 3, 3), None)),
    dict(name='relu (64,64,14,14)', op='relu', x=(64, 64, 14, 14), w=None, kw={}, net='conv',
         quick=((2, 4, 3, 3), None)),
    dict(name='adam step, DCGAN G + D', op='adam', x=None, w=None, kw={}, net='net', quick=(None, None)),
]


def conv_macs(case, x, w, y):
    """Multiply-adds of one conv forward: every output (or input, transposed) pixel times a kernel."""
    if case['op'] == 'conv2d':
        return int(np.prod(y)) * w[1] * w[2] * w[3]
    return int(np.prod(x)) * w[1] * w[2] * w[3]


def gemm_shapes(case, x, w, y):
    """(M, K, P) of the convolution as matrices: (M, K) @ (K, P) is its forward (conv2d: W @ cols;
    conv_transpose2d is the adjoint, with the roles of input and output swapped)."""
    if case['op'] == 'conv2d':
        return w[0], w[1] * w[2] * w[3], y[0] * y[2] * y[3]
    return w[0], w[1] * w[2] * w[3], x[0] * x[2] * x[3]


def in_layout(array, layout):
    """``array`` (N, C, H, W) with the same values stored as ``layout`` says ('conv': C, H, W, N)."""
    if layout != 'conv' or array.ndim != 4:
        return array
    xp = backend.xp_of(array)
    return xp.ascontiguousarray(array.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


# ----------------------------------------------------------------------------- the two sides
def minigan_side(case, x, w, device, rng, layout):
    """(forward, forward+backward) closures for minigan on ``device`` with the input in
    ``layout``, and the output shape."""
    data = lambda shape: mg.tensor(rng.standard_normal(shape).astype(np.float32), device=device)  # noqa: E731
    xs = mg.Tensor(in_layout(data(x).array, layout)).requires_grad_()
    params = []
    if case['op'] in ('conv2d', 'conv_transpose2d'):
        params = [data(w).requires_grad_(), data((w[0] if case['op'] == 'conv2d' else w[1],)).requires_grad_()]
        fn = lambda: getattr(F, case['op'])(xs, *params, **case['kw'])  # noqa: E731
    elif case['op'] == 'batch_norm':
        params = [data(w).requires_grad_(), data(w).requires_grad_()]
        stats = [mg.zeros(w[0], device=device), mg.ones(w[0], device=device)]
        fn = lambda: F.batch_norm(xs, *stats, *params, **case['kw'])  # noqa: E731
    else:
        fn = lambda: getattr(F, case['op'])(xs, **case['kw'])  # noqa: E731
    with mg.no_grad():
        y = fn().array
    g = backend.xp_of(y).empty_like(y)  # the output gradient arrives laid out as the output
    g[...] = data(y.shape).array
    g = mg.Tensor(g)
    leaves = [xs] + params

    def forward():
        with mg.no_grad():
            return fn()

    def forward_backward():
        for t in leaves:
            t.grad = None
        fn().backward(g)
    return forward, forward_backward, tuple(y.shape)


def torch_side(case, x, w, rng):
    data = lambda shape: torch.tensor(rng.standard_normal(shape).astype(np.float32))  # noqa: E731
    tf = torch.nn.functional
    xs = data(x).requires_grad_()
    params = []
    if case['op'] in ('conv2d', 'conv_transpose2d'):
        params = [data(w).requires_grad_(), data((w[0] if case['op'] == 'conv2d' else w[1],)).requires_grad_()]
        fn = lambda: getattr(tf, case['op'])(xs, *params, **case['kw'])  # noqa: E731
    elif case['op'] == 'batch_norm':
        params = [data(w).requires_grad_(), data(w).requires_grad_()]
        stats = [torch.zeros(w[0]), torch.ones(w[0])]
        fn = lambda: tf.batch_norm(xs, *stats, *params, **case['kw'])  # noqa: E731
    else:
        fn = lambda: getattr(tf, case['op'])(xs, **case['kw'])  # noqa: E731
    with torch.no_grad():
        g = data(tuple(fn().shape))
    leaves = [xs] + params

    def forward():
        with torch.no_grad():
            return fn()

    def forward_backward():
        for t in leaves:
            t.grad = None
        fn().backward(g)
    return forward, forward_backward


def adam_sides(device, quick):
    """{'net': minigan's step, 'contiguous': the same, 'torch': torch's}: one Adam step of G's and
    D's optimizers after a real DCGAN step, every gradient in the layout the network hands it
    over in -- or, for 'contiguous', copied out C-contiguous first."""
    batch_size, steps = 4 if quick else 64, {}
    for layout in ('net', 'contiguous'):
        for name, (step, side, nets, batch) in bench_steps.build('dcgan', batch_size, device).items():
            if name == 'torch' and 'torch' in steps:
                continue
            step(side, nets, batch)
            if name == 'minigan' and layout == 'contiguous':
                for p in list(nets[0].parameters()) + list(nets[1].parameters()):
                    p.grad = mg.Tensor(backend.xp_of(p.grad.array).ascontiguousarray(p.grad.array))
            steps[layout if name == 'minigan' else 'torch'] = lambda nets=nets: (nets[2].step(), nets[3].step())
    return steps


def gemm_floor(M, K, P, device, rng):
    """(one GEMM (M, K) @ (K, P): the forward's product, the three of forward+backward) closures:
    the products a convolution of these matrix shapes cannot do without, on ready operands."""
    xp = backend.module_for(device)
    a, b, gy = (xp.asarray(rng.standard_normal(s).astype(np.float32)) for s in ((M, K), (K, P), (M, P)))

    def forward():
        return xp.matmul(a, b)

    def forward_backward():
        xp.matmul(a, b)           # Y = W @ cols
        xp.matmul(a.T, gy)        # d cols = W^T @ dY
        return xp.matmul(gy, b.T)  # dW = dY @ cols^T
    return forward, forward_backward


# ----------------------------------------------------------------------------- timing
def block_medians(fns, syncs, repeats, warmup, rounds=10, pause=0.05):
    """Median seconds of each function, timed in blocks: some runs of one, a pause, some runs of
    the next, and round again, so that both meet the same machine load.

    Blocks, not call-by-call interleaving: OpenMP (torch's threads) keeps its workers busy-
    waiting for a while after parallel work, so a call made right after it runs with a core
    still taken. Ten rounds of short blocks, so that a burst of other work on a shared machine
    falls on a few samples of every function rather than on all samples of one.
    """
    rounds = max(1, min(rounds, repeats))
    times = [[] for _ in fns]
    for r in range(rounds):
        for i, (f, sync) in enumerate(zip(fns, syncs)):
            time.sleep(pause)  # let the other library's threads go back to sleep
            for _ in range(warmup if r == 0 else 1):
                f()
            sync()
            for _ in range(repeats // rounds + (r < repeats % rounds)):
                start = time.perf_counter()
                f()
                sync()
                times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def sgemm_ceiling(device, n, repeats):
    """Best GFLOP/s of an n x n float32 matmul on the device's array module."""
    xp = backend.module_for(device)
    a = xp.asarray(np.random.default_rng(0).standard_normal((n, n)).astype(np.float32))
    sync = bench_steps.synchronizer(device)
    best = float('inf')
    for _ in range(repeats + 1):
        start = time.perf_counter()
        xp.matmul(a, a)
        sync()
        best = min(best, time.perf_counter() - start)
    return 2 * n ** 3 / best / 1e9


def blas_threads():
    """NumPy's BLAS thread count, as far as it can be known without extra packages."""
    try:
        from threadpoolctl import threadpool_info
        return [dict(api=p.get('internal_api'), threads=p.get('num_threads')) for p in threadpool_info()
                if p.get('user_api') == 'blas']
    except ImportError:
        pinned = os.environ.get('OPENBLAS_NUM_THREADS') or os.environ.get('OMP_NUM_THREADS')
        return pinned or f'default: all cores ({os.cpu_count()})'


# ----------------------------------------------------------------------------- the run
def run(device='cpu', quick=False, repeats=None, warmup=None, out=RESULTS, steps=True):
    step_repeats, step_warmup = repeats, warmup  # the steps have defaults of their own
    repeats = repeats or (3 if quick else 30)
    warmup = warmup or (1 if quick else 5)
    if torch is not None:
        torch.set_num_threads(cores())
    ceiling = sgemm_ceiling(device, 256 if quick else 2048, 2 if quick else 8)
    report = dict(device=device, quick=quick, repeats=repeats, warmup=warmup,
                  machine=dict(platform=platform.platform(), processor=platform.processor(), cores=cores(),
                               python=platform.python_version(), numpy=np.__version__,
                               torch=None if torch is None else torch.__version__),
                  threads=dict(torch=None if torch is None else torch.get_num_threads(),
                               numpy_blas=blas_threads(),
                               openblas_threads_sleep=backend.blas_threads_sleep),
                  sgemm_gflops=ceiling, load_average=[_load()], rows=[])
    for case in CASES:
        if case['op'] != 'adam' and getattr(F, case['op'], None) is None:
            print(f"note: skipping '{case['name']}': minigan.functional has no {case['op']} yet")
            continue
        report['rows'] += time_case(case, device, quick, repeats, warmup, ceiling)
    print_table(report)
    if steps:
        report['steps'] = bench_steps.run(device, quick, step_repeats, step_warmup)
        print()
        bench_steps.print_rows(report['steps'])
    report['load_average'].append(_load())  # other processes' share of the cores, start and end
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(report, indent=2))
        print(f"wrote {out}")
    return report


def _load():
    """The 1-minute load average (runnable threads, all processes), None where unknown: on a
    machine shared with other work, the figures mean what they mean at that load."""
    return os.getloadavg()[0] if hasattr(os, 'getloadavg') else None


def time_case(case, device, quick, repeats, warmup, ceiling):
    """The rows of one case: one per layout, every layout, torch and the GEMM floor interleaved."""
    sync, no_wait = bench_steps.synchronizer(device), (lambda: None)
    pause = 0.0 if quick else 0.1
    if case['op'] == 'adam':
        sides = adam_sides(device, quick)
        syncs = [no_wait if name == 'torch' else sync for name in sides]
        ms = dict(zip(sides, (1e3 * t for t in block_medians(list(sides.values()), syncs, repeats, warmup,
                                                              pause=pause))))
        t = ms.get('torch')
        return [dict(name=case['name'], op='adam', layout=layout, minigan_fwd_ms=ms[layout], torch_fwd_ms=t,
                     fwd_ratio=None if t is None else ms[layout] / t,
                     fwd_vs_contiguous=ms[layout] / ms['contiguous']) for layout in ('net', 'contiguous')]
    x, w = case['quick'] if quick else (case['x'], case['w'])
    layouts = [case['net']] + (['contiguous'] if case['net'] != 'contiguous' else [])
    rng = np.random.default_rng(0)
    ours = [minigan_side(case, x, w, device, rng, layout) for layout in layouts]
    y = ours[0][2]
    fwd_fns, fb_fns = [o[0] for o in ours], [o[1] for o in ours]
    syncs = [sync] * len(ours)
    if torch is not None:
        t_fwd, t_fb = torch_side(case, x, w, rng)
        fwd_fns, fb_fns, syncs = fwd_fns + [t_fwd], fb_fns + [t_fb], syncs + [no_wait]
    conv = case['op'].startswith('conv')
    if conv:
        floor_fwd, floor_fb = gemm_floor(*gemm_shapes(case, x, w, y), device, rng)
        fwd_fns, fb_fns, syncs = fwd_fns + [floor_fwd], fb_fns + [floor_fb], syncs + [sync]
    fwd = [1e3 * t for t in block_medians(fwd_fns, syncs, repeats, warmup, pause=pause)]
    fb = [1e3 * t for t in block_medians(fb_fns, syncs, repeats, warmup, pause=pause)]
    n = len(ours)
    t_f, t_fb = (fwd[n], fb[n]) if torch is not None else (None, None)
    floor_f, floor_fb = (fwd[-1], fb[-1]) if conv else (None, None)
    macs = conv_macs(case, x, w, y) if conv else None
    rows = []
    for i, layout in enumerate(layouts):
        gflops = None if macs is None else 3 * 2 * macs / fb[i] / 1e6  # fwd + grad input + grad weight
        fwd_gflops = None if macs is None else 2 * macs / fwd[i] / 1e6
        rows.append(dict(
            name=case['name'], op=case['op'], layout=layout, input=list(x),
            weight=None if w is None else list(w),
            minigan_fwd_ms=fwd[i], torch_fwd_ms=t_f, fwd_ratio=None if t_f is None else fwd[i] / t_f,
            minigan_fwdbwd_ms=fb[i], torch_fwdbwd_ms=t_fb, fwdbwd_ratio=None if t_fb is None else fb[i] / t_fb,
            fwdbwd_vs_contiguous=fb[i] / fb[layouts.index('contiguous')],
            gemm_floor_fwd_ms=floor_f, gemm_floor_fwdbwd_ms=floor_fb,
            fwdbwd_over_floor=None if floor_fb is None else fb[i] / floor_fb,
            minigan_fwd_gflops=fwd_gflops, fwd_pct_of_sgemm=None if macs is None else 100 * fwd_gflops / ceiling,
            minigan_fwdbwd_gflops=gflops, pct_of_sgemm=None if gflops is None else 100 * gflops / ceiling))
    return rows


def fmt(value, spec):
    """``value`` formatted by ``spec``; a missing one as '-' in the same width."""
    if value is not None:
        return format(value, spec)
    width = ''.join(c for c in spec.split('.')[0] if c.isdigit())
    return format('-', ('<' if spec.startswith('<') else '>') + width)


def print_table(report):
    print(f"load average {fmt(report['load_average'][0], '.2f')} at the start")
    print(f"minigan on {report['device']} vs torch CPU ({report['threads']['torch']} threads); "
          f"NumPy BLAS threads: {report['threads']['numpy_blas']}; sgemm ceiling "
          f"{report['sgemm_gflops']:.1f} GFLOP/s; median of {report['repeats']} after {report['warmup']} warm-up")
    head = (f"{'case':38} {'layout':10} {'fwd ms mg/torch':>17} {'ratio':>6} {'fwd+bwd ms mg/torch':>21} "
            f"{'ratio':>6} {'vs contig':>9} {'GEMM floor':>10} {'x floor':>7} {'%sgemm':>7}")
    print(head)
    print('-' * len(head))
    for r in report['rows']:
        print(f"{r['name']:38} {r['layout']:10} {fmt(r['minigan_fwd_ms'], '8.2f')}/{fmt(r['torch_fwd_ms'], '<8.2f')} "
              f"{fmt(r['fwd_ratio'], '6.2f')} "
              f"{fmt(r.get('minigan_fwdbwd_ms'), '10.2f')}/{fmt(r.get('torch_fwdbwd_ms'), '<10.2f')} "
              f"{fmt(r.get('fwdbwd_ratio'), '6.2f')} "
              f"{fmt(r.get('fwdbwd_vs_contiguous', r.get('fwd_vs_contiguous')), '9.2f')} "
              f"{fmt(r.get('gemm_floor_fwdbwd_ms'), '10.2f')} {fmt(r.get('fwdbwd_over_floor'), '7.2f')} "
              f"{fmt(r.get('pct_of_sgemm'), '7.1f')}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--device', choices=backend.DEVICES, default='cpu', help="where minigan runs")
    parser.add_argument('--quick', action='store_true', help='tiny sizes and few repeats (a smoke run)')
    parser.add_argument('--repeats', type=int, help='timed repeats per measurement (default 30)')
    parser.add_argument('--warmup', type=int, help='untimed runs first (default 5)')
    parser.add_argument('--out', default=str(RESULTS), help='JSON file to write ("" for none)')
    parser.add_argument('--no-steps', action='store_true', help='the kernels only, not the whole steps')
    args = parser.parse_args(argv)
    return run(args.device, args.quick, args.repeats, args.warmup, args.out or None, not args.no_steps)


if __name__ == '__main__':
    main()
