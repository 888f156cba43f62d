"""Memory over a long run: does a training loop's resident memory stay flat?

A leak in an autograd engine is usually a graph kept alive: a loss appended to a list as a
Tensor instead of a float, a hook or a gradient that refers to the last step's outputs. Each
step's graph holds every intermediate array of that step (for a DCGAN, megabytes), so a kept
graph shows up within a few hundred steps. This script trains a small DCGAN (width 4, batches of
8, on 1,000 of the shipped digits: about 10 ms of CPU a step) with the real loop -- ``python -m minigan train dcgan``, in this process, with its loss
history, metrics, pictures and checkpoints at every epoch's end -- and reads the resident set
size (RSS) every ``--sample-every`` steps from /proc/self/statm (pages resident x page size).

    growth = (RSS at the last step − RSS at the end of the warm-up) / RSS at the end of the warm-up

The warm-up (the first ``--warmup`` steps) is left out on purpose: the first steps and the first
epoch's end allocate what the run needs once -- NumPy's and the allocator's pools, the digit
scorer of the metrics, matplotlib -- and that is not growth. What a run keeps by design grows
too, and slowly: the loss history is a few floats per step (3 logged values x 10,000 steps is
about 1 MB of Python floats). The slope of a least-squares line through the samples after the
warm-up, in bytes per step, says whether what remains is a trend or noise.

    nice -n 10 python benchmarks/memory.py               # 10,000 steps, curve in benchmarks/results/
    python benchmarks/memory.py --steps 300 --warmup 100  # a smoke run

Writes ``memory.json`` (every sample: step, seconds, RSS, live Python objects tracked by the
garbage collector) and ``memory.png`` (the curve) to ``--out`` (benchmarks/results/).
Standalone on purpose: it needs minigan and matplotlib only.
"""
import argparse
import gc
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, uninstalled

from minigan.cli import main as minigan_main  # noqa: E402
from minigan.cli.run import Run  # noqa: E402

PAGE = os.sysconf('SC_PAGE_SIZE') if hasattr(os, 'sysconf') else 4096


def rss_bytes():
    """The resident set size now: /proc/self/statm on Linux; elsewhere the peak (ru_maxrss), which
    can only grow -- still an upper bound on growth."""
    try:
        with open('/proc/self/statm') as f:
            return int(f.read().split()[1]) * PAGE
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == 'darwin' else peak * 1024  # bytes on macOS, KiB on Linux


def slope(xs, ys):
    """Least-squares slope of ys against xs."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0


def summarize(samples, warmup):
    """Growth after the warm-up from samples {'step', 'rss', ...}; the sample at the end of the
    warm-up is the last one taken at or before step ``warmup``."""
    before = [s for s in samples if s['step'] <= warmup]
    after = [s for s in samples if s['step'] >= warmup]
    if not before or len(after) < 2:
        raise ValueError(f"memory: need samples before and after the warm-up of {warmup} steps, "
                         f"got {len(samples)} samples up to step {samples[-1]['step'] if samples else 0}")
    base, last = before[-1]['rss'], after[-1]['rss']
    peak = max(s['rss'] for s in after)
    per_step = slope([s['step'] for s in after], [s['rss'] for s in after])
    return {'warmup_steps': warmup, 'rss_at_warmup_mb': base / 2 ** 20, 'rss_last_mb': last / 2 ** 20,
            'rss_peak_after_warmup_mb': peak / 2 ** 20, 'rss_first_mb': samples[0]['rss'] / 2 ** 20,
            'growth_percent': 100 * (last - base) / base, 'peak_growth_percent': 100 * (peak - base) / base,
            'slope_bytes_per_step': per_step,
            'objects_at_warmup': before[-1]['objects'], 'objects_last': after[-1]['objects']}


def sample_while_training(argv, every):
    """Run ``python -m minigan train`` with ``argv`` in this process; after every ``every``-th
    step (and the first) record the step, the seconds since the start, RSS and gc's object count."""
    samples, original, start = [], Run.advance, time.perf_counter()

    def advance(run):
        values, ended = original(run)
        if run.step % every == 0 or run.step == 1:
            samples.append({'step': run.step, 'seconds': round(time.perf_counter() - start, 3),
                            'rss': rss_bytes(), 'objects': len(gc.get_objects())})
        return values, ended
    Run.advance = advance
    try:
        status = minigan_main(['train', *argv])
    finally:
        Run.advance = original
    if status != 0:
        raise SystemExit(f"memory: the training run failed with status {status}")
    return samples


