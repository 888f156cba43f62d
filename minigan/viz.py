"""Pictures of training: sample grids, loss curves, and 2-D samples over the true modes.

Every function writes a PNG file and returns its path. They draw with matplotlib's Agg canvas
directly (``Figure`` + ``FigureCanvasAgg``), never through pyplot, so they work without a display
and leave the backend of a notebook that imports them alone.

    image_grid(images, path, columns)   (N, C, H, W) in [−1, 1] → a grid, one image per cell
    loss_curves(history, path)          {'step': [...], 'loss_d': [...], ...} → one panel per loss
    points_2d(points, path, centers, sigma)   a scatter and a density of (N, 2) samples, with the
                                        mixture's modes and their 3σ circles
"""
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from . import backend
from .errors import ShapeError
from .tensor import Tensor

PAD = 2  # pixels between grid cells


def _write_png(figure, path):
    """Render ``figure`` into the PNG file ``path``, then let go of what the drawing holds.

    A Figure and its canvas refer to each other, so once the function returns they are freed by
    Python's cycle collector alone, whose full passes are rare: a training run drawing pictures
    every epoch kept dozens of them, with their pixel buffers, waiting (+100 MB of resident memory
    after 20 loss-curve and grid pictures; benchmarks/memory.py). Dropping the renderer (the
    pixels) and the figure's artists (the plotted data) now frees nearly all of it at once.
    """
    canvas = FigureCanvasAgg(figure)
    canvas.print_png(path)
    canvas.renderer = None
    figure.clear()
    return path


def _host(values):
    """A host array from a Tensor or an array on any device."""
    return backend.to_numpy(values.array if isinstance(values, Tensor) else values)


def grid_array(images, columns=8, pad=PAD):
    """(N, C, H, W) in [−1, 1] → one (rows·(H+pad)+pad, columns·(W+pad)+pad[, 3]) array in [0, 1],
    the images left to right, top to bottom; an incomplete last row is left blank."""
    x = _host(images)
    if x.ndim != 4 or x.shape[1] not in (1, 3):
        raise ShapeError(f"image_grid: expected images (N, 1 or 3, H, W), got shape {tuple(x.shape)}")
    n, c, h, w = x.shape
    columns = max(1, min(columns, n))
    rows = math.ceil(n / columns)
    xp = backend.xp_of(x)
    canvas = xp.ones((c, rows * (h + pad) + pad, columns * (w + pad) + pad), dtype=backend.float32)
    x = ((x.clip(-1.0, 1.0) + 1.0) / 2.0).astype(backend.float32)
    for i in range(n):
        top, left = pad + (i // columns) * (h + pad), pad + (i % columns) * (w + pad)
        canvas[:, top:top + h, left:left + w] = x[i]
    return canvas[0] if c == 1 else canvas.transpose(1, 2, 0)


def image_grid(images, path, columns=8, scale=2):
    """Write a grid of ``images`` (N, C, H, W) in [−1, 1] to ``path``, each pixel scale × scale."""
    grid = grid_array(images, columns)
    grid = grid.repeat(scale, 0).repeat(scale, 1)
    height, width = grid.shape[:2]
    figure = Figure(figsize=(width / 100, height / 100), dpi=100)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.imshow(grid, cmap='gray', vmin=0.0, vmax=1.0, interpolation='nearest')
    axes.set_axis_off()
    return _write_png(figure, path)


def _smooth(values, window):
    """Running mean over ``window`` points (shorter at the start), as a list."""
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def loss_curves(history, path, title=None):
    """One panel per logged quantity against the step: the raw values faint, a running mean over
    ~1% of the steps on top (a GAN's losses are noisy: the trend is what tells)."""
    steps = list(history['step'])
    names = [k for k in history if k != 'step']
    figure = Figure(figsize=(6.4, 0.4 + 1.6 * max(1, len(names))), dpi=100)
    figure.subplots_adjust(left=0.13, right=0.97, top=1 - 0.3 / figure.get_figheight(),
                           bottom=0.45 / figure.get_figheight(), hspace=0.15)
    window = max(1, len(steps) // 100)
    for i, name in enumerate(names):
        axes = figure.add_subplot(len(names), 1, i + 1, sharex=figure.axes[0] if i else None)
        axes.tick_params(labelbottom=i == len(names) - 1)
        values = [float(v) for v in history[name]]
        axes.plot(steps, values, color='tab:blue', alpha=0.25, linewidth=0.8)
        axes.plot(steps, _smooth(values, window), color='tab:blue', linewidth=1.5)
        axes.set_ylabel(name)
        axes.grid(alpha=0.3)
    if names:
        figure.axes[-1].set_xlabel('step')
        if title:
            figure.axes[0].set_title(title)
    return _write_png(figure, path)


def points_2d(points, path, centers=None, sigma=None, title=None):
    """Scatter and density of 2-D samples (N, 2), over the true modes: grey crosses at the centres
    and red circles of radius 3σ (a sample inside one is of "high quality" in the PacGAN protocol).
    The density is a 2-D histogram on a log colour scale, so a handful of stray samples shows."""
    p = _host(points)
    figure = Figure(figsize=(9, 4.4), dpi=100)
    figure.subplots_adjust(left=0.06, right=0.98, top=0.93, bottom=0.07, wspace=0.15)
    scatter, density = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    scatter.scatter(p[:, 0], p[:, 1], s=4, alpha=0.5, color='tab:blue', linewidths=0, zorder=2)
    if centers is not None:
        c = _host(centers)
        span = max(float(abs(c).max()) * 1.5, 1.0)
        for axes in (scatter, density):
            axes.scatter(c[:, 0], c[:, 1], marker='+', color='0.5', s=40, linewidths=0.8, zorder=1)
            for x, y in c if sigma else ():
                axes.add_patch(Circle((x, y), 3 * sigma, fill=False, color='tab:red', linewidth=0.8,
                                      zorder=3))
    else:
        span = float(abs(p).max()) * 1.1 or 1.0
    window = [[-span, span], [-span, span]]
    counts, _, _ = backend.xp_of(p).histogram2d(p[:, 0], p[:, 1], bins=100, range=window)
    # vmax at least 1: when every sample lies outside the window (a generator diverged far from
    # the modes) the histogram is all zeros, and LogNorm(vmin=0.5) alone would fail on vmax 0
    density.imshow(counts.T, origin='lower', extent=(-span, span, -span, span), cmap='Blues',
                   interpolation='nearest', norm=LogNorm(vmin=0.5, vmax=max(float(counts.max()), 1.0)),
                   aspect='equal', zorder=0)
    for axes, name in ((scatter, f'{len(p)} samples'), (density, 'density (log)')):
        axes.set_xlim(-span, span)
        axes.set_ylim(-span, span)
        axes.set_aspect('equal')
        axes.set_title(name if title is None else f'{title}: {name}')
    return _write_png(figure, path)
