"""Pictures: the grid puts each image in its cell, and every plot writes a PNG."""
import numpy as np
import pytest

import minigan as mg
from minigan import viz
from minigan.data import mixture_geometry


def test_grid_places_images_row_by_row_in_the_unit_range():
    images = np.full((5, 1, 2, 3), -1.0, np.float32)
    for i in range(5):
        images[i, 0, 0, 0] = i / 4 * 2 - 1  # a marker pixel: 0, 0.25, ... 1 after rescaling
    grid = viz.grid_array(mg.tensor(images), columns=2, pad=1)
    assert grid.shape == (3 * 3 + 1, 2 * 4 + 1)  # 3 rows (the last half empty), cells 2x3 + padding
    for i in range(5):
        top, left = 1 + (i // 2) * 3, 1 + (i % 2) * 4
        assert grid[top, left] == pytest.approx(i / 4)
        assert grid[top + 1, left + 2] == 0.0  # background -1 -> black
    assert (grid[7:9, 5:8] == 1.0).all()  # the missing sixth cell stays white
    rgb = viz.grid_array(np.zeros((2, 3, 4, 4), np.float32), columns=2)
    assert rgb.shape[-1] == 3
    with pytest.raises(ValueError, match=r"expected images \(N, 1 or 3, H, W\)"):
        viz.grid_array(np.zeros((2, 28, 28), np.float32))


def test_every_picture_is_written(tmp_path):
    centres, sigma = mixture_geometry('ring8')
    points = mg.tensor(np.random.default_rng(0).normal(size=(300, 2)).astype(np.float32))
    paths = [viz.image_grid(mg.zeros(10, 1, 28, 28), str(tmp_path / 'grid.png'), columns=5),
             viz.loss_curves({'step': [1, 2, 3], 'loss_d': [1.0, 0.5, 0.7], 'loss_g': [2.0, 1.0, 1.5]},
                             str(tmp_path / 'losses.png'), title='test'),
             viz.points_2d(points, str(tmp_path / 'points.png'), centres, sigma)]
    for path in paths:
        with open(path, 'rb') as f:
            assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_points_far_outside_the_modes_window_still_make_a_picture(tmp_path):
    # a diverged generator: every sample beyond the window around the modes (an empty histogram)
    centres, sigma = mixture_geometry('ring8')
    path = viz.points_2d(mg.full((50, 2), 40.0), str(tmp_path / 'far.png'), centres, sigma)
    with open(path, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
