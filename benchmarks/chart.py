"""The run as a picture: minigan's time over PyTorch's, one bar per kernel and per step.

A bar ending left of the line at 1 is a case where minigan is faster. The axis is logarithmic, as
ratios are: 2x slower and 2x faster lie equally far from the line. Kernels are shown forward
+ backward on the layout they meet in the network (the Adam step: the step itself).
"""
import matplotlib

matplotlib.use('Agg')  # files only, no window: runs on a server and in CI
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402


def ratios(report):
    """[(label, ratio)] for the kernels (network layout) and the steps that have a PyTorch time."""
    bars = []
    for r in report.get('kernels', []):
        if r['layout'] != 'contiguous' or not any(o['name'] == r['name'] and o['layout'] != 'contiguous'
                                                  for o in report['kernels']):
            ratio = r.get('fwdbwd_ratio', r.get('fwd_ratio'))
            if ratio is not None:
                bars.append((r['name'], ratio))
    bars += [(r['name'], r['ratio']) for r in report.get('steps', []) if r['ratio'] is not None]
    return bars


def save(report, path):
    """Write the bar chart to ``path`` (PNG); returns the path, or None when nothing has a ratio."""
    bars = ratios(report)
    if not bars:
        return None
    steps = {r['name'] for r in report.get('steps', [])}
    fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(bars) + 1.3), dpi=90)
    labels, values = zip(*bars)
    colors = ['tab:orange' if name in steps else 'tab:blue' for name in labels]
    ax.barh(range(len(bars)), [v - 1.0 for v in values], left=1.0, color=colors)  # from the line to v
    ax.set_yticks(range(len(bars)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale('log')
    ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter('%g'))
    ax.axvline(1.0, color='black', linewidth=0.8)
    for i, v in enumerate(values):
        ax.text(v, i, f' {v:.2f}', va='center', fontsize=6)
    machine = report['machine']
    ax.set_xlabel('minigan time / PyTorch time (fwd+bwd; whole steps in orange)', fontsize=8)
    ax.set_title(f"minigan vs PyTorch on {report['device']}: {machine['cpu'] or machine['platform']}, "
                 f"{machine['threads']['usable_cores']} cores, {machine['date']}", fontsize=8)
    ax.tick_params(axis='x', labelsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
