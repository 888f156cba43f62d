"""Convolutions against their GEMM floor: how close is minigan's conv to the matrix products it does?

An im2col convolution's forward and backward are three matrix products, (O, K) = out channels by
C*kh*kw, M = OH*OW*N:

    forward          Y     = W     (O, K) @ cols  (K, M)
    input gradient   dcols = W^T   (K, O) @ gY    (O, M)      then col2im
    weight gradient  dW^T  = cols  (K, M) @ gY^T  (M, O)

(conv_transpose2d does the same three, in the other order). Everything else -- im2col, col2im,
layout copies, bias, allocations, Python -- is the engine's overhead. This script times minigan's
conv forward+backward (gradients for input, weight and bias) and, in the same process and
interleaved with it (A, B, A, B, ...), the three products alone with the same BLAS: contiguous
operands, outputs preallocated. The conv runs twice: on an input and an output gradient stored
(N, C, H, W), as a user makes them, and stored (C, H, W, N), as they are inside a network (the
layout conv outputs have, which layout-keeping ops pass on) -- where no relayout is needed. The ratio conv / GEMMs is the engine's cost over the arithmetic
floor. PyTorch's time is shown for reference, timed in a block of its own: its idle OpenMP
threads spin after each call and would slow a NumPy call that came right after it.

    python benchmarks/bench_conv_floor.py                # the two big DCGAN layers, N = 64
    python benchmarks/bench_conv_floor.py --pieces       # also time each piece on its own
    python benchmarks/bench_conv_floor.py --quick        # tiny sizes: a smoke run

Results: a table, and JSON (default benchmarks/results/conv_floor.json). Medians of the rounds,
with the range (min-max) of the per-round medians: on a shared machine, report the range.
"""
import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled
os.environ.setdefault('OPENBLAS_THREAD_TIMEOUT', '4')  # idle BLAS threads sleep at once (minigan/backend.py)

import numpy as np  # noqa: E402 -- the benchmark times raw GEMMs of the device's array module

import minigan as mg  # noqa: E402
import minigan.functional as F  # noqa: E402
from minigan import backend  # noqa: E402
from minigan.ops import conv, im2col  # noqa: E402
from benchmarks.sides import synchronizer, torch  # noqa: E402 -- torch: None when not installed

RESULTS = Path(__file__).resolve().parent / 'results' / 'conv_floor.json'

CASES = [
    dict(name='conv2d 64->128 14x14 k4s2p1', op='conv2d', x=(64, 64, 14, 14), w=(128, 64, 4, 4),
         quick=((2, 4, 6, 6), (8, 4, 4, 4))),
    dict(name='conv_transpose2d 128->64 7->14 k4s2p1', op='conv_transpose2d', x=(64, 128, 7, 7),
         w=(128, 64, 4, 4), quick=((2, 8, 3, 3), (8, 4, 4, 4))),
]
KW = dict(stride=2, padding=1)


def product_shapes(case, x, w, y):
    """(O, K, M) of the three products: O = w.shape[0] (the small side's channels), K = the big
    side's channels * kh * kw, M = the small side's N * H * W."""
    small = y if case['op'] == 'conv2d' else x
    return w[0], w[1] * w[2] * w[3], small[0] * small[2] * small[3]


def gemms(xp, O, K, M, rng):
    """The three products of one conv fwd+bwd on fresh contiguous float32 operands, outputs reused."""
    f32 = lambda *s: xp.asarray(rng.standard_normal(s).astype(np.float32))  # noqa: E731
    w, cols, gy = f32(O, K), f32(K, M), f32(O, M)
    out = [xp.empty((O, M), np.float32), xp.empty((K, M), np.float32), xp.empty((K, O), np.float32)]
    return lambda: (xp.matmul(w, cols, out=out[0]), xp.matmul(w.T, gy, out=out[1]),
                    xp.matmul(cols, gy.T, out=out[2]))


