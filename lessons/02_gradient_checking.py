# %% [markdown]
# # Lesson 2 · Gradient checking
#
# A backward rule that is wrong still returns numbers of the right shape, and a network trained
# with it still moves; it just learns worse, or not at all. The only way to trust a backward is to
# compare it with something that knows nothing of its formula: the definition of the derivative.
#
# **Finite differences.** Taylor's formula gives
#
#     f(x + h) = f(x) + h f'(x) + h²/2 f''(x) + h³/6 f'''(x) + ...
#
# so the *forward* difference (f(x + h) − f(x)) / h is off by about h/2 · f''(x): an error of
# order h. Subtract the same expansion at x − h and the even terms cancel: the *central* difference
#
#     (f(x + h) − f(x − h)) / (2h) = f'(x) + h²/6 · f'''(x) + ...
#
# is off by order h². With h = 1e-4 that is ~1e-9 instead of ~1e-4.
#
# **Why float64.** h cannot be made as small as we like: f is computed with a relative rounding
# error u (u ≈ 6e-8 in float32, 1.1e-16 in float64), and dividing the difference of two nearly
# equal numbers by 2h magnifies that error to about u·|f| / h. The total error
# h²/6 · |f'''| + u·|f| / h is smallest near h ≈ u^(1/3): in float32 that is h ≈ 5e-3 with an error
# of 1e-6 to 1e-5 (as large as the error of many real bugs), in float64 h ≈ 5e-6 with an error
# of 1e-11 or less.
# So gradient checks run in float64; the demo plots both curves.
#
# **Many inputs, many outputs.** For x with n entries we need 2n evaluations of f: fine for the
# small inputs of a test. For an output y = f(x) with many entries, check one scalar instead,
# s(x) = Σ y · v with a fixed *random* v. Its gradient is vᵀJ (J the Jacobian), which the backward
# computes when handed grad_out = v. A wrong entry of J changes vᵀJ for almost every v, but not
# for every v: with v = all ones, a backward that mixes up entries of grad_out can hide.
# `minigan.gradcheck` does all of this; in this lesson you build it, then use it to find a bug.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
from _checks import call, called, describe, expect, expect_close, rng
from _course import Lesson

lesson = Lesson('02_gradient_checking', 'Gradient checking')

# %% [markdown]
# ## Exercise 1 · central differences
#
# Perturb one entry of x at a time, in place, and put it back afterwards: the caller's array must
# come back unchanged (a gradient check that moves its input tests the wrong point).

# %%
@lesson.exercise(hint="Loop over np.ndindex(x.shape); set x[i] to old + eps and evaluate f, then to "
                      "old - eps and evaluate again; restore x[i] = old; divide the difference by "
                      "2 * eps.")
def central_difference(f, x, eps=1e-6):
    """The numeric gradient of a scalar function: g[i] = (f(x + eps·e_i) − f(x − eps·e_i)) / (2 eps).

    f: takes a float64 NumPy array of x's shape, returns a float. x: float64 array of any shape
    (perturbed in place and restored). Returns a float64 array of x's shape.
    """
    raise NotImplementedError("lesson 2, exercise central_difference: replace this line with your answer")


@central_difference.check
def check_central_difference(central_difference):
    x = rng().uniform(-2, 2, (3, 4))
    before = x.copy()

    def f(a):
        return float(np.sum(np.sin(a) * a ** 2))

    got = call(central_difference, f, x, 1e-4)
    expect(np.array_equal(x, before), "central_difference changed x: put each entry back after "
                                      "perturbing it")
    closed_form = np.cos(x) * x ** 2 + 2 * x * np.sin(x)   # d/dx sin(x) x²
    expect_close(got, closed_form, atol=1e-6, rtol=1e-6, source="the closed form cos(x) x² + 2x sin(x)")


# %% [markdown]
# ## Exercise 2 · a gradient check
#
# Compare minigan's gradient of s(x) = Σ fn(x) · v with the central differences of s, for a random
# v. Build the analytic side with the engine (`mg.tensor(x, requires_grad=True)`, then
# `mg.grad(s, x_tensor)` or `s.backward()`), the numeric side with exercise 1 (or the same loop).
# Keep everything float64.

# %%
@lesson.exercise(hint="Draw v once (standard normal, a fixed seed, float64). s(a) = (fn(mg.tensor(a)) "
                      "* mg.tensor(v)).sum(); the analytic gradient is mg.grad(s, t) at "
                      "t = mg.tensor(x, requires_grad=True); the numeric one is exercise 1 applied "
                      "to a -> s(a).item().")
def gradient_error(fn, x, eps=1e-6):
    """How far minigan's gradient of fn is from finite differences, projected on a random vector.

    fn: Tensor -> Tensor (any output shape). x: float64 NumPy array. With v a random float64
    array of fn's output shape, s(x) = sum(fn(x) * v). Returns the float max_i |ds/dx_i (autograd)
    − ds/dx_i (central differences)|.
    """
    raise NotImplementedError("lesson 2, exercise gradient_error: replace this line with your answer")


class DoubleIt(mg.Function):
    """y = 2x, whose backward is right: grad_in = 2 · grad_out."""

    def forward(self, x):
        return 2 * x

    def backward(self, grad_out):
        return 2 * grad_out


class BrokenDoubleIt(DoubleIt):
    """y = 2x, whose backward averages the incoming gradient: right only when grad_out is constant."""

    def backward(self, grad_out):
        return 2 * grad_out.mean() * mg.ones_like(grad_out)


