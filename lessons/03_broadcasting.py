# %% [markdown]
# # Lesson 3 · Broadcasting and reductions
#
# A layer adds one bias vector b (shape (D,)) to a whole batch x (shape (N, D)): `x + b`. Nobody
# copies b N times; the array library *broadcasts* it. The rules (NumPy's, torch's, minigan's):
#
# 1. line the two shapes up on the **right**;
# 2. a missing dimension on the left counts as size 1;
# 3. in each position the sizes must be equal, or one of them 1; the result takes the larger.
#
# So (N, D) with (D,) gives (N, D), (4, 1, 3) with (5, 1) gives (4, 5, 3), and (3,) with (4,) is an
# error. A size-1 dimension is *stretched*: its single value is used at every position along it.
#
# **Backward.** In y[n, d] = x[n, d] + b[d], the single number b[d] took part in N outputs. By
# the chain rule its gradient is the sum of what each use contributed:
#
#     dL/db[d] = Σ_n dL/dy[n, d].
#
# This is general: broadcasting forward is summing backward (the two maps are transposes of each
# other). The gradient of a broadcast input is the output gradient summed over every axis that was
# stretched, which brings it back to the input's shape. Forget the sum and the shapes do not even
# match; sum over the wrong axes and they might, silently.
#
# **Reductions** go the other way. y = x.sum(dim) gives every entry along dim the same gradient:
# broadcast dL/dy back. y = x.mean(dim) does the same divided by the number of entries averaged.
# y = x.max(dim) depends only on the largest entry: the whole gradient goes there (a subgradient;
# the inputs of this lesson have no ties).

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from _checks import Mismatch, call, engine_grads, expect_close, expect_equal, rng
from _course import Lesson

lesson = Lesson('03_broadcasting', 'Broadcasting and reductions')

# %%
batch = mg.ones(4, 3)
bias = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
(batch + bias).sum().backward()
print(bias.grad)     # [4. 4. 4.]: each bias[d] was used by 4 rows

# %% [markdown]
# ## Exercise 1 · the shape of a broadcast

# %%
@lesson.exercise(hint="Pad the shorter shape with 1s on the left; then, position by position, the "
                      "sizes must be equal or one of them 1, and the result keeps the larger.")
def broadcast_shape(shape_a, shape_b):
    """The shape of a + b for arrays of shapes ``shape_a`` and ``shape_b`` (tuples of ints).

    Returns a tuple; raises ValueError if the shapes do not broadcast.
    """
    raise NotImplementedError("lesson 3, exercise broadcast_shape: replace this line with your answer")


@broadcast_shape.check
def check_broadcast_shape(broadcast_shape):
    for a, b in [((2, 3), (3,)), ((4, 1, 3), (5, 1)), ((1,), (2, 2)), ((), (3, 1)), ((6, 1), (1, 7))]:
        try:
            got = call(broadcast_shape, a, b)
        except ValueError as error:
            raise Mismatch(f"broadcast_shape{(a, b)} raised ValueError ({error}), but they broadcast "
                           f"to {np.broadcast_shapes(a, b)}") from None
        expect_equal(tuple(got), np.broadcast_shapes(a, b), what=f"broadcast_shape{(a, b)}",
                     source="np.broadcast_shapes")
    for a, b in [((3,), (4,)), ((2, 3), (3, 2))]:
        try:
            got = call(broadcast_shape, a, b)
        except ValueError:
            continue
        raise Mismatch(f"broadcast_shape{(a, b)} returned {got!r}; these shapes do not broadcast, "
                       "so it should raise ValueError")


# %% [markdown]
# ## Exercise 2 · summing a gradient back to its input's shape
#
# The heart of every broadcasting backward: given the gradient of the (big) result, return the
# gradient of the (small) input. Sum over the extra leading axes, then over each axis where the
# input had size 1, keeping that axis (`keepdims=True`).

# %%
@lesson.exercise(hint="First grad.sum(axis=tuple(range(extra))) for the extra leading axes; then "
                      "sum with keepdims=True over every axis where shape has a 1 and grad does not.")
def sum_to_shape(grad, shape):
    """The gradient of an input of ``shape`` that was broadcast to grad.shape.

    grad: NumPy array of the broadcast shape; shape: a tuple that broadcasts to grad.shape.
    Returns an array of exactly ``shape``: grad summed over every broadcast (stretched) axis.
    """
    raise NotImplementedError("lesson 3, exercise sum_to_shape: replace this line with your answer")


@sum_to_shape.check
def check_sum_to_shape(sum_to_shape):
    r = rng()
    for big, small in [((5, 3), (3,)), ((5, 3), (5, 1)), ((2, 4, 3), (4, 1)), ((2, 3), (1, 1)), ((3,), (3,))]:
        g = r.standard_normal(big)
        got = call(sum_to_shape, g, small)
        ref = engine_grads(lambda t: mg.broadcast_to(t, big), (np.zeros(small),), g)[0]
        expect_close(got, ref, source="minigan's backward of broadcast_to")


# %% [markdown]
# ## Exercise 3 · a linear layer's backward
#
# y = x Wᵀ + b with x (N, I), W (O, I), b (O,): the layer torch and minigan call `Linear`. The
# matrix product's rule is the 2-D version of lesson 1's `mul`: dL/dx = dL/dy · W and
# dL/dW = (dL/dy)ᵀ · x. The bias was broadcast over the batch.

# %%
@lesson.exercise(hint="gx = g @ W, gW = g.T @ x (shape (O, I), like W), and gb: b was broadcast "
                      "over the N rows, so sum g over axis 0.")
