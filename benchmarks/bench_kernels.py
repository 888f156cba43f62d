"""Kernel benchmark: minigan against PyTorch CPU on the layers of a 28x28 DCGAN.

For each case: the forward time and the forward+backward time (gradients for the input and every
parameter), the median of many repeats after a warm-up, minigan and torch timed in alternating
blocks so that both see the same machine load; then the ratio minigan / torch, minigan's GFLOP/s
and its share of the machine's sgemm ceiling (a large float32 matmul timed in the same run).

    python benchmarks/bench_kernels.py                 # minigan on the CPU (NumPy)
    python benchmarks/bench_kernels.py --device cuda   # minigan on the GPU (CuPy), torch on the CPU
    python benchmarks/bench_kernels.py --quick         # tiny sizes, a few repeats: a smoke run

Results are printed as a table and written as JSON (default benchmarks/results/kernels.json).
Threads: torch gets one per core (torch.set_num_threads); NumPy's BLAS uses every core by default.
NumPy's OpenBLAS is told to let its idle threads sleep at once (OPENBLAS_THREAD_TIMEOUT=4 unless
you set it): by default they spin for ~0.1 s after every GEMM, and on a 2-core machine the
spinning thread holds the core that the next step (an im2col, or torch) needs.
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
os.environ.setdefault('OPENBLAS_THREAD_TIMEOUT', '4')  # read when NumPy loads OpenBLAS, so set first

import numpy as np  # noqa: E402 -- the benchmark, not minigan, times raw NumPy for the ceiling

import minigan as mg  # noqa: E402
import minigan.functional as F  # noqa: E402
from minigan import backend  # noqa: E402

try:
    import torch
except ImportError:  # the minigan columns still run
    torch = None

RESULTS = Path(__file__).resolve().parent / 'results' / 'kernels.json'

# name, op in minigan.functional, shapes, keyword arguments, multiply-adds of one forward
# (None for memory-bound ops), and the "quick" shapes for a smoke run.
CASES = [
    dict(name='conv2d 1->64 28x28 k4s2p1', op='conv2d', x=(64, 1, 28, 28), w=(64, 1, 4, 4),
         kw=dict(stride=2, padding=1), quick=((2, 1, 8, 8), (4, 1, 4, 4))),
    dict(name='conv2d 64->128 14x14 k4s2p1', op='conv2d', x=(64, 64, 14, 14), w=(128, 64, 4, 4),
         kw=dict(stride=2, padding=1), quick=((2, 4, 6, 6), (8, 4, 4, 4))),
    dict(name='conv_transpose2d 128->64 7->14 k4s2p1', op='conv_transpose2d', x=(64, 128, 7, 7),
         w=(128, 64, 4, 4), kw=dict(stride=2, padding=1), quick=((2, 8, 3, 3), (8, 4, 4, 4))),
    dict(name='conv_transpose2d 64->1 14->28 k4s2p1', op='conv_transpose2d', x=(64, 64, 14, 14),
         w=(64, 1, 4, 4), kw=dict(stride=2, padding=1), quick=((2, 4, 6, 6), (4, 1, 4, 4))),
    dict(name='batch_norm train (64,128,7,7)', op='batch_norm', x=(64, 128, 7, 7), w=(128,),
         kw=dict(training=True), quick=((2, 4, 3, 3), (4,))),
    dict(name='leaky_relu 0.2 (64,128,14,14)', op='leaky_relu', x=(64, 128, 14, 14), w=None,
         kw=dict(negative_slope=0.2), quick=((2, 4, 3, 3), None)),
]


def conv_macs(case, x, w, y):
    """Multiply-adds of one conv forward: every output (or input, transposed) pixel times a kernel."""
    if case['op'] == 'conv2d':
        return int(np.prod(y)) * w[1] * w[2] * w[3]
    return int(np.prod(x)) * w[1] * w[2] * w[3]


# ----------------------------------------------------------------------------- the two sides
def minigan_side(case, x, w, device, rng):
    """(forward, forward+backward) closures for minigan on ``device``, and the output shape."""
    data = lambda shape: mg.tensor(rng.standard_normal(shape).astype(np.float32), device=device)  # noqa: E731
    xs = data(x).requires_grad_()
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
        out_shape = fn().shape
    g = data(out_shape)
    leaves = [xs] + params

    def forward():
        with mg.no_grad():
            return fn()

    def forward_backward():
        for t in leaves:
            t.grad = None
        fn().backward(g)
    return forward, forward_backward, out_shape


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


# ----------------------------------------------------------------------------- timing
def synchronizer(device):
    """A function that waits for the GPU (nothing to wait for on the CPU, or without CuPy)."""
    if device != 'cuda':
        return lambda: None
    try:
        return backend.module_for('cuda').cuda.get_current_stream().synchronize
    except AttributeError:  # not real CuPy (the test suite's stand-in)
        return lambda: None


def block_medians(fns, syncs, repeats, warmup, rounds=3, pause=0.1):
    """Median seconds of each function, timed in blocks: some runs of one, a pause, some runs of
    the next, and round again, so that both meet the same machine load.

    Blocks, not call-by-call interleaving: OpenBLAS and OpenMP keep their worker threads busy-
    waiting for a while after parallel work, so a torch call made right after a NumPy GEMM runs
    with a core still taken (on 2 cores that doubled torch's time), and vice versa.
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
    sync = synchronizer(device)
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
def run(device='cpu', quick=False, repeats=None, warmup=None, out=RESULTS):
    repeats = repeats or (3 if quick else 30)
    warmup = warmup or (1 if quick else 5)
    cores = os.cpu_count()
    if torch is not None:
        torch.set_num_threads(cores)
    ceiling = sgemm_ceiling(device, 256 if quick else 2048, 2 if quick else 8)
    report = dict(device=device, quick=quick, repeats=repeats, warmup=warmup,
                  machine=dict(platform=platform.platform(), processor=platform.processor(), cores=cores,
                               python=platform.python_version(), numpy=np.__version__,
                               torch=None if torch is None else torch.__version__),
                  threads=dict(torch=None if torch is None else torch.get_num_threads(),
                               numpy_blas=blas_threads(),
                               openblas_thread_timeout=os.environ.get('OPENBLAS_THREAD_TIMEOUT')),
                  sgemm_gflops=ceiling, rows=[])
    sync, no_wait = synchronizer(device), (lambda: None)
    for case in CASES:
        if getattr(F, case['op'], None) is None:
            print(f"note: skipping '{case['name']}': minigan.functional has no {case['op']} yet")
            continue
        x, w = case['quick'] if quick else (case['x'], case['w'])
        rng = np.random.default_rng(0)
        mg_fwd, mg_fb, y = minigan_side(case, x, w, device, rng)
        t_fwd, t_fb = torch_side(case, x, w, rng) if torch is not None else (None, None)
        pause = 0.0 if quick else 0.1
        fwd = block_medians([f for f in (mg_fwd, t_fwd) if f], [sync, no_wait], repeats, warmup, pause=pause)
        fb = block_medians([f for f in (mg_fb, t_fb) if f], [sync, no_wait], repeats, warmup, pause=pause)
        mg_f, t_f = (fwd + [None])[:2]
        mg_fb_t, t_fb = (fb + [None])[:2]
        macs = conv_macs(case, x, w, y) if case['op'].startswith('conv') else None
        gflops = None if macs is None else 3 * 2 * macs / mg_fb_t / 1e9  # fwd + grad input + grad weight
        fwd_gflops = None if macs is None else 2 * macs / mg_f / 1e9
        report['rows'].append(dict(
            name=case['name'], op=case['op'], input=list(x), weight=None if w is None else list(w),
            minigan_fwd_ms=mg_f * 1e3, torch_fwd_ms=None if t_f is None else t_f * 1e3,
            fwd_ratio=None if t_f is None else mg_f / t_f,
            minigan_fwdbwd_ms=mg_fb_t * 1e3, torch_fwdbwd_ms=None if t_fb is None else t_fb * 1e3,
            fwdbwd_ratio=None if t_fb is None else mg_fb_t / t_fb,
            minigan_fwd_gflops=fwd_gflops, fwd_pct_of_sgemm=None if macs is None else 100 * fwd_gflops / ceiling,
            minigan_fwdbwd_gflops=gflops, pct_of_sgemm=None if gflops is None else 100 * gflops / ceiling))
    print_table(report)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(report, indent=2))
        print(f"wrote {out}")
    return report


