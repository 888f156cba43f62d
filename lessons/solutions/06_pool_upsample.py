"""Worked answers to lesson 6, and the plausible wrong answers each check must reject."""
import numpy as np

from _course import WrongAnswers

wrong = WrongAnswers()


def max_pool2d(x, kernel_size):
    N, C, H, W = x.shape
    k = kernel_size
    return x.reshape(N, C, H // k, k, W // k, k).max(axis=(3, 5))


@wrong('max_pool2d', "averages each block: that is average pooling")
def _(x, kernel_size):
    N, C, H, W = x.shape
    k = kernel_size
    return x.reshape(N, C, H // k, k, W // k, k).mean(axis=(3, 5))


@wrong('max_pool2d', "reshapes with the block axes first: pools pixels k apart, not neighbours")
def _(x, kernel_size):
    N, C, H, W = x.shape
    k = kernel_size
    return x.reshape(N, C, k, H // k, k, W // k).max(axis=(2, 4))


def upsample_nearest(x, scale):
    return np.repeat(np.repeat(x, scale, axis=2), scale, axis=3)


@wrong('upsample_nearest', "tiles the whole image instead of repeating each pixel")
def _(x, scale):
    return np.tile(x, (1, 1, scale, scale))


def _bilinear_axis(x, scale, axis, align_corners=False):
    n = x.shape[axis]
    o = np.arange(n * scale)
    if align_corners:
        src = o * (n - 1) / (n * scale - 1)
    else:
        src = np.maximum((o + 0.5) / scale - 0.5, 0)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = src - i0
    shape = [1] * x.ndim
    shape[axis] = -1
    lam = lam.reshape(shape)
    return (1 - lam) * np.take(x, i0, axis=axis) + lam * np.take(x, i1, axis=axis)


def upsample_bilinear(x, scale):
    return _bilinear_axis(_bilinear_axis(x, scale, 2), scale, 3)


@wrong('upsample_bilinear', "align_corners=True: the corner pixels' centres pinned to each other")
def _(x, scale):
    return _bilinear_axis(_bilinear_axis(x, scale, 2, True), scale, 3, True)


@wrong('upsample_bilinear', "no clamp at 0: the first outputs read index -1, the far edge")
def _(x, scale):
    def axis_blend(a, axis):
        n = a.shape[axis]
        src = (np.arange(n * scale) + 0.5) / scale - 0.5
        i0 = np.floor(src).astype(int)
        i1 = np.minimum(i0 + 1, n - 1)
        shape = [1] * a.ndim
        shape[axis] = -1
        lam = (src - i0).reshape(shape)
        return (1 - lam) * np.take(a, i0, axis=axis) + lam * np.take(a, i1, axis=axis)
    return axis_blend(axis_blend(x, 2), 3)


def conv_transpose_output_size(size, kernel_size, stride=1, padding=0, output_padding=0):
    return (size - 1) * stride - 2 * padding + kernel_size + output_padding


@wrong('conv_transpose_output_size', "the convolution's formula, as if it also shrank")
def _(size, kernel_size, stride=1, padding=0, output_padding=0):
    return (size + 2 * padding - kernel_size) // stride + 1


@wrong('conv_transpose_output_size', "forgets output_padding")
def _(size, kernel_size, stride=1, padding=0, output_padding=0):
    return (size - 1) * stride - 2 * padding + kernel_size


def conv_transpose2d(y, weight, stride=1, padding=0):
    N, _, H, W = y.shape
    k, s, p = weight.shape[-1], stride, padding
    full = np.zeros((N, weight.shape[1], (H - 1) * s + k, (W - 1) * s + k))
    for i in range(H):
        for j in range(W):
            full[:, :, i * s:i * s + k, j * s:j * s + k] += np.einsum('nc,cokl->nokl', y[:, :, i, j], weight)
    return full[:, :, p:full.shape[2] - p, p:full.shape[3] - p]


@wrong('conv_transpose2d', "flips the kernel, as a textbook convolution would")
def _(y, weight, stride=1, padding=0):
    return conv_transpose2d(y, weight[:, :, ::-1, ::-1], stride, padding)


@wrong('conv_transpose2d', "crops the padding from the top and left only")
def _(y, weight, stride=1, padding=0):
    full = conv_transpose2d(y, weight, stride, 0)
    return full[:, :, 2 * padding:, 2 * padding:]


def overlap_counts(n_in, kernel_size, stride):
    counts = np.zeros((n_in - 1) * stride + kernel_size, dtype=int)
    for i in range(n_in):
        counts[i * stride:i * stride + kernel_size] += 1
    return counts


@wrong('overlap_counts', "assumes every pixel gets k / s stamps, rounded up")
def _(n_in, kernel_size, stride):
    return np.full((n_in - 1) * stride + kernel_size, -(-kernel_size // stride))


@wrong('overlap_counts', "sets the count to 1 over each stamp instead of adding 1")
def _(n_in, kernel_size, stride):
    counts = np.zeros((n_in - 1) * stride + kernel_size, dtype=int)
    for i in range(n_in):
        counts[i * stride:i * stride + kernel_size] = 1
    return counts
