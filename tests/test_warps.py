"""gan/warps.py: the warp matrices against torch's grid_sample (an independent bilinear warp),
the identity, and warp_each's background and choice of warp."""
import math

import numpy as np
import pytest

import minigan as mg
from minigan.gan.warps import warp_each, warp_matrices, warp_matrix

try:
    import torch
except ImportError:  # the reference comparison skips without it
    torch = None


def test_the_warp_that_moves_nothing_is_the_identity():
    m = warp_matrix(5, np.zeros(1), np.zeros(1), np.ones(1))
    np.testing.assert_array_equal(m[0], np.eye(25, dtype=np.float32))


@pytest.mark.skipif(torch is None, reason="torch is the reference")
@pytest.mark.parametrize('angle, shear, zoom', [(0.2, 0.0, 1.0), (-0.25, 0.15, 1.08), (0.1, -0.2, 0.92)])
def test_a_warp_matches_torch_grid_sample(angle, shear, zoom):
    size = 28
    image = np.random.default_rng(0).standard_normal((size, size)).astype(np.float32)
    m = warp_matrix(size, np.array([angle]), np.array([shear]), np.array([zoom]))[0]
    ours = (m @ image.ravel()).reshape(size, size)
    # The output pixel at centred (u, v) reads the input at shear^-1 rotation^-1 (u, v) / zoom;
    # with align_corners=True that is the same linear map on torch's [-1, 1] coordinates.
    c, s = math.cos(angle), math.sin(angle)
    inverse = np.array([[1, -shear], [0, 1]]) @ np.array([[c, s], [-s, c]]) / zoom
    theta = torch.tensor(np.concatenate([inverse, np.zeros((2, 1))], 1), dtype=torch.float32)[None]
    grid = torch.nn.functional.affine_grid(theta, (1, 1, size, size), align_corners=True)
    theirs = torch.nn.functional.grid_sample(torch.tensor(image)[None, None], grid, mode='bilinear',
                                             padding_mode='zeros', align_corners=True)[0, 0].numpy()
    np.testing.assert_allclose(ours, theirs, atol=2e-5)


def test_warp_each_keeps_the_background_and_uses_one_of_the_warps(device):
    matrices = warp_matrices(8, 3, device)
    blank = mg.full((4, 1, 8, 8), -1.0, device=device)
    np.testing.assert_array_equal(warp_each(blank, matrices).numpy(), -1.0)

    images = mg.tensor(np.random.default_rng(1).uniform(-1, 1, (6, 2, 8, 8)).astype(np.float32), device=device)
    warped = warp_each(images, matrices).numpy()
    every = [(((images + 1).reshape(12, 64) @ matrices[:, k * 64:(k + 1) * 64]).reshape(6, 2, 8, 8) - 1).numpy()
             for k in range(3)]
    for n in range(6):  # each image (both its channels) went through one warp, whole
        assert min(np.abs(warped[n] - w[n]).max() for w in every) < 1e-6