def print_table(report):
    fmt = lambda v, spec: '-' if v is None else format(v, spec)  # noqa: E731
    print(f"minigan on {report['device']} vs torch CPU ({report['threads']['torch']} threads); "
          f"NumPy BLAS threads: {report['threads']['numpy_blas']}; sgemm ceiling "
          f"{report['sgemm_gflops']:.1f} GFLOP/s; median of {report['repeats']} after {report['warmup']} warm-up")
    head = (f"{'case':40} {'fwd ms mg/torch':>17} {'ratio':>6} {'%sgemm':>7} {'fwd+bwd ms mg/torch':>21} "
            f"{'ratio':>6} {'GFLOP/s':>8} {'%sgemm':>7}")
    print(head)
    print('-' * len(head))
    for r in report['rows']:
        print(f"{r['name']:40} {fmt(r['minigan_fwd_ms'], '8.2f')}/{fmt(r['torch_fwd_ms'], '<8.2f')} "
              f"{fmt(r['fwd_ratio'], '6.2f')} {fmt(r['fwd_pct_of_sgemm'], '6.1f'):>7} "
              f"{fmt(r['minigan_fwdbwd_ms'], '10.2f')}/{fmt(r['torch_fwdbwd_ms'], '<10.2f')} "
              f"{fmt(r['fwdbwd_ratio'], '6.2f')} {fmt(r['minigan_fwdbwd_gflops'], '8.1f')} "
              f"{fmt(r['pct_of_sgemm'], '6.1f'):>7}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--device', choices=backend.DEVICES, default='cpu', help="where minigan runs")
    parser.add_argument('--quick', action='store_true', help='tiny sizes and few repeats (a smoke run)')
    parser.add_argument('--repeats', type=int, help='timed repeats per measurement (default 30)')
    parser.add_argument('--warmup', type=int, help='untimed runs first (default 5)')
    parser.add_argument('--out', default=str(RESULTS), help='JSON file to write ("" for none)')
    args = parser.parse_args(argv)
    return run(args.device, args.quick, args.repeats, args.warmup, args.out or None)


if __name__ == '__main__':
    main()
