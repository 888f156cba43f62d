# %% [markdown]
# # Lesson 5 · Convolution
#
# A convolutional layer slides small filters over an image. At each position a filter covers a
# window of the input; the output there is the sum of the window times the filter, entry by entry,
# plus a bias. For an input x of shape (C, H, W) and O filters w of shape (C, kh, kw):
#
#     y[o, i, j] = b[o] + Σ_{c, a, b'} w[o, c, a, b'] · x[c, i + a, j + b']
#
# One filter makes one output channel, a map of where its pattern appears. (Mathematicians would
# flip the filter first and call this a cross-correlation; deep learning calls it a convolution and
# never flips. minigan and torch agree.)
#
# **A vertical edge.** Take a 5×5 grey image whose left two columns are bright (1) and the rest
# dark (0), and the 3×3 filter with a column of 1s, a column of 0s and a column of −1s. Where the
# window straddles the bright-to-dark boundary the filter answers 3; over flat regions, 0. The
# 3×3 output has its large values exactly where the edge is. A learned network finds its own
# filters, but the first layer of an image network learns ones much like this.
#
# **Size, padding and stride.** A k×k window fits in H − k + 1 positions along a side of H pixels:
# the output shrinks, and an edge pixel is covered by one window while a central one is covered by
# k² of them. **Padding** p adds a frame of zeros so the borders count as much as the centre
# (p = (k − 1)/2 keeps the size). **Stride** s moves the window s pixels at a time, which
# downsamples. Altogether
#
#     out = ⌊(H + 2p − k) / s⌋ + 1.
#
# **im2col.** Written as loops, a convolution is slow in Python. Instead, copy every window of the
# (padded) input into one column of a matrix: cols has shape (C·k·k, OH·OW). Then every filter
# against every window is one matrix product, W (O, C·k·k) @ cols, which BLAS does fast. This is
# how minigan's `F.conv2d` works (ops/conv.py, with a layout of its own).
#
# **Backward**, from y = W @ cols(x) + b and lessons 1 and 3:
#
# - dL/dW = dL/dy @ colsᵀ, summed over the batch;  dL/db = dL/dy summed over batch and positions
#   (b was broadcast over them);
# - dL/dcols = Wᵀ @ dL/dy, and each input pixel was copied into several columns (the windows
#   overlap), so dL/dx adds up every copy's gradient: **col2im**, the adjoint of im2col.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan.data import digits
from _checks import call, engine_grads, expect_close, expect_equal, leaf, rng
from _course import Lesson

lesson = Lesson('05_convolution', 'Convolution')

# %%
image = np.zeros((5, 5))
image[:, :2] = 1.0                                    # bright left, dark right
vertical_edge = np.array([[1.0, 0.0, -1.0]] * 3)
print(F.conv2d(mg.tensor(image[None, None]), mg.tensor(vertical_edge[None, None])).numpy()[0, 0])


def unfold_by_conv(x, kernel_size, stride=1, padding=0):
    """im2col with the engine: a convolution with one-hot filters, one filter per window entry.

    Filter c·k·k + a·k + b copies x[c, a, b] of every window. Used by the checks as the reference.
    """
    N, C = x.shape[:2]
    k = kernel_size
    one_hot = np.eye(C * k * k).reshape(C * k * k, C, k, k)
    y = F.conv2d(leaf(x), leaf(one_hot), stride=stride, padding=padding)
    return y.numpy().reshape(N, C * k * k, -1)


# %% [markdown]
# ## Exercise 1 · the output size

# %%
@lesson.exercise(hint="Padding adds p on *both* sides; count how many window starts fit in the "
                      "padded length and remember the first position: ⌊(H + 2p − k)/s⌋ + 1.")
def conv_output_size(size, kernel_size, stride=1, padding=0):
    """The output length along one side: ⌊(size + 2·padding − kernel_size) / stride⌋ + 1 (an int)."""
    raise NotImplementedError("lesson 5, exercise conv_output_size: replace this line with your answer")


@conv_output_size.check
def check_conv_output_size(conv_output_size):
    for size, k, s, p in [(5, 3, 1, 0), (5, 3, 1, 1), (28, 4, 2, 1), (7, 3, 2, 0), (8, 3, 3, 1), (6, 5, 1, 2)]:
        got = call(conv_output_size, size, k, stride=s, padding=p)
        ref = F.conv2d(mg.zeros(1, 1, size, size), mg.zeros(1, 1, k, k), stride=s, padding=p).shape[-1]
        expect_equal(got, ref, what=f"conv_output_size({size}, {k}, stride={s}, padding={p})",
                     source="the width of F.conv2d's output")


# %% [markdown]
# ## Exercise 2 · a cross-correlation with loops
#
# The definition, on one channel, no padding, stride 1. Slow, and exactly right: the reference
# for everything faster.

# %%
@lesson.exercise(hint="The output has H − kh + 1 rows and W − kw + 1 columns; each entry is "
                      "the sum of one window times the kernel, entry by entry (no flip).")