def linear_backward(x, W, b, grad_out):
    """The gradients of y = x @ W.T + b: (dL/dx, dL/dW, dL/db) given grad_out = dL/dy.

    x (N, I), W (O, I), b (O,), grad_out (N, O): NumPy arrays. Returns arrays of the shapes of
    x, W and b.
    """
    raise NotImplementedError("lesson 3, exercise linear_backward: replace this line with your answer")


@linear_backward.check
def check_linear_backward(linear_backward):
    r = rng()
    x, W, b, g = r.standard_normal((6, 4)), r.standard_normal((3, 4)), r.standard_normal(3), r.standard_normal((6, 3))
    got = call(linear_backward, x, W, b, g)
    expect_equal(len(got), 3, what="the number of gradients returned")
    ref = engine_grads(F.linear, (x, W, b), g)
    for name, mine, theirs in zip(('dL/dx', 'dL/dW', 'dL/db'), got, ref):
        expect_close(mine, theirs, what=name, source="minigan's backward of F.linear")


# %% [markdown]
# ## Exercise 4 · the backward of a mean
#
# y = x.mean(dim) removed the axis dim. Put it back (size 1), broadcast to x's shape, and divide
# by the number of entries that were averaged.

# %%
@lesson.exercise(hint="np.expand_dims(grad_out, dim) puts the axis back; np.broadcast_to(..., shape) "
                      "stretches it; each entry's share is 1 / shape[dim].")
def mean_backward(grad_out, shape, dim):
    """The gradient of y = x.mean(dim) (keepdim=False) with respect to x of ``shape``.

    grad_out: NumPy array of y's shape (``shape`` without axis ``dim``); dim may be negative.
    Returns an array of ``shape``.
    """
    raise NotImplementedError("lesson 3, exercise mean_backward: replace this line with your answer")


@mean_backward.check
def check_mean_backward(mean_backward):
    r = rng()
    for shape, dim in [((4, 5), 0), ((4, 5), 1), ((2, 3, 4), -1), ((2, 3, 4), 1)]:
        small = shape[:dim % len(shape)] + shape[dim % len(shape) + 1:]
        g = r.standard_normal(small)
        got = call(mean_backward, g, shape, dim)
        ref = engine_grads(lambda t: t.mean(dim), (np.zeros(shape),), g)[0]
        expect_close(got, ref, source="minigan's backward of mean")


# %% [markdown]
# ## Exercise 5 · the backward of a max
#
# y = x.max(dim) takes one entry along dim; the others could move a little without changing y, so
# their gradient is 0. The entry that won gets all of grad_out.

# %%
@lesson.exercise(hint="idx = np.argmax(x, axis=dim); start from zeros like x and put grad_out "
                      "where idx points (np.put_along_axis with np.expand_dims on both).")
def max_backward(x, grad_out, dim):
    """The gradient of y = x.max(dim) (the values, keepdim=False) with respect to x.

    x: NumPy array without ties along dim; grad_out: array of x's shape without axis dim.
    Returns an array of x's shape: grad_out at each argmax, 0 elsewhere.
    """
    raise NotImplementedError("lesson 3, exercise max_backward: replace this line with your answer")


@max_backward.check
def check_max_backward(max_backward):
    r = rng()
    for shape, dim in [((4, 5), 1), ((4, 5), 0), ((2, 3, 4), -1)]:
        x = r.standard_normal(shape)
        small = shape[:dim % len(shape)] + shape[dim % len(shape) + 1:]
        g = r.standard_normal(small)
        got = call(max_backward, x, g, dim)
        ref = engine_grads(lambda t: t.amax(dim), (x,), g)[0]
        expect_close(got, ref, source="minigan's backward of amax")


# %% [markdown]
# ## Demo
#
# The bias gradient in a picture: dL/dy of a batch, and b's gradient as its column sums. Then a
# small linear regression trained with your `linear_backward` (gradient descent on the mean
# squared error), beside one whose bias gradient takes only the first row of the batch.

# %%
def fit(backward, steps, lr=0.1):
    r = np.random.default_rng(3)
    x = r.standard_normal((64, 5))
    W_true, b_true = r.standard_normal((2, 5)), np.array([3.0, -2.0])
    y = x @ W_true.T + b_true + 0.1 * r.standard_normal((64, 2))
    W, b, losses = np.zeros((2, 5)), np.zeros(2), []
    for _ in range(steps):
        err = x @ W.T + b - y
        losses.append(float((err ** 2).mean()))
        _, gW, gb = backward(x, W, b, 2 * err / err.size)   # d mean(err²) / d y
        W, b = W - lr * gW, b - lr * gb
    return losses


@lesson.demo
def demo():
    g = np.random.default_rng(0).standard_normal((8, 5))
    _, _, gb = linear_backward(np.zeros((8, 3)), np.zeros((5, 3)), np.zeros(5), g)
    fig, (a, c, d) = plt.subplots(1, 3, figsize=(14, 4), gridspec_kw=dict(width_ratios=[1, 1, 1.3]))
    im = a.imshow(g, cmap='coolwarm', vmin=-2.5, vmax=2.5)
    a.set(title='dL/dy for a batch of 8 (N x D)', xlabel='d', ylabel='n')
    fig.colorbar(im, ax=a, fraction=0.04)
    c.bar(range(5), gb, color='tab:purple')
    c.set(title='dL/db = column sums of dL/dy', xlabel='d')
    steps = lesson.size(200, quick=40)
    d.semilogy(fit(linear_backward, steps), label='your linear_backward')

    def first_row_only(x, W, b, g):
        return (*linear_backward(x, W, b, g)[:2], g[0])

    d.semilogy(fit(first_row_only, steps), '--', label='bias gradient from row 0 only')
    d.set(title='linear regression by gradient descent', xlabel='step', ylabel='mean squared error')
    d.legend()
    lesson.save(fig, 'bias_gradient.png')


# %%
if __name__ == '__main__':
    lesson.main()
