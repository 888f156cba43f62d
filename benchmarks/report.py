"""A run's results as text: the printed tables, Markdown tables for the README, and the JSON file.

In every table a ratio is minigan's median time over PyTorch's on the same device (below 1:
minigan is faster); '-' marks what was not measured (no PyTorch, or no FLOP count).
"""
import json
from pathlib import Path

from . import timing


def fmt(value, spec):
    """``value`` formatted by ``spec``; a missing one as '-' in the same width."""
    if value is not None:
        return format(value, spec)
    width = ''.join(ch for ch in spec.split('.')[0] if ch.isdigit())
    return format('-', '>' + width)


def ms(timing):
    return None if timing is None else timing['median_ms']


def header(report):
    m, c = report['machine'], report['ceilings']
    t = m['threads']
    blas = ', '.join(f"{b['config'].split()[0]} {b['config'].split()[1]} {b['threads']} threads"
                     for b in t['openblas']) or 'BLAS threads unknown'
    load = report['load_average']
    return '\n'.join([
        f"{m['date']}  {m['cpu'] or m['platform']}  {t['usable_cores']} cores"
        + (f"  GPU {m['gpu']}" if m['gpu'] else ''),
        f"versions: {', '.join(f'{k} {v}' for k, v in m['versions'].items() if v)}"
        + (f"; commit {m['commit']}" if m['commit'] else ''),
        f"threads: {blas}; torch {t['torch']}; minigan's block pool {t['usable_cores']}",
        f"ceilings on {report['device']}: sgemm {c['sgemm_n']}^3 {c['sgemm_gflops']:.1f} GFLOP/s "
        f"(torch: {fmt(c['torch_sgemm_gflops'], '.1f')}); copy {c['copy_gbps']['one_thread']:.1f} GB/s on one "
        f"thread, {c['copy_gbps']['all_cores']:.1f} on all cores",
        f"load average (1, 5, 15 min) at the start: {fmt_load(load['start'])}",
    ])


def fmt_load(load):
    return '-' if load is None else ' '.join(f'{v:.2f}' for v in load)


KERNEL_HEAD = (f"{'kernel':38} {'layout':10} {'fwd ms':>8} {'torch':>7} {'ratio':>5} {'fwd+bwd':>8} {'torch':>7} "
               f"{'ratio':>5} {'vs contig':>9} {'floor':>6} {'x flr':>5} {'GFLOP/s':>7} {'%sgemm':>6} "
               f"{'GB/s':>5} {'%copy':>5}")


def kernel_line(r):
    return (f"{r['name']:38} {r['layout']:10} {fmt(ms(r['minigan_fwd']), '8.2f')} {fmt(ms(r['torch_fwd']), '7.2f')} "
            f"{fmt(r['fwd_ratio'], '5.2f')} {fmt(ms(r.get('minigan_fwdbwd')), '8.2f')} "
            f"{fmt(ms(r.get('torch_fwdbwd')), '7.2f')} {fmt(r.get('fwdbwd_ratio'), '5.2f')} "
            f"{fmt(r.get('fwdbwd_vs_contiguous', r.get('fwd_vs_contiguous')), '9.2f')} "
            f"{fmt(ms(r.get('gemm_floor_fwdbwd')), '6.2f')} {fmt(r.get('fwdbwd_over_floor'), '5.2f')} "
            f"{fmt(r.get('fwdbwd_gflops'), '7.1f')} {fmt(r.get('pct_of_sgemm'), '6.1f')} "
            f"{fmt(r.get('fwdbwd_gbps'), '5.1f')} {fmt(r.get('pct_of_copy'), '5.1f')}")


def step_line(r):
    cells = []
    for side in ('minigan', 'torch'):
        t = r.get(side)
        cells.append(f"{t['median_ms']:9.1f} ({t['min_ms']:6.1f}-{t['max_ms']:<6.1f})" if t else f"{'-':>24}")
    agree = {None: '-', True: 'yes', False: 'NO: different steps'}[r['losses_agree']]
    return f"{r['name']:28} {cells[0]} {cells[1]} {fmt(r['ratio'], '5.2f')}  {agree}"


def print_kernel_head(report):
    print(f"\nkernels, ms: median of {report['repeats']['kernels']} in interleaved blocks (min-max in the "
          "JSON); fwd+bwd = input and weight gradients; floor: the kernel's matrix products alone")
    print(KERNEL_HEAD)
    print('-' * len(KERNEL_HEAD))


def print_step_head(report):
    print(f"\nwhole steps, ms: median (min-max) of {report['repeats']['steps']}, in runs of up to {timing.RUN_LENGTH} "
          "steps, the libraries in turn")
    print(f"{'step':28} {'minigan ms (min-max)':>24} {'torch ms (min-max)':>24} {'ratio':>5}  first losses agree")


def rate(r):
    """'41.2 GFLOP/s (60%)' of sgemm, '3.1 GB/s (50%)' of copy, or '' where neither is counted."""
    if r.get('fwdbwd_gflops') is not None:
        return f"{r['fwdbwd_gflops']:.1f} GFLOP/s ({r['pct_of_sgemm']:.0f}%)"
    if r.get('fwdbwd_gbps') is not None:
        return f"{r['fwdbwd_gbps']:.1f} GB/s ({r['pct_of_copy']:.0f}%)"
    return ''


def markdown(report):
    """The README's tables: steps, then kernels (fwd+bwd, on the layout met in the network)."""
    lines = ['| step | minigan ms (min-max) | torch ms (min-max) | ratio |', '|---|---:|---:|---:|']
    for r in report.get('steps', []):
        span = lambda t: '-' if t is None else f"{t['median_ms']:.1f} ({t['min_ms']:.0f}-{t['max_ms']:.0f})"  # noqa: E731
        lines.append(f"| {r['name']} | {span(r.get('minigan'))} | {span(r.get('torch'))} | {fmt(r['ratio'], '.2f')} |")
    lines += ['', '| fwd+bwd | layout | minigan ms | torch ms | ratio | GEMM floor ms | rate (% of ceiling) |',
              '|---|---|---:|---:|---:|---:|---:|']
    for r in report.get('kernels', []):
        if r['layout'] == 'contiguous' and any(o['name'] == r['name'] and o['layout'] != 'contiguous'
                                               for o in report['kernels']):
            continue  # the network's layout is the row that matters; the JSON has both
        cells = [fmt(ms(r.get('minigan_fwdbwd', r['minigan_fwd'])), '.2f'),
                 fmt(ms(r.get('torch_fwdbwd', r['torch_fwd'])), '.2f'),
                 fmt(r.get('fwdbwd_ratio', r['fwd_ratio']), '.2f'), fmt(ms(r.get('gemm_floor_fwdbwd')), '.2f'), rate(r)]
        lines.append(f"| {r['name']} | {r['layout']} | " + ' | '.join(c.strip() for c in cells) + ' |')
    return '\n'.join(lines)


def write_json(report, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1))
    return path