@gradient_error.check
def check_gradient_error(gradient_error):
    # the op under test comes last, so the gradient it receives is exactly the projection v
    x = rng().standard_normal((3, 4))
    good = call(gradient_error, lambda t: DoubleIt()(mg.tanh(t) * t), x)
    expect(isinstance(good, (float, np.floating)) or np.ndim(good) == 0,
           f"gradient_error returned {type(good).__name__}; expected a float")
    expect(float(good) < 1e-7, f"gradient_error says a correct backward is off by {float(good):.3g}; "
                               "expected < 1e-7 (is everything float64? is eps 1e-6?)")
    bad = call(gradient_error, lambda t: BrokenDoubleIt()(mg.tanh(t) * t), x)
    expect(float(bad) > 1e-2, f"gradient_error says a backward that averages grad_out is off by only "
                              f"{float(bad):.3g}; its true error is > 0.1. Is v random, not all ones?")


# %% [markdown]
# ## Exercise 3 · find the bug
#
# Here is a softmax along the last axis, y_i = e^(x_i) / Σ_j e^(x_j), as a minigan `Function`:
# `forward` works on NumPy arrays, `backward` maps grad_out to grad_in with Tensor ops. Its first
# backward, `first_try_softmax_backward`, looks reasonable: it is the derivative of a sigmoid,
# y(1 − y), applied entry by entry. Run `gradient_error(softmax_with(first_try_softmax_backward),
# x)` once your exercise 2 passes: it is far from zero.
#
# The bug: y_i depends on *every* x_j through the sum in the denominator. The Jacobian is
# ∂y_i/∂x_j = y_i (δ_ij − y_j), with δ_ij = 1 if i = j else 0. Write the correct backward:
# grad_in_j = Σ_i grad_out_i · ∂y_i/∂x_j.

# %%
class Softmax(mg.Function):
    """Softmax along the last axis, with the backward rule it is given."""

    def __init__(self, backward_rule):
        self.backward_rule = backward_rule

    def forward(self, x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))   # minus the max: same y, no overflow
        return e / e.sum(axis=-1, keepdims=True)

    def backward(self, grad_out):
        return self.backward_rule(self.output(), grad_out)


def softmax_with(backward_rule):
    """x -> softmax(x) whose backward is ``backward_rule(y, grad_out)``."""
    return lambda x: Softmax(backward_rule)(x)


def first_try_softmax_backward(y, grad_out):
    return grad_out * y * (1 - y)


@lesson.exercise(hint="Expand Σ_i g_i y_i (δ_ij − y_j): the δ term keeps only i = j; the other term "
                      "holds the same Σ_i g_i y_i for every j (a sum over the last axis, kept as a "
                      "column with keepdim=True).")
def softmax_backward(y, grad_out):
    """The correct backward of y = softmax(x) along the last axis: grad_in_j = Σ_i grad_out_i y_i (δ_ij − y_j).

    y, grad_out: Tensors of shape (..., K); use Tensor ops (y * g, .sum(-1, keepdim=True)...).
    Returns the Tensor grad_in of shape (..., K).
    """
    raise NotImplementedError("lesson 2, exercise softmax_backward: replace this line with your answer")


@softmax_backward.check
def check_softmax_backward(softmax_backward):
    x = mg.tensor(rng().standard_normal((3, 5)), requires_grad=True)
    called(f"mg.gradcheck(softmax_with(softmax_backward), x: {describe(x)})")
    mg.gradcheck(softmax_with(softmax_backward), (x,))   # raises GradcheckError, naming the worst entry


# %% [markdown]
# ## Demo
#
# Left: the error of forward and central differences of sin at x = 1 as h shrinks, in float32
# and float64: the V shapes of truncation error (falling with h) meeting rounding error (rising as
# h shrinks). Right: what your gradient check says about the two softmax backwards.

# %%
def difference_errors(dtype, steps):
    x, exact = dtype(1.0), np.cos(1.0)
    forward = [abs(float((np.sin(x + dtype(h)) - np.sin(x)) / dtype(h)) - exact) for h in steps]
    central = [abs(float((np.sin(x + dtype(h)) - np.sin(x - dtype(h))) / (2 * dtype(h))) - exact)
               for h in steps]
    return np.maximum(forward, 1e-17), np.maximum(central, 1e-17)


@lesson.demo
def demo():
    steps = np.logspace(-12, 0, 97)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for dtype, style in [(np.float32, '--'), (np.float64, '-')]:
        forward, central = difference_errors(dtype, steps)
        left.loglog(steps, forward, style, color='tab:orange', label=f"forward, {dtype.__name__}")
        left.loglog(steps, central, style, color='tab:blue', label=f"central, {dtype.__name__}")
        best = steps[np.argmin(central)]
        print(f"  {dtype.__name__}: the best central step is h = {best:.1e}, error {central.min():.1e}")
    left.set(xlabel='step h', ylabel="|numeric - exact| for d/dx sin(x) at 1",
             title='finite differences: truncation meets rounding')
    left.legend(fontsize=8)

    x = rng().standard_normal((4, 6))
    errors = {'first try': gradient_error(softmax_with(first_try_softmax_backward), x),
              'yours': gradient_error(softmax_with(softmax_backward), x)}
    for name, error in errors.items():
        print(f"  softmax backward, {name}: gradient error {error:.2e}")
    right.bar(list(errors), [max(e, 1e-17) for e in errors.values()], color=['tab:red', 'tab:green'])
    right.set_yscale('log')
    right.set(ylabel='largest |autograd - central difference|', title='checking the softmax backward')
    lesson.save(fig, 'finite_differences.png')


# %%
if __name__ == '__main__':
    lesson.main()
