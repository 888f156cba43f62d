# %% [markdown]
# # Lesson 6 · Pooling, upsampling and transposed convolution
#
# A discriminator shrinks an image to one number; a generator grows a vector into an image. Both
# need to change resolution.
#
# **Pooling** summarises each k×k block of a feature map by one number: its **max** (was the
# pattern anywhere in the block?) or its **average**. With k = 2 it halves height and width and
# has no parameters. Max pooling's backward sends the gradient to the entry that won (lesson 3).
#
# **Upsampling** goes the other way, also without parameters. **Nearest** copies each pixel into an
# s×s block. **Bilinear** gives each new pixel a weighted average of the four nearest old ones, by
# distance. Which distance depends on where the pixels are taken to sit: minigan and torch (with
# `align_corners=False`) put the *centre* of output pixel o at
#
#     src = (o + 0.5) / s − 0.5   in input pixel coordinates, clamped at 0,
#
# then blend input pixels i0 = ⌊src⌋ and i1 = min(i0 + 1, n − 1) with weights 1 − λ and λ, where
# λ = src − i0. Along rows, then along columns: bilinear is separable.
#
# **Transposed convolution** is upsampling with learned weights. Each input pixel stamps a copy of
# the k×k kernel, scaled by its value, into the output; stamps are s pixels apart and add where
# they overlap. Then `padding` p crops p pixels from every side. The output size is
#
#     out = (H − 1)·s − 2p + k + output_padding.
#
# Why "transposed"? A convolution is a linear map x ↦ y = C x, with C a big sparse matrix. Its
# backward multiplies by Cᵀ: dL/dx = Cᵀ dL/dy. A transposed convolution with the same weight *is*
# that map y ↦ Cᵀ y. So conv_transpose2d(y, w) equals the gradient of conv2d(x, w) with respect to
# x, handed dL/dy = y; minigan computes each one's backward with the other.
#
# **Checkerboards.** If k is not a multiple of s, the stamps overlap unevenly. With k = 3 and
# s = 2, output pixels alternately receive 1 and 2 stamps; in 2-D that makes a grid of bright
# and dark pixels even when the input and the kernel are constant. A generator must then learn to
# cancel the pattern, and often does not quite. Two cures: k a multiple of s (DCGAN uses k = 4,
# s = 2), or resize first (nearest or bilinear) and follow with an ordinary convolution.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan import nn
from minigan.data import digits
from _checks import call, expect_close, expect_equal, leaf, rng
from _course import Lesson

lesson = Lesson('06_pool_upsample', 'Pooling, upsampling and transposed convolution')

# %%
# conv_transpose2d is the gradient of conv2d: the same numbers by two roads
x5 = mg.randn(1, 2, 5, 5, requires_grad=True)      # a 5×5 input, 2 channels
w3 = mg.randn(4, 2, 3, 3)                          # conv2d: 2 -> 4 channels
y3 = mg.randn(1, 4, 3, 3)                          # a gradient for conv2d's 3×3 output
(by_grad,) = mg.grad(F.conv2d(x5, w3, stride=2, padding=1), x5, grad_outputs=y3)
by_transpose = F.conv_transpose2d(y3, w3, stride=2, padding=1)   # 3×3 -> 5×5
print("largest difference:", (by_grad - by_transpose).abs().max().item())

# %% [markdown]
# ## Exercise 1 · max pooling

# %%
@lesson.exercise(hint="x.reshape(N, C, H // k, k, W // k, k) puts each block on axes 3 and 5; "
                      "take .max over those two axes.")
def max_pool2d(x, kernel_size):
    """Max over non-overlapping k×k blocks: y[n, c, i, j] = max of x[n, c, k·i : k·i + k, k·j : k·j + k].

    x: NumPy array (N, C, H, W), H and W multiples of k. Returns (N, C, H/k, W/k).
    """
    raise NotImplementedError("lesson 6, exercise max_pool2d: replace this line with your answer")


