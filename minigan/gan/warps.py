"""Small random affine warps of images, as one constant matrix: a differentiable augmentation.

A warp moves the point (u, v) of an image (centred pixel coordinates, u across, v down) by a
shear, then a rotation, then a zoom:

    (u, v) -> s R(θ) (u + h v, v)        s: zoom, θ: angle, h: shear

The warped image reads each of its pixels from where the inverse map sends it, by bilinear
interpolation between the four nearest source pixels:

    y[p] = sum_q M[p, q] x[q],      M[p, q] = the bilinear weight of source pixel q for pixel p

so a warp is a fixed (P, P) matrix on the flattened image (P = H * W), and warping is a matmul:
linear in x, the transposed matrix its backward, every order of derivative exact. Points that
fall outside the image read the background, -1 (images are in [-1, 1]).

What it is for: InfoGAN's categorical code tends to pick whatever Q reads most easily from G's
images. Where two digits look alike (4 and 9), the code can split them by a style -- slant,
width -- instead of by digit. Asking Q to read the code through a random small warp makes the
styles a warp changes useless for that, which leaves the code the digit's shape (infogan.py).
"""
import math

from .. import backend, creation
from ..generator import Generator
from ..tensor import Tensor
from .models.conv import one_hot


def warp_matrix(size, angle, shear, zoom, device='cpu'):
    """The (count, P, P) float32 array of bilinear weights M[k, p, q] of warps k with parameters
    ``angle`` (radians), ``shear`` and ``zoom`` (1-D arrays of length count) of a size x size image."""
    xp = backend.module_for(device)
    angle, shear, zoom = (xp.asarray(a)[:, None] for a in (angle, shear, zoom))
    count, centre = angle.shape[0], (size - 1) / 2
    rows, columns = xp.meshgrid(xp.arange(size), xp.arange(size), indexing='ij')
    u, v = (columns.ravel() - centre)[None] / zoom, (rows.ravel() - centre)[None] / zoom
    u, v = xp.cos(angle) * u + xp.sin(angle) * v, -xp.sin(angle) * u + xp.cos(angle) * v  # R(θ)^-1
    x, y = u - shear * v + centre, v + centre                  # (count, P): where each pixel reads
    x0, y0 = xp.floor(x), xp.floor(y)
    fx, fy = x - x0, y - y0
    P = size * size
    matrices = xp.zeros((count, P, P), dtype=backend.float32)
    warp, pixel = xp.meshgrid(xp.arange(count), xp.arange(P), indexing='ij')
    for dy, dx, weight in ((0, 0, (1 - fy) * (1 - fx)), (0, 1, (1 - fy) * fx),
                           (1, 0, fy * (1 - fx)), (1, 1, fy * fx)):
        sy, sx = y0 + dy, x0 + dx
        inside = (sy >= 0) & (sy < size) & (sx >= 0) & (sx < size)
        source = (sy * size + sx)[inside].astype(backend.int64)
        matrices[warp[inside], pixel[inside], source] += weight[inside]  # one entry per (k, p) here
    return matrices


def warp_matrices(size, count, device, degrees=15.0, shear=0.2, zoom=0.1, seed=0):
    """A (P, count * P) float32 Tensor: the transposed matrices of ``count`` random warps of a
    size x size image side by side, so that flat images (N, P) @ it = every warp of every image.
    Each warp: a rotation uniform in +-degrees, a shear uniform in +-shear, a zoom uniform in
    1 +- zoom. They come from a stream of their own (``seed``): the same warps in every run, and
    after --resume."""
    draws = creation.rand(count, 3, generator=Generator().manual_seed(seed), device='cpu').array * 2 - 1
    matrices = warp_matrix(size, draws[:, 0] * math.radians(degrees), draws[:, 1] * shear,
                           1 + draws[:, 2] * zoom, device)
    P = size * size
    return Tensor(backend.module_for(device).ascontiguousarray(matrices.transpose(2, 0, 1).reshape(P, count * P)))


def warp_each(images, matrices):
    """Each (C, H, W) image of ``images`` through one of the warps of ``matrices`` (warp_matrices),
    picked at random per image; where a warp brings in pixels from outside, they are -1."""
    N, C, H, W = images.shape
    count = matrices.shape[1] // (H * W)
    every = ((images + 1).reshape(N * C, H * W) @ matrices).reshape(N, C, count, H * W)
    pick = creation.randint(0, count, (N,), device=images.device)
    chosen = one_hot(pick, count, images.dtype).reshape(N, 1, count, 1)
    return (every * chosen).sum(2).reshape(N, C, H, W) - 1
