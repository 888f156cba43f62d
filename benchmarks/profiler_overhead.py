"""What watching costs: a DCGAN training step plain, under minigan.profile(), and under
minigan.detect_anomaly(); and what an op call pays for the instrument slot when nothing watches.

    python benchmarks/profiler_overhead.py            # B = 64, 28x28 DCGAN, 15 rounds
    python benchmarks/profiler_overhead.py --quick    # tiny sizes: a smoke run

The three step variants are timed interleaved (plain, profiled, anomaly, plain, ...) so that all
meet the same machine load; the medians are reported. On a shared machine a step's time varies by
more than the profiler costs, so the cost is also measured where it is not drowned: per call, on
a tiny op (``Add()(x, y)``) plain, profiled and under detect_anomaly, interleaved; times the
number of calls a step makes, that is the step's overhead. The slot's own cost when nothing
watches is ``Add()(x, y)`` (which tests the slot) against its body ``Add()._call((x, y))``.
Then one profiled step's table.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

import minigan as mg  # noqa: E402
import minigan.nn as nn  # noqa: E402
import minigan.functional as F  # noqa: E402
from minigan.ops.math import Add  # noqa: E402

RESULTS = Path(__file__).resolve().parent / 'results' / 'profiler_overhead.json'


def dcgan(latent, width, size, device):
    """A DCGAN for (1, size, size) images (size divisible by 4); width = the first conv's channels."""
    s = size // 4
    generator = nn.Sequential(
        nn.Linear(latent, 2 * width * s * s), nn.Unflatten(1, (2 * width, s, s)),
        nn.BatchNorm2d(2 * width), nn.ReLU(),
        nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.BatchNorm2d(width), nn.ReLU(),
        nn.ConvTranspose2d(width, 1, 4, 2, 1), nn.Tanh()).to(device)
    discriminator = nn.Sequential(
        nn.Conv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, 4, 2, 1), nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(2 * width * s * s, 1)).to(device)
    return generator, discriminator


def make_step(batch, latent, width, size, device):
    """One DCGAN step: D on real and detached fake (BCE with logits), then G (non-saturating)."""
    mg.manual_seed(0)
    G, D = dcgan(latent, width, size, device)
    opt_g = mg.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = mg.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = mg.rand(batch, 1, size, size, device=device) * 2 - 1
    ones, zeros = mg.ones(batch, 1, device=device), mg.zeros(batch, 1, device=device)

    def step():
        fake = G(mg.randn(batch, latent, device=device))
        opt_d.zero_grad()
        loss_d = (F.binary_cross_entropy_with_logits(D(real), ones)
                  + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros))
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
        loss_g.backward()
        opt_g.step()
    return step


def interleaved_medians(variants, rounds):
    """Median seconds of each zero-argument function, timed in turn round after round."""
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def per_call_costs(calls, rounds):
    """Seconds per tiny op call: its body alone, through __call__ (which tests the slot), and
    through __call__ under profile() and under detect_anomaly()."""
    x, y = mg.randn(3, requires_grad=True), mg.randn(3)

    def through_call():
        for _ in range(calls):
            Add()(x, y)

    def body_only():
        for _ in range(calls):
            Add()._call((x, y))

    def profiled():
        with mg.profile():
            through_call()

    def watched():
        with mg.detect_anomaly():
            through_call()
    medians = interleaved_medians({'_call': body_only, '__call__': through_call, 'profile': profiled,
                                   'detect_anomaly': watched}, rounds)
    return {name: t / calls for name, t in medians.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--device', choices=('cpu', 'cuda'), default='cpu')
    parser.add_argument('--quick', action='store_true', help='tiny sizes, few rounds (a smoke run)')
    parser.add_argument('--rounds', type=int, default=None, help='timed rounds (default 15)')
    parser.add_argument('--out', default=str(RESULTS), help='JSON file to write ("" for none)')
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 15)
    sizes = dict(batch=4, latent=8, width=4, size=8) if args.quick else dict(batch=64, latent=100, width=64, size=28)
    step = make_step(device=args.device, **sizes)
    step()  # warm-up: scratch buffers, thread pool

    def profiled():
        with mg.profile():
            step()

    def watched():
        with mg.detect_anomaly():
            step()
    medians = interleaved_medians({'plain': step, 'profile': profiled, 'detect_anomaly': watched}, rounds)
    per_call = per_call_costs(200 if args.quick else 20000, rounds)
    with mg.profile() as prof:
        step()
    events = sum(s.calls for s in prof.key_averages())  # timed calls in one step
    added_ms = {k: (per_call[k] - per_call['__call__']) * events * 1e3 for k in ('profile', 'detect_anomaly')}
    plain_ms = medians['plain'] * 1e3
    report = dict(device=args.device, quick=args.quick, rounds=rounds, sizes=sizes,
                  step_ms={k: v * 1e3 for k, v in medians.items()},
                  overhead_pct={k: 100 * (medians[k] / medians['plain'] - 1) for k in ('profile', 'detect_anomaly')},
                  tiny_op_us={k: v * 1e6 for k, v in per_call.items()},
                  slot_ns=(per_call['__call__'] - per_call['_call']) * 1e9, timed_calls_per_step=events,
                  estimated_added_ms=added_ms,
                  estimated_overhead_pct={k: 100 * v / plain_ms for k, v in added_ms.items()})
    print(f"DCGAN step {sizes} on {args.device}, median of {rounds} interleaved rounds:")
    for name, ms in report['step_ms'].items():
        extra = '' if name == 'plain' else f"   ({report['overhead_pct'][name]:+.1f}%)"
        print(f"  {name:15} {ms:9.2f} ms{extra}")
    us = report['tiny_op_us']
    print(f"tiny op (Add of 3 floats), per call: body {us['_call']:.2f} us, __call__ {us['__call__']:.2f} us "
          f"(the slot: {report['slot_ns']:+.0f} ns), profiled {us['profile']:.2f} us, "
          f"detect_anomaly {us['detect_anomaly']:.2f} us")
    for name in ('profile', 'detect_anomaly'):
        print(f"  {name}: {events} timed calls a step x the added cost per call = {added_ms[name]:.2f} ms "
              f"a step ({report['estimated_overhead_pct'][name]:.2f}% of the plain step)")
    print(prof.table(row_limit=None if args.quick else 6))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=2))
        print(f"wrote {args.out}")
    return report


if __name__ == '__main__':
    main()