def plot(samples, summary, title, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot([s['step'] for s in samples], [s['rss'] / 2 ** 20 for s in samples], lw=1.2)
    ax.axvline(summary['warmup_steps'], color='0.6', ls='--', lw=1, label='end of warm-up')
    ax.axhline(summary['rss_at_warmup_mb'] * 1.05, color='tab:red', ls=':', lw=1, label='+5% of warm-up RSS')
    ax.set(xlabel='step', ylabel='resident memory (MiB)',
           title=f"{title}: {summary['growth_percent']:+.2f}% after warm-up")
    ax.set_ylim(0, max(s['rss'] for s in samples) / 2 ** 20 * 1.15)
    ax.legend(loc='lower right', fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=10_000)
    parser.add_argument('--warmup', type=int, default=1_000, help="steps left out of the growth (default 1000)")
    parser.add_argument('--sample-every', type=int, default=50, metavar='N')
    parser.add_argument('--width', type=int, default=4, help="the DCGAN's width (64 is the published one)")
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--limit', type=int, default=1000, help="digits trained on: epochs of limit/batch steps")
    parser.add_argument('--eval-every', type=int, default=4, metavar='EPOCHS', help="metrics every N epochs")
    parser.add_argument('--out', default=str(ROOT / 'benchmarks' / 'results'), help="folder of the results")
    args = parser.parse_args(argv)
    if not 0 < args.warmup < args.steps:
        parser.error(f"--warmup {args.warmup}: expected 1 to --steps - 1 ({args.steps - 1})")
    run_argv = ['dcgan', '--steps', str(args.steps), '--width', str(args.width), '--batch-size',
                str(args.batch_size), '--limit', str(args.limit), '--eval-every', str(args.eval_every), '--seed', '0']
    cpu0 = time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        samples = sample_while_training([*run_argv, '--out', os.path.join(folder, 'run')], args.sample_every)
    summary = summarize(samples, args.warmup)
    command = 'python benchmarks/memory.py' + (' ' + ' '.join(argv if argv is not None else sys.argv[1:])).rstrip()
    report = {'command': command, 'training': 'python -m minigan train ' + ' '.join(run_argv),
              'machine': platform.platform(), 'cores': os.cpu_count(), 'load_average': os.getloadavg(),
              'wall_seconds': samples[-1]['seconds'], 'cpu_seconds': round(time.process_time() - cpu0, 1),
              **summary, 'samples': samples}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'memory.json').write_text(json.dumps(report, indent=1))
    plot(samples, summary, f"DCGAN width {args.width}, batch {args.batch_size}, {args.steps} steps",
         out / 'memory.png')
    print(f"{args.steps} steps of {report['training']}\n"
          f"RSS {summary['rss_first_mb']:.1f} MiB at step 1, {summary['rss_at_warmup_mb']:.1f} MiB after the "
          f"warm-up ({args.warmup} steps), {summary['rss_last_mb']:.1f} MiB at the end "
          f"(peak {summary['rss_peak_after_warmup_mb']:.1f})\n"
          f"growth after the warm-up: {summary['growth_percent']:+.2f}% (peak {summary['peak_growth_percent']:+.2f}%),"
          f" trend {summary['slope_bytes_per_step']:+.1f} bytes/step; gc-tracked objects "
          f"{summary['objects_at_warmup']} -> {summary['objects_last']}\n"
          f"wall {report['wall_seconds']:.0f} s, CPU {report['cpu_seconds']:.0f} s; "
          f"written: {out / 'memory.json'}, {out / 'memory.png'}")
    return report


if __name__ == '__main__':
    main()