def cross_correlate(image, kernel):
    """y[i, j] = Σ_{a, b} image[i + a, j + b] · kernel[a, b], for every position the kernel fits.

    image: NumPy array (H, W); kernel: (kh, kw). Returns (H − kh + 1, W − kw + 1).
    """
    raise NotImplementedError("lesson 5, exercise cross_correlate: replace this line with your answer")


@cross_correlate.check
def check_cross_correlate(cross_correlate):
    r = rng()
    for img, ker in [(image, vertical_edge), (r.standard_normal((6, 7)), r.standard_normal((3, 2)))]:
        got = call(cross_correlate, img, ker)
        ref = F.conv2d(leaf(img[None, None]), leaf(ker[None, None]))[0, 0]
        expect_close(got, ref, source="F.conv2d")


# %% [markdown]
# ## Exercise 3 · im2col
#
# Copy each window of the zero-padded input into a column. Row c·k·k + a·k + b of the result
# holds entry (c, a, b) of the windows; column i·OW + j is the window at output position (i, j).
# Loop over the k·k offsets (a, b), not over positions: each offset is one strided slice of the
# padded input, `xpad[:, :, a : a + s·OH : s, b : b + s·OW : s]`.

# %%
@lesson.exercise(hint="Pad once with np.pad; for each kernel offset (a, b) the strided slice "
                      "xpad[:, :, a:a+s*OH:s, b:b+s*OW:s] is entry (a, b) of every window at once. "
                      "Collect the slices in an (N, C, k, k, OH, OW) array and reshape.")
def im2col(x, kernel_size, stride=1, padding=0):
    """The windows of x as columns: cols[n, c·k·k + a·k + b, i·OW + j] = xpad[n, c, i·s + a, j·s + b].

    x: NumPy array (N, C, H, W); square kernel k; xpad is x with ``padding`` zeros on every side.
    Returns (N, C·k·k, OH·OW), with OH, OW from exercise 1.
    """
    raise NotImplementedError("lesson 5, exercise im2col: replace this line with your answer")


@im2col.check
def check_im2col(im2col):
    x = rng().standard_normal((2, 3, 7, 6))
    for k, s, p in [(3, 1, 0), (3, 2, 1), (2, 2, 0), (4, 3, 2)]:
        got = call(im2col, x, k, stride=s, padding=p)
        expect_close(got, unfold_by_conv(x, k, s, p), source="F.conv2d with one-hot filters")


# %% [markdown]
# ## Exercise 4 · a convolution as one matrix product

# %%
@lesson.exercise(hint="weight.reshape(O, -1) @ cols multiplies every filter with every window "
                      "(matmul broadcasts over the batch); add the bias to each filter's row and "
                      "reshape the positions to (OH, OW).")
def conv2d_im2col(x, weight, bias, stride=1, padding=0):
    """F.conv2d by im2col: y[n] = weight.reshape(O, C·k·k) @ cols[n] + bias, reshaped to (O, OH, OW).

    x (N, C, H, W), weight (O, C, k, k), bias (O,): NumPy arrays. Returns (N, O, OH, OW).
    """
    raise NotImplementedError("lesson 5, exercise conv2d_im2col: replace this line with your answer")


@conv2d_im2col.check
def check_conv2d_im2col(conv2d_im2col):
    r = rng()
    x, w, b = r.standard_normal((2, 3, 7, 7)), r.standard_normal((4, 3, 3, 3)), r.standard_normal(4)
    for s, p in [(1, 1), (2, 0), (2, 1)]:
        got = call(conv2d_im2col, x, w, b, stride=s, padding=p)
        ref = F.conv2d(leaf(x), leaf(w), leaf(b), stride=s, padding=p)
        expect_close(got, ref, source="F.conv2d")


# %% [markdown]
# ## Exercise 5 · col2im, the adjoint
#
# Given a gradient for every entry of cols, return the gradient of x: the inverse journey of
# exercise 3. Every window entry goes back to the pixel it was copied from, and **adds** to what
# is there; at the end cut the padding off (a padding zero is not an input).

# %%
@lesson.exercise(hint="im2col's loop run backwards: for each offset, *add* (+=, never =) its "
                      "(N, C, OH, OW) slab into the strided slice of a zero padded image; crop the "
                      "padding at the end.")
def col2im(cols, x_shape, kernel_size, stride=1, padding=0):
    """The adjoint of im2col: dx[n, c, h, w] = Σ of cols entries that im2col copied from (h, w).

    cols: NumPy array (N, C·k·k, OH·OW); x_shape: (N, C, H, W). Returns an array of x_shape.
    """
    raise NotImplementedError("lesson 5, exercise col2im: replace this line with your answer")