def minigan_conv(case, x, w, device, rng, in_network=False):
    """minigan's conv fwd+bwd on float32 data, and its output shape. The input and the output
    gradient are stored (N, C, H, W), as a user makes them -- or, ``in_network``, (C, H, W, N), as
    they are inside a network (a conv's output, and the gradient layout-keeping ops pass back)."""
    def t(shape, stored_chwn=False):
        a = rng.standard_normal(shape).astype(np.float32)
        if stored_chwn:
            return mg.Tensor(backend.to_device(np.ascontiguousarray(a.transpose(1, 2, 3, 0)), device)
                             ).permute(3, 0, 1, 2).detach()
        return mg.tensor(a, device=device)
    xs, ws = t(x, in_network).requires_grad_(), t(w).requires_grad_()
    bs = t((w[0] if case['op'] == 'conv2d' else w[1],)).requires_grad_()
    with mg.no_grad():
        y = getattr(F, case['op'])(xs, ws, bs, **KW).shape
    g = t(y, in_network)

    def run():
        for p in (xs, ws, bs):
            p.grad = None
        getattr(F, case['op'])(xs, ws, bs, **KW).backward(g)
    return run, tuple(y)


def torch_conv(case, x, w, rng):
    t = lambda shape: torch.tensor(rng.standard_normal(shape).astype(np.float32))  # noqa: E731
    xs, ws = t(x).requires_grad_(), t(w).requires_grad_()
    bs = t((w[0] if case['op'] == 'conv2d' else w[1],)).requires_grad_()
    fn = getattr(torch.nn.functional, case['op'])
    with torch.no_grad():
        g = t(tuple(fn(xs, ws, bs, **KW).shape))

    def run():
        for p in (xs, ws, bs):
            p.grad = None
        fn(xs, ws, bs, **KW).backward(g)
    return run


def pieces(case, x, y, w, device, rng):
    """The conv's data movers alone, on the same shapes: {name: function}."""
    xp = backend.module_for(device)
    big, small = (x, y) if case['op'] == 'conv2d' else (y, x)
    win = im2col.Window(w[2:], (2, 2), (1, 1), (1, 1), tuple(big[2:]), tuple(small[2:]))
    data = lambda shape: xp.asarray(rng.standard_normal(shape).astype(np.float32))  # noqa: E731
    image_nchw, small_nchw = data(big), data(small)
    image = im2col.to_chwn(image_nchw).copy()
    channels, batch = big[1], big[0]
    cols = data(win.cols_shape(channels, batch))
    return {'im2col (C,H,W,N) input': lambda: im2col.im2col(image, win),
            'im2col (N,C,H,W) input': lambda: im2col.im2col(conv.chwn(image_nchw), win),
            'col2im': lambda: im2col.col2im(cols, win, channels, batch),
            'relayout small side (N,C,H,W)->(C,H,W,N)': lambda: im2col.to_chwn(small_nchw)}


def interleaved(fns, sync, rounds, per_round, warmup):
    """Per function: the median over rounds of each round's median; and the range of those.
    Each round runs every function ``per_round`` times, one after the other, in an order that
    turns round every time (C, B, A, A, B, C, C, B, A, ...). Why: what ran just before matters. A
    conv fwd+bwd timed right after the three bare GEMMs took ~1 ms (6%) longer than the same conv
    timed after another conv (16.7 against 15.8 ms, 2 cores). In the fixed order A, B, C the row
    after the GEMMs always paid that; now both convs (A and C, around the GEMMs B) pay it half the
    time. Before, the network layout's row (C) looked slower than the contiguous one (A), though it
    is faster: it moves less data."""
    for f in fns:
        for _ in range(warmup):
            f()
    sync()
    round_medians = [[] for _ in fns]
    order = list(enumerate(fns))
    for _ in range(rounds):
        times = [[] for _ in fns]
        for _ in range(per_round):
            order.reverse()
            for i, f in order:
                start = time.perf_counter()
                f()
                sync()
                times[i].append(time.perf_counter() - start)
        for i, t in enumerate(times):
            round_medians[i].append(statistics.median(t))
    return [(statistics.median(m), min(m), max(m)) for m in round_medians]


