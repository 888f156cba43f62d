"""python -m benchmarks: the machine's ceilings, then kernels and whole steps, minigan vs PyTorch.

    python -m benchmarks                       # every device present; writes results/<device>.json, .png
    python -m benchmarks --device cpu          # one device
    python -m benchmarks --only steps          # only the whole steps (results/<device>-steps.json)
    python -m benchmarks --match conv2d        # only the kernels and steps whose name contains 'conv2d'
    python -m benchmarks --quick               # tiny sizes, a few repeats: seconds; writes nothing
    python -m benchmarks --markdown            # also print the README's tables

A run sets no environment variable: it runs as a user's training script runs. PyTorch gets one
thread per usable core (torch.set_num_threads; one in a --quick run), NumPy's BLAS its default
(every core).
"""
import argparse
import time
from pathlib import Path

import minigan as mg
from minigan.ops.parallel import cores

from . import chart, kernels, machine, report, steps
from .sides import torch

RESULTS = Path(__file__).resolve().parent / 'results'
PARTS = ('kernels', 'steps')


def devices(choice):
    """The devices a run covers: 'all' is the CPU, and CUDA when minigan can use a GPU."""
    if choice != 'all':
        return [choice]
    return ['cpu'] + (['cuda'] if mg.cuda.is_available() else [])


def run_device(device, args):
    """One device's report, printed as it goes: ceilings first, then the parts asked for."""
    clock, cpu = time.perf_counter(), time.process_time()
    parts = [args.only] if args.only else list(PARTS)
    result = dict(device=device, quick=args.quick, parts=parts, load_average=dict(start=machine.load_average()),
                  machine=machine.describe(device), ceilings=machine.ceilings(device, args.quick), repeats={})
    print(report.header(result), flush=True)
    named = lambda name: args.match is None or args.match in name  # noqa: E731
    if 'kernels' in parts:
        repeats, warmup = kernels.default_repeats(args.quick, args.repeats, args.warmup)
        result['repeats']['kernels'], result['kernels'] = repeats, []
        report.print_kernel_head(result)
        for case in (c for c in kernels.CASES if named(c['name'])):
            rows = kernels.time_case(case, device, args.quick, repeats, warmup, result['ceilings'])
            result['kernels'] += rows
            print('\n'.join(report.kernel_line(r) for r in rows), flush=True)
    if 'steps' in parts:
        repeats, warmup = steps.default_repeats(args.quick, args.repeats, args.warmup)
        result['repeats']['steps'], result['steps'] = repeats, []
        report.print_step_head(result)
        for kind in (k for k, spec in steps.STEPS.items() if named(spec[0]) or named(k)):
            result['steps'].append(steps.time_step(kind, device, args.quick, repeats, warmup))
            print(report.step_line(result['steps'][-1]), flush=True)
    result['load_average']['end'] = machine.load_average()
    result.update(seconds=time.perf_counter() - clock, cpu_seconds=time.process_time() - cpu)
    print(f"load average at the end: {report.fmt_load(result['load_average']['end'])}; {device} took "
          f"{result['seconds']:.0f} s ({result['cpu_seconds']:.0f} s of CPU time, all threads)")
    return result


def out_dir(args):
    """Where the files go: --out, or benchmarks/results for a full-size, unfiltered run; else nowhere."""
    if args.out is not None:
        return Path(args.out) if args.out else None
    return None if args.quick or args.match else RESULTS


def parser():
    p = argparse.ArgumentParser(prog='python -m benchmarks', description=__doc__.split('\n\n')[0])
    p.add_argument('--device', choices=('all', 'cpu', 'cuda'), default='all',
                   help="where minigan (and PyTorch) run; 'all': the CPU and, when present, the GPU")
    p.add_argument('--quick', action='store_true', help='tiny sizes and few repeats: a smoke run of seconds')
    p.add_argument('--only', choices=PARTS, help='only the kernels or only the whole steps')
    p.add_argument('--match', metavar='TEXT', help='only the kernels and steps whose name contains TEXT')
    p.add_argument('--repeats', type=int, help='timed repeats (default: kernels 20, steps 20)')
    p.add_argument('--warmup', type=int, help='untimed runs first (default: kernels 3, steps 3)')
    p.add_argument('--out', metavar='DIR', help='folder for <device>.json and .png (default benchmarks/results; '
                   "'' for none; --quick and --match write only when given)")
    p.add_argument('--markdown', action='store_true', help="also print the README's Markdown tables")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if args.device == 'cuda' and not mg.cuda.is_available():
        parser().error("--device cuda: minigan sees no GPU (it needs CuPy and a CUDA device)")
    if torch is not None:  # a smoke run on one thread: on a busy machine, every parallel region of a tiny
        torch.set_num_threads(1 if args.quick else cores())  # call waits tens of ms for a descheduled worker
    folder, reports = out_dir(args), []
    for device in devices(args.device):
        result = run_device(device, args)
        if args.markdown:
            print('\n' + report.markdown(result))
        if folder is not None:
            kind = device + (f'-{args.only}' if args.only else '')
            print(f"wrote {report.write_json(result, folder / f'{kind}.json')}")
            png = chart.save(result, folder / f'{kind}.png')
            print(f"wrote {png}" if png else 'no chart: no PyTorch times to compare with')
        print()
        reports.append(result)
    return reports


if __name__ == '__main__':
    main()