@col2im.check
def check_col2im(col2im):
    r = rng()
    shape = (2, 3, 7, 6)
    for k, s, p in [(3, 1, 1), (3, 2, 0), (4, 2, 1), (2, 3, 1)]:
        cols = r.standard_normal(unfold_by_conv(np.zeros(shape), k, s, p).shape)
        got = call(col2im, cols, shape, k, stride=s, padding=p)
        ref = engine_grads(lambda t: F.conv2d(t, leaf(np.eye(shape[1] * k * k).reshape(-1, shape[1], k, k)),
                                              stride=s, padding=p).reshape(shape[0], shape[1] * k * k, -1),
                           (np.zeros(shape),), cols)[0]
        expect_close(got, ref, source="minigan's backward of the one-hot-filter unfold")


# %% [markdown]
# ## Exercise 6 · the backward of a convolution

# %%
@lesson.exercise(hint="Reuse im2col and col2im: dweight sums grad @ colsᵀ over the batch, dx is "
                      "col2im of weightᵀ @ grad, dbias sums grad_out over the batch and every "
                      "position.")
def conv2d_backward(x, weight, grad_out, stride=1, padding=0):
    """The gradients (dL/dx, dL/dweight, dL/dbias) of y = conv2d(x, weight, bias, stride, padding).

    x (N, C, H, W), weight (O, C, k, k), grad_out = dL/dy (N, O, OH, OW): NumPy arrays. Returns
    arrays of shapes (N, C, H, W), (O, C, k, k) and (O,).
    """
    raise NotImplementedError("lesson 5, exercise conv2d_backward: replace this line with your answer")


@conv2d_backward.check
def check_conv2d_backward(conv2d_backward):
    r = rng()
    x, w, b = r.standard_normal((2, 3, 6, 6)), r.standard_normal((4, 3, 3, 3)), r.standard_normal(4)
    for s, p in [(1, 1), (2, 1)]:
        g = r.standard_normal(F.conv2d(leaf(x), leaf(w), stride=s, padding=p).shape)
        got = call(conv2d_backward, x, w, g, stride=s, padding=p)
        expect_equal(len(got), 3, what="the number of gradients returned")
        ref = engine_grads(lambda a, c, d: F.conv2d(a, c, d, stride=s, padding=p), (x, w, b), g)
        for name, mine, theirs in zip(('dL/dx', 'dL/dweight', 'dL/dbias'), got, ref):
            expect_close(mine, theirs, what=name, source="minigan's backward of F.conv2d")


# %% [markdown]
# ## Demo
#
# The 5×5 edge image through your convolutions (plain, padded, strided); how many windows cover
# each pixel with and without padding (col2im of ones); and edge filters on a real digit.

# %%
def show(ax, a, title, numbers=True, cmap=None):
    """An array as an image: grey when it is >= 0, blue-white-red (0 white) when it has signs."""
    signed = a.min() < 0
    limit = np.abs(a).max() if signed else None
    ax.imshow(a, cmap=cmap or ('coolwarm' if signed else 'gray'), vmin=-limit if signed else None, vmax=limit)
    if numbers:
        for (i, j), v in np.ndenumerate(a):
            ax.text(j, i, f"{v:g}", ha='center', va='center', fontsize=8, color='tab:orange')
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


@lesson.demo
def demo():
    x, w = image[None, None], vertical_edge[None, None]
    panels = [(image, 'image 5×5'), (vertical_edge, 'filter 3×3'),
              (cross_correlate(image, vertical_edge), 'output, p=0 s=1: 3×3'),
              (conv2d_im2col(x, w, np.zeros(1), padding=1)[0, 0], 'p=1 s=1: 5×5'),
              (conv2d_im2col(x, w, np.zeros(1), stride=2, padding=1)[0, 0], 'p=1 s=2: 3×3')]
    coverage = [(col2im(np.ones_like(im2col(np.zeros((1, 1, 6, 6)), 3, 1, p)), (1, 1, 6, 6), 3, 1, p)[0, 0],
                 f"windows per pixel, 6×6, p={p}") for p in (0, 1)]
    fig, axes = plt.subplots(1, 7, figsize=(20, 3))
    for ax, (a, title) in zip(axes, panels + coverage):
        show(ax, a, title)
    lesson.save(fig, 'edge_5x5.png')

    digit = (digits('test')[3][0].numpy()[None] + 1) / 2       # (1, 1, 28, 28), background 0 like the padding
    filters = np.stack([vertical_edge, vertical_edge.T])[:, None]   # vertical and horizontal edges
    edges = conv2d_im2col(digit, filters, np.zeros(2), padding=1)[0]
    strided = conv2d_im2col(digit, filters, np.zeros(2), stride=2, padding=1)[0]
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.2))
    show(axes[0], digit[0, 0], 'a digit (28×28)', numbers=False, cmap='gray')
    show(axes[1], edges[0], 'vertical edges, p=1', numbers=False)
    show(axes[2], edges[1], 'horizontal edges, p=1', numbers=False)
    show(axes[3], strided[0], 'vertical edges, p=1 s=2 (14×14)', numbers=False)
    lesson.save(fig, 'edges_digit.png')


# %%
if __name__ == '__main__':
    lesson.main()