def run(device='cpu', quick=False, rounds=None, per_round=None, with_pieces=False, out=RESULTS):
    rounds, per_round = rounds or (1 if quick else 5), per_round or (2 if quick else 10)
    warmup = 1 if quick else 3
    if torch is not None:
        torch.set_num_threads(os.cpu_count())
    xp, sync = backend.module_for(device), synchronizer('minigan', device)
    report = dict(device=device, quick=quick, rounds=rounds, per_round=per_round, cores=os.cpu_count(),
                  numpy=np.__version__, openblas_thread_timeout=os.environ.get('OPENBLAS_THREAD_TIMEOUT'),
                  rows=[])
    for case in CASES:
        x, w = case['quick'] if quick else (case['x'], case['w'])
        rng = np.random.default_rng(0)
        mine, y = minigan_conv(case, x, w, device, rng)
        in_network, _ = minigan_conv(case, x, w, device, rng, in_network=True)
        O, K, M = product_shapes(case, x, w, y)
        floor = gemms(xp, O, K, M, rng)
        timed = interleaved([mine, floor, in_network], sync, rounds, per_round, warmup)
        theirs = None
        if torch is not None:  # on its own, after a pause: its idle threads spin (benchmarks/timing.py)
            time.sleep(0.2)
            (theirs,) = interleaved([torch_conv(case, x, w, rng)], sync, rounds, per_round, warmup)
            time.sleep(0.2)
        row = dict(name=case['name'], gemm_shapes=dict(O=O, K=K, M=M),
                   minigan_ms=[t * 1e3 for t in timed[0]], gemm_floor_ms=[t * 1e3 for t in timed[1]],
                   torch_ms=None if theirs is None else [t * 1e3 for t in theirs],
                   ratio_to_floor=timed[0][0] / timed[1][0],
                   in_network_ms=[t * 1e3 for t in timed[2]], in_network_ratio=timed[2][0] / timed[1][0])
        if with_pieces:
            named = pieces(case, x, y, w, device, rng)
            piece_times = interleaved(list(named.values()), sync, rounds, per_round, warmup)
            row['pieces_ms'] = {k: [t * 1e3 for t in v] for k, v in zip(named, piece_times)}
        report['rows'].append(row)
    print_table(report)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(report, indent=2))
        print(f"wrote {out}")
    return report


def print_table(report):
    span = lambda t: f"{t[0]:7.2f} ({t[1]:.2f}-{t[2]:.2f})"  # noqa: E731
    print(f"minigan conv fwd+bwd vs its three GEMMs alone, {report['device']}, {report['cores']} cores; "
          f"median of {report['rounds']} round medians of {report['per_round']} (range of the rounds)")
    head = f"{'case':40} {'minigan ms':>22} {'GEMM floor ms':>22} {'ratio':>6} {'torch ms':>22}"
    print(head)
    print('-' * len(head))
    for r in report['rows']:
        torch_ms = '-' if r['torch_ms'] is None else span(r['torch_ms'])
        print(f"{r['name']:40} {span(r['minigan_ms']):>22} {span(r['gemm_floor_ms']):>22} "
              f"{r['ratio_to_floor']:6.2f} {torch_ms:>22}")
        print(f"    {'stored (C, H, W, N), as inside a network':36} {span(r['in_network_ms']):>22} "
              f"{'':>22} {r['in_network_ratio']:6.2f}")
        for name, t in r.get('pieces_ms', {}).items():
            print(f"    {name:50} {span(t)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--device', choices=backend.DEVICES, default='cpu', help='where minigan runs')
    parser.add_argument('--quick', action='store_true', help='tiny sizes, one round (a smoke run)')
    parser.add_argument('--rounds', type=int, help='rounds (default 5)')
    parser.add_argument('--per-round', type=int, help='runs of each function per round (default 10)')
    parser.add_argument('--pieces', action='store_true', help='also time im2col, col2im and the relayout alone')
    parser.add_argument('--out', default=str(RESULTS), help='JSON file to write ("" for none)')
    args = parser.parse_args(argv)
    return run(args.device, args.quick, args.rounds, args.per_round, args.pieces, args.out or None)


if __name__ == '__main__':
    main()