@max_pool2d.check
def check_max_pool2d(max_pool2d):
    x = rng().standard_normal((2, 3, 8, 6))
    for k in (2, 3):
        got = call(max_pool2d, x[:, :, :8 // k * k, :6 // k * k], k)
        expect_close(got, F.max_pool2d(leaf(x[:, :, :8 // k * k, :6 // k * k]), k), source="F.max_pool2d")


# %% [markdown]
# ## Exercise 2 · nearest upsampling

# %%
@lesson.exercise(hint="np.repeat(x, s, axis=2) then np.repeat(..., s, axis=3): each pixel becomes "
                      "an s×s block (np.tile would repeat the whole image instead).")
def upsample_nearest(x, scale):
    """Each pixel copied into a scale×scale block: y[n, c, i, j] = x[n, c, i // scale, j // scale].

    x: NumPy array (N, C, H, W); scale: an int. Returns (N, C, H·scale, W·scale).
    """
    raise NotImplementedError("lesson 6, exercise upsample_nearest: replace this line with your answer")


def check_upsampling(answer, **mode):
    """An upsampling answer (x, scale) against F.interpolate(x, scale_factor=scale, **mode)."""
    x = rng().standard_normal((2, 2, 4, 5))
    for s in (2, 3):
        got = call(answer, x, s)
        expect_close(got, F.interpolate(leaf(x), scale_factor=s, **mode),
                     source=f"F.interpolate({', '.join(f'{k}={v!r}' for k, v in mode.items())})")


@upsample_nearest.check
def check_upsample_nearest(upsample_nearest):
    check_upsampling(upsample_nearest, mode='nearest')


# %% [markdown]
# ## Exercise 3 · bilinear upsampling
#
# Work out, for one axis, the two source indices and the weight λ of every output index (the
# formula at the top); blend rows, then blend columns the same way.

# %%
@lesson.exercise(hint="Compute i0, i1 and λ for every output index of one axis at once (NumPy "
                      "arrays, the formula in the docstring); blend along axis 2 with them, then do "
                      "the same along axis 3. Do not forget the clamp at 0.")
def upsample_bilinear(x, scale):
    """Bilinear upsampling by an int factor, half-pixel centres (torch's align_corners=False).

    Along an axis of n pixels, output o reads src = max((o + 0.5)/scale − 0.5, 0),
    i0 = ⌊src⌋, i1 = min(i0 + 1, n − 1), λ = src − i0: value (1 − λ)·x[i0] + λ·x[i1].
    x: NumPy array (N, C, H, W). Returns (N, C, H·scale, W·scale).
    """
    raise NotImplementedError("lesson 6, exercise upsample_bilinear: replace this line with your answer")


@upsample_bilinear.check
def check_upsample_bilinear(upsample_bilinear):
    check_upsampling(upsample_bilinear, mode='bilinear', align_corners=False)


# %% [markdown]
# ## Exercise 4 · the size of a transposed convolution

# %%
@lesson.exercise(hint="Stamps start s apart: the last one starts at (H − 1)·s and is k wide; then "
                      "padding crops p from both sides and output_padding adds to one.")
def conv_transpose_output_size(size, kernel_size, stride=1, padding=0, output_padding=0):
    """The output length of a transposed convolution: (size − 1)·stride − 2·padding + kernel_size + output_padding."""
    raise NotImplementedError("lesson 6, exercise conv_transpose_output_size: replace this line with your answer")


@conv_transpose_output_size.check
def check_conv_transpose_output_size(conv_transpose_output_size):
    for n, k, s, p, op in [(4, 4, 2, 1, 0), (7, 3, 2, 1, 1), (1, 4, 1, 0, 0), (5, 3, 1, 1, 0), (3, 5, 3, 2, 2)]:
        got = call(conv_transpose_output_size, n, k, stride=s, padding=p, output_padding=op)
        ref = F.conv_transpose2d(mg.zeros(1, 1, n, n), mg.zeros(1, 1, k, k), stride=s, padding=p,
                                 output_padding=op).shape[-1]
        expect_equal(got, ref, what=f"conv_transpose_output_size({n}, {k}, stride={s}, padding={p}, "
                                    f"output_padding={op})", source="the width of F.conv_transpose2d's output")


# %% [markdown]
# ## Exercise 5 · a transposed convolution by stamping
#
# For every input position (i, j): the stamp of all its channels is
# Σ_ci y[n, ci, i, j] · w[ci, co, :, :], a (N, Cout, k, k) block (`np.einsum('nc,cokl->nokl', ...)`),
# added into the full output at rows i·s … i·s + k − 1 and columns j·s … j·s + k − 1. Crop
# `padding` from every side at the end.

# %%
@lesson.exercise(hint="Start from zeros of the uncropped size, (H − 1)·s + k each way; add each "
                      "position's stamp at rows i·s … i·s + k − 1 (and columns likewise); crop p "
                      "from every side at the end. Do not flip the kernel.")
def conv_transpose2d(y, weight, stride=1, padding=0):
    """F.conv_transpose2d(y, weight, stride=stride, padding=padding) without bias.

    y: NumPy array (N, Cin, H, W); weight: (Cin, Cout, k, k) (torch's layout for transposed
    convolutions). Returns (N, Cout, (H − 1)·stride − 2·padding + k, (W − 1)·stride − 2·padding + k).
    """
    raise NotImplementedError("lesson 6, exercise conv_transpose2d: replace this line with your answer")


@conv_transpose2d.check
def check_conv_transpose2d(conv_transpose2d):
    r = rng()
    y, w = r.standard_normal((2, 3, 4, 5)), r.standard_normal((3, 2, 3, 3))
    for s, p in [(1, 0), (2, 0), (2, 1), (3, 1)]:
        got = call(conv_transpose2d, y, w, stride=s, padding=p)
        expect_close(got, F.conv_transpose2d(leaf(y), leaf(w), stride=s, padding=p),
                     source="F.conv_transpose2d")


# %% [markdown]
# ## Exercise 6 · counting overlapping stamps
#
# In one dimension, with n_in input pixels, a kernel of k ones and stride s: how many stamps cover
# each output pixel? The unevenness of this count is the checkerboard.

# %%
@lesson.exercise(hint="Start from zeros of the output length and add 1 over each stamp's k pixels; "
                      "stamp i starts at i·s.")
def overlap_counts(n_in, kernel_size, stride):
    """How many stamps cover each output pixel of a 1-D transposed convolution without padding.

    Returns an int array of length (n_in − 1)·stride + kernel_size.
    """
    raise NotImplementedError("lesson 6, exercise overlap_counts: replace this line with your answer")


@overlap_counts.check
def check_overlap_counts(overlap_counts):
    for n, k, s in [(5, 3, 2), (5, 4, 2), (4, 3, 1), (3, 2, 3), (6, 5, 2)]:
        got = call(overlap_counts, n, k, s)
        ref = F.conv_transpose2d(mg.ones(1, 1, 1, n), mg.ones(1, 1, 1, k), stride=(1, s))[0, 0, 0]
        expect_close(got, ref, source="F.conv_transpose2d of ones with a kernel of ones")


# %% [markdown]
# ## Demo
#
# Pooling and upsampling a digit; then checkerboards: your transposed convolution of a constant
# image with a constant kernel, for k = 3 and k = 4 at stride 2, the stamp counts behind them, and
# a randomly initialised `nn.ConvTranspose2d` beside nearest-upsampling + `nn.Conv2d`, both on a
# smooth input.

# %%
def imshow(ax, a, title):
    ax.imshow(a, cmap='gray', interpolation='nearest')
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


@lesson.demo
def demo():
    digit = digits('test')[7][0].numpy()[None].astype(np.float64)          # (1, 1, 28, 28)
    small = max_pool2d(digit, 2)
    fig, axes = plt.subplots(1, 5, figsize=(15, 3.3))
    for ax, (a, title) in zip(axes, [(digit, 'digit 28×28'), (small, 'max pool k=2: 14×14'),
                                     (F.avg_pool2d(leaf(digit), 2).numpy(), 'average pool k=2: 14×14'),
                                     (upsample_nearest(small, 2), 'max pool, then nearest ×2'),
                                     (upsample_bilinear(small, 2), 'max pool, then bilinear ×2')]):
        imshow(ax, a[0, 0], title)
    lesson.save(fig, 'pool_upsample.png')

    flat = np.ones((1, 1, 8, 8))
    fig, axes = plt.subplots(1, 5, figsize=(17, 3.6))
    for ax, k in zip(axes[:2], (3, 4)):
        out = conv_transpose2d(flat, np.ones((1, 1, k, k)), stride=2, padding=1)
        imshow(ax, out[0, 0], f"constant input, k={k} s=2: values {out.min():g}…{out.max():g}")
    for k, style in [(3, 'o-'), (4, 's--')]:
        axes[2].plot(overlap_counts(8, k, 2), style, label=f"k={k}, s=2")
    axes[2].set(title='stamps per output pixel (1-D)', xlabel='output pixel', ylim=(0, 3.3))
    axes[2].legend()
    mg.manual_seed(0)
    smooth = F.interpolate(mg.randn(1, 8, 4, 4), scale_factor=4, mode='bilinear')   # (1, 8, 16, 16)
    transposed = nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1)
    resize_conv = nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(8, 1, 3, padding=1))
    with mg.no_grad():
        imshow(axes[3], transposed(smooth)[0, 0].numpy(), 'random ConvTranspose2d k=3 s=2')
        imshow(axes[4], resize_conv(smooth)[0, 0].numpy(), 'random nearest ×2 + Conv2d k=3')
    lesson.save(fig, 'checkerboard.png')


# %%
if __name__ == '__main__':
    lesson.main()
