"""Worked answers to lesson 5, and the plausible wrong answers each check must reject."""
import numpy as np

from _course import WrongAnswers

wrong = WrongAnswers()


def conv_output_size(size, kernel_size, stride=1, padding=0):
    return (size + 2 * padding - kernel_size) // stride + 1


@wrong('conv_output_size', "forgets the + 1 (the first window position)")
def _(size, kernel_size, stride=1, padding=0):
    return (size + 2 * padding - kernel_size) // stride


@wrong('conv_output_size', "pads one side only")
def _(size, kernel_size, stride=1, padding=0):
    return (size + padding - kernel_size) // stride + 1


def cross_correlate(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum()
    return out


@wrong('cross_correlate', "flips the kernel: a true convolution, not what conv2d computes")
def _(image, kernel):
    return cross_correlate(image, kernel[::-1, ::-1])


@wrong('cross_correlate', "one window position short in each direction")
def _(image, kernel):
    return cross_correlate(image, kernel)[:-1, :-1]


def _padded(x, padding):
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


def im2col(x, kernel_size, stride=1, padding=0):
    N, C, H, W = x.shape
    k, s = kernel_size, stride
    oh, ow = conv_output_size(H, k, s, padding), conv_output_size(W, k, s, padding)
    xpad = _padded(x, padding)
    cols = np.empty((N, C, k, k, oh, ow), dtype=x.dtype)
    for a in range(k):
        for b in range(k):
            cols[:, :, a, b] = xpad[:, :, a:a + s * oh:s, b:b + s * ow:s]
    return cols.reshape(N, C * k * k, oh * ow)


@wrong('im2col', "orders the rows by window offset first, channel last")
def _(x, kernel_size, stride=1, padding=0):
    N, C = x.shape[:2]
    k = kernel_size
    cols = im2col(x, k, stride, padding).reshape(N, C, k * k, -1)
    return cols.transpose(0, 2, 1, 3).reshape(N, C * k * k, -1)


@wrong('im2col', "pads only the top and the left")
def _(x, kernel_size, stride=1, padding=0):
    x = np.pad(x, ((0, 0), (0, 0), (padding, 0), (padding, 0)))
    return im2col(x, kernel_size, stride, 0)


def conv2d_im2col(x, weight, bias, stride=1, padding=0):
    N, _, H, W = x.shape
    O, _, k, _ = weight.shape
    oh, ow = conv_output_size(H, k, stride, padding), conv_output_size(W, k, stride, padding)
    y = weight.reshape(O, -1) @ im2col(x, k, stride, padding) + bias[:, None]
    return y.reshape(N, O, oh, ow)


@wrong('conv2d_im2col', "forgets the bias")
def _(x, weight, bias, stride=1, padding=0):
    return conv2d_im2col(x, weight, np.zeros_like(bias), stride, padding)


@wrong('conv2d_im2col', "reshapes the positions column-major: every output map transposed")
def _(x, weight, bias, stride=1, padding=0):
    y = conv2d_im2col(x, weight, bias, stride, padding)
    return y.reshape(y.shape[0], y.shape[1], y.shape[3], y.shape[2]).transpose(0, 1, 3, 2)


def _scatter_windows(cols, x_shape, kernel_size, stride, padding, accumulate=True):
    """The padded image that each window entry of cols is added (or written) back into."""
    N, C, H, W = x_shape
    k, s, p = kernel_size, stride, padding
    oh, ow = conv_output_size(H, k, s, p), conv_output_size(W, k, s, p)
    cols = cols.reshape(N, C, k, k, oh, ow)
    xpad = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=cols.dtype)
    for a in range(k):
        for b in range(k):
            window = xpad[:, :, a:a + s * oh:s, b:b + s * ow:s]
            window[...] = window + cols[:, :, a, b] if accumulate else cols[:, :, a, b]
    return xpad


def col2im(cols, x_shape, kernel_size, stride=1, padding=0):
    H, W, p = x_shape[2], x_shape[3], padding
    return _scatter_windows(cols, x_shape, kernel_size, stride, p)[:, :, p:p + H, p:p + W]


@wrong('col2im', "assigns instead of adding: overlapping windows overwrite each other")
def _(cols, x_shape, kernel_size, stride=1, padding=0):
    H, W, p = x_shape[2], x_shape[3], padding
    return _scatter_windows(cols, x_shape, kernel_size, stride, p, accumulate=False)[:, :, p:p + H, p:p + W]


@wrong('col2im', "forgets to cut the padding off")
def _(cols, x_shape, kernel_size, stride=1, padding=0):
    return _scatter_windows(cols, x_shape, kernel_size, stride, padding)


def conv2d_backward(x, weight, grad_out, stride=1, padding=0):
    N, O = grad_out.shape[:2]
    k = weight.shape[-1]
    g = grad_out.reshape(N, O, -1)
    cols = im2col(x, k, stride, padding)
    dw = np.einsum('nol,nkl->ok', g, cols).reshape(weight.shape)
    dcols = weight.reshape(O, -1).T @ g
    dx = col2im(dcols, x.shape, k, stride, padding)
    return dx, dw, grad_out.sum(axis=(0, 2, 3))


@wrong('conv2d_backward', "sums the bias gradient over the batch only, not over positions")
def _(x, weight, grad_out, stride=1, padding=0):
    dx, dw, _ = conv2d_backward(x, weight, grad_out, stride, padding)
    return dx, dw, grad_out.sum(axis=0)


@wrong('conv2d_backward', "averages the weight gradient over the batch instead of summing")
def _(x, weight, grad_out, stride=1, padding=0):
    dx, dw, db = conv2d_backward(x, weight, grad_out, stride, padding)
    return dx, dw / x.shape[0], db
