"""Quality of GANs on the 2-D mixtures: train one command on several seeds, print a table.

    python benchmarks/quality_2d.py                      # gan on ring8 and grid25 (its default lengths), seeds 0-9
    python benchmarks/quality_2d.py --data ring8 --seeds 0 1 2 -- --steps 2000
    python benchmarks/quality_2d.py --variant wgan-gp --seeds 0    # any variant that takes --data

Each run is ``python -m minigan train VARIANT --data DATA --seed S --out DIR [extra options]``
in a child process with one BLAS thread, so its CPU time (user + sys, from the kernel) is what
the run would take on one quiet core; the wall time beside it grows with the machine's load
(the last column). Each run's row also goes to stderr as it ends, so a long sweep shows progress.
The figures are PacGAN's (minigan/gan/metrics.py): modes with a sample within 3 sigma, the share
of the 2,500 samples within 3 sigma of a mode, and the reverse KL of the mode histogram, read from
the last line of the run's metrics.jsonl. A table per data set: a row per seed, then the mean.
This script is standalone: it imports nothing from minigan and nothing from benchmarks/.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def train(variant, data, seed, out, extra):
    """Run one training; -> the row: seed, modes, high_quality, reverse_kl, cpu_s, wall_s, load (the
    machine's 5-minute load average as the run ends: how crowded the cores were)."""
    command = [sys.executable, '-m', 'minigan', 'train', variant, '--data', data, '--seed', str(seed),
               '--out', out, *extra]
    env = {**os.environ, 'OPENBLAS_NUM_THREADS': '1', 'OMP_NUM_THREADS': '1',
           'PYTHONPATH': ROOT + os.pathsep + os.environ.get('PYTHONPATH', '')}
    started = time.perf_counter()
    # wait4 gives this child's own rusage, also when several children run at once
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"quality_2d: {' '.join(command)} failed:\n{process.stderr.read()[-2000:]}")
    with open(os.path.join(out, 'metrics.jsonl')) as f:
        last = json.loads(f.read().splitlines()[-1])
    row = dict(seed=seed, modes=last['modes'], high_quality=last['high_quality'],
               reverse_kl=last['reverse_kl'], steps=last['step'],
               cpu_s=usage.ru_utime + usage.ru_stime, wall_s=wall, load=os.getloadavg()[1])
    print(f"{variant} {data} {row}", file=sys.stderr, flush=True)
    return row


def table(variant, data, rows, extra):
    """The rows and their mean, as a Markdown table under the command that made them."""
    lines = [f"`python -m minigan train {variant} --data {data} --seed S{''.join(' ' + a for a in extra)}`",
             '', '| seed | modes | high quality | reverse KL | steps | CPU s | wall s | load |',
             '|---:|---:|---:|---:|---:|---:|---:|---:|']
    for r in rows:
        lines.append(f"| {r['seed']} | {r['modes']} | {100 * r['high_quality']:.1f}% | {r['reverse_kl']:.3f} "
                     f"| {r['steps']} | {r['cpu_s']:.0f} | {r['wall_s']:.0f} | {r['load']:.1f} |")
    mean = {key: sum(r[key] for r in rows) / len(rows)
            for key in ('modes', 'high_quality', 'reverse_kl', 'cpu_s', 'wall_s', 'load')}
    lines.append(f"| **mean of {len(rows)}** | **{mean['modes']:.1f}** | **{100 * mean['high_quality']:.1f}%** "
                 f"| **{mean['reverse_kl']:.3f}** | | {mean['cpu_s']:.0f} | {mean['wall_s']:.0f} | {mean['load']:.1f} |")
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     epilog="options after -- go to every training command")
    parser.add_argument('--variant', default='gan', help="the variant to train (default: gan)")
    parser.add_argument('--data', nargs='+', default=['ring8', 'grid25'], choices=['ring8', 'grid25'],
                        help="the mixtures (default: both)")
    parser.add_argument('--seeds', nargs='+', type=int, default=list(range(10)),
                        help="the seeds (default: 0 to 9)")
    # one at a time by default: two training runs at once on a 2-core machine shared with others
    # slow every other process down, and each run's CPU time is the figure that counts
    parser.add_argument('--jobs', type=int, default=1, help="runs at a time (default: 1)")
    parser.add_argument('--out', default=None, help="folder for the runs (default: a temporary one)")
    args, extra = parser.parse_known_args(argv)
    extra = [a for a in extra if a != '--']
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    folder = args.out or tempfile.mkdtemp(prefix='quality_2d-')
    for data in args.data:
        outs = [os.path.join(folder, f"{args.variant}-{data}-s{seed}") for seed in args.seeds]
        with ThreadPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(lambda so: train(args.variant, data, so[0], so[1], extra),
                                 zip(args.seeds, outs)))
        print(table(args.variant, data, rows, extra) + '\n', flush=True)
    print(f"runs in {folder}", file=sys.stderr)


if __name__ == '__main__':
    main()
