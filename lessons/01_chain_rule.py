# %% [markdown]
# # Lesson 1 · Tensors, graphs and the chain rule
#
# Every number a network computes is made from other numbers by a handful of simple operations.
# Write them down as a graph: one node per value, an arrow from each input of an operation to its
# result. For a single neuron, `o = tanh(w1·x1 + w2·x2 + b)`:
#
#     x1 ─┐                         b ─┐
#         (*) ── w1·x1 ─┐              │
#     w1 ─┘             (+) ── s ─────(+) ── n ── (tanh) ── o
#     x2 ─┐             │
#         (*) ── w2·x2 ─┘
#     w2 ─┘
#
# Training needs the derivative of one final number L (here o; later a loss) with respect to
# every input. The **chain rule** says how derivatives compose: if L depends on x only through
# y = f(x), then dL/dx = dL/dy · dy/dx. If x feeds several nodes, its influence on L is the sum of
# its influences through each of them:
#
#     dL/dx = Σ over the consumers y of x   dL/dy · ∂y/∂x.
#
# **Reverse mode** (backpropagation) evaluates this from the output back: start with dL/dL = 1 at
# the output; each node, once it knows dL/d(itself), multiplies by its *local* derivatives and
# passes dL/d(input) to each input. One backward pass gives the derivative with respect to every
# input, for about the cost of the forward pass. Each operation only needs a local rule:
#
#     given grad_out = dL/d(out), return dL/d(in_i) = grad_out · ∂out/∂in_i  for each input i.
#
# A node may pass its gradient on only once it has received the gradient of *every* consumer
# (otherwise it passes on part of a sum). Visiting the nodes in reverse **topological order**
# (every node after all the nodes computed from it) guarantees that.
#
# minigan does exactly this on tensors: a `Tensor` holds an array and the node (`grad_fn`) that
# made it; `loss.backward()` sorts the graph and runs each node's backward. In this lesson you
# build the same machine on plain numbers, then compare it with minigan's.
#
# Run `python lessons/01_chain_rule.py` to check your answers; `python lessons/01_chain_rule.py
# mul_backward` checks one.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
from _checks import call, engine_grads, expect, expect_close, expect_equal, rng
from _course import Lesson

lesson = Lesson('01_chain_rule', 'Tensors, graphs and the chain rule')

# %% [markdown]
# ## A tensor remembers how it was made
#
# Before building our own, look at minigan's. `requires_grad=True` marks the inputs we want
# derivatives for; every result made from them records its `grad_fn`.

# %%
x0 = mg.tensor(0.5, requires_grad=True, dtype=mg.float64)
w0 = mg.tensor(-2.0, requires_grad=True, dtype=mg.float64)
y0 = mg.tanh(w0 * x0)
print(y0)               # tensor(-0.76159..., grad_fn=<TanhBackward>)
y0.backward()           # dy/dx = (1 - tanh(wx)^2) · w,  dy/dw = (1 - tanh(wx)^2) · x
print(x0.grad, w0.grad)

# %% [markdown]
# ## A micro-engine on numbers
#
# `Node` below is our own tensor: a value (a float, or a NumPy array: every operation here is
# elementwise), the nodes it was made from, and a `rule` that maps dL/d(this node) to the
# gradients of its parents. The operators `+`, `*` and `.tanh()` build nodes whose rules are the
# three functions you write next.

# %%
class Node:
    """A value in a graph: ``value``, ``parents`` (the Nodes it was computed from), ``op`` (its
    operation, '' for an input), ``rule`` (grad_out -> one gradient per parent) and ``grad``."""

    def __init__(self, value, parents=(), op='', rule=None, label=''):
        self.value, self.parents, self.op, self.rule, self.label = value, tuple(parents), op, rule, label
        self.grad = None

    def __add__(self, other):
        return Node(self.value + other.value, (self, other), '+',
                    lambda g: add_backward(self.value, other.value, g))

    def __mul__(self, other):
        return Node(self.value * other.value, (self, other), '*',
                    lambda g: mul_backward(self.value, other.value, g))

    def tanh(self):
        out = np.tanh(self.value)
        return Node(out, (self,), 'tanh', lambda g: (tanh_backward(self.value, out, g),))

    def backward(self):
        """dself/d(every node of the graph), into each node's .grad."""
        backward(topological_order(self))

    def __repr__(self):
        return f"Node({self.label or self.op or 'input'}, value={self.value!r}, grad={self.grad!r})"


# %% [markdown]
# ## Exercise 1 · the local rules of `+`, `*` and `tanh`
#
# For out = a + b, nudging a by δ moves out by δ; for out = a · b it moves out by b·δ. And
# tanh'(x) = 1 − tanh(x)², which the forward pass has already computed: a backward rule may use
# the saved output instead of recomputing it.

# %%
@lesson.exercise(hint="out = a + b moves one for one with a and with b: both gradients are grad_out "
                      "(times 1). Return a pair, in the order (a, b).")
def add_backward(a, b, grad_out):
    """The gradients of out = a + b: (dL/da, dL/db) = (grad_out · ∂out/∂a, grad_out · ∂out/∂b).

    a, b, grad_out: floats, or NumPy arrays of one shape. Returns a pair of the same shape.
    """
    raise NotImplementedError("lesson 1, exercise add_backward: replace this line with your answer")


def check_binary_rule(rule, op):
    """A rule (a, b, grad_out) -> (dL/da, dL/db) against minigan's backward of ``op``."""
    a, b, g = rng().standard_normal((3, 5))
    got = call(rule, a, b, g)
    expect(isinstance(got, (tuple, list)) and len(got) == 2, f"the rule returned {got!r}; expected a pair")
    ref = engine_grads(op, (a, b), g)
    expect_close(got[0], ref[0], what='dL/da', source="minigan's autograd")
    expect_close(got[1], ref[1], what='dL/db', source="minigan's autograd")


@add_backward.check
def check_add_backward(add_backward):
    check_binary_rule(add_backward, mg.add)


# %%
@lesson.exercise(hint="∂(a·b)/∂a is b and ∂(a·b)/∂b is a: each input's gradient is grad_out times "
                      "the *other* input.")
def mul_backward(a, b, grad_out):
    """The gradients of out = a · b: (dL/da, dL/db) = (grad_out · ∂out/∂a, grad_out · ∂out/∂b).

    a, b, grad_out: floats, or NumPy arrays of one shape. Returns a pair of the same shape.
    """
    raise NotImplementedError("lesson 1, exercise mul_backward: replace this line with your answer")


@mul_backward.check
def check_mul_backward(mul_backward):
    check_binary_rule(mul_backward, mg.mul)


# %%
@lesson.exercise(hint="tanh'(x) = 1 - tanh(x)^2, and tanh(x) is `out`; then multiply by grad_out "
                      "(the chain rule).")
def tanh_backward(x, out, grad_out):
    """The gradient of out = tanh(x): dL/dx = grad_out · (1 − tanh(x)²), with tanh(x) = out.

    x, out, grad_out: floats, or NumPy arrays of one shape. Returns dL/dx of that shape.
    """
    raise NotImplementedError("lesson 1, exercise tanh_backward: replace this line with your answer")


@tanh_backward.check
def check_tanh_backward(tanh_backward):
    x = np.linspace(-3, 3, 7)
    g = rng().standard_normal(7)
    got = call(tanh_backward, x, np.tanh(x), g)
    expect_close(got, engine_grads(mg.tanh, (x,), g)[0], source="minigan's autograd")
    h = 1e-6  # and the same against central differences, which know nothing of tanh's formula
    expect_close(got, g * (np.tanh(x + h) - np.tanh(x - h)) / (2 * h), atol=1e-8,
                 source="central differences")


# %% [markdown]
# ## Exercise 2 · the order of the backward pass
#
# Return every node of the graph once, each after all of its parents: a topological order. The
# output comes last, so walking the list backwards visits every consumer before what it consumes.
# A depth-first search does it: visit a node's parents first (recursively), then append the node;
# remember the nodes already visited, because a node reached by two paths must appear once.

# %%
@lesson.exercise(hint="Depth-first search: append a node only after visiting all its parents, and "
                      "keep a set of the nodes already visited so a shared node is added once.")
def topological_order(root):
    """Every node ``root`` depends on (and root itself), each exactly once, parents before children.

    root: a Node; follow ``node.parents``. Returns a list of Nodes whose last element is root.
    """
    raise NotImplementedError("lesson 1, exercise topological_order: replace this line with your answer")


@topological_order.check
def check_topological_order(topological_order):
    # a graph where `a` is used twice and `c` is reached by a short and a long path
    a, b = Node(2.0, label='a'), Node(3.0, label='b')
    c = Node(0.0, (a, b), '*', label='c')
    d = Node(0.0, (c, a), '+', label='d')
    e = Node(0.0, (d,), 'tanh', label='e')
    root = Node(0.0, (e, c), '*', label='root')
    everything = {a, b, c, d, e, root}
    got = call(topological_order, root)
    expect(isinstance(got, list), f"topological_order returned a {type(got).__name__}; expected a list")
    names = [getattr(n, 'label', '?') for n in got]
    expect_equal(sorted(names), sorted(n.label for n in everything),
                 what="the nodes returned (sorted by label)", source="each node of the graph once")
    position = {id(n): i for i, n in enumerate(got)}
    for node in got:
        for parent in node.parents:
            expect(position[id(parent)] < position[id(node)],
                   f"the order {names} puts {node.label} before its parent {parent.label}")
    expect(got[-1] is root, f"the order {names} does not end with the root")


# %% [markdown]
# ## Exercise 3 · backward
#
# With the order in hand, backpropagation is a loop: set every gradient to zero and the output's
# to one (dL/dL = 1); then, from the output back, hand each node's gradient to its parents through
# its rule, **adding** to what they already have (a parent with two consumers gets two
# contributions). The order is given to you: the check builds it from the order the nodes were
# created in, which is always topological (a node cannot be made before its inputs).

# %%
@lesson.exercise(hint="Zeros everywhere, ones at order[-1]; walk reversed(order) and give each parent "
                      "its share with p.grad = p.grad + g: add, never overwrite (a node used twice "
                      "collects two contributions).")
def backward(order):
    """Fill ``node.grad`` = d(output)/d(node) for every node in ``order``.

    order: a list of Nodes, parents before children, the output last. A node with parents has a
    ``rule``: rule(grad_out) -> a tuple of gradients, one per parent. Gradients have the shape of
    the node's value (use ``np.ones_like`` / ``np.zeros_like``). Returns nothing.
    """
    raise NotImplementedError("lesson 1, exercise backward: replace this line with your answer")


def engine_node(op, parents, label=''):
    """A Node whose value and rule come from minigan (so that this check needs none of your rules)."""
    values = [p.value for p in parents]
    value = op(*(mg.tensor(v, dtype=mg.float64) for v in values)).numpy()
    return Node(value, parents, op.__name__, lambda g: engine_grads(op, values, g), label)


@backward.check
def check_backward(backward):
    r = rng()
    x1, w1, x2, w2, b = (Node(r.standard_normal(3), label=n) for n in ('x1', 'w1', 'x2', 'w2', 'b'))
    p1, p2 = engine_node(mg.mul, (x1, w1)), engine_node(mg.mul, (x2, w2))
    s = engine_node(mg.add, (p1, p2))
    n = engine_node(mg.add, (s, b))
    used_twice = engine_node(mg.mul, (n, x1))       # x1 and n feed two nodes each
    o = engine_node(mg.tanh, (used_twice,))
    order = [x1, w1, x2, w2, b, p1, p2, s, n, used_twice, o]
    call(backward, order)
    leaves = [mg.tensor(v.value, requires_grad=True) for v in (x1, w1, x2, w2, b)]
    t1, tw1, t2, tw2, tb = leaves
    mg.tanh((t1 * tw1 + t2 * tw2 + tb) * t1).sum().backward()
    for node, ref in zip((x1, w1, x2, w2, b), leaves):
        expect_close(node.grad, ref.grad, what=f"{node.label}.grad", source="minigan's backward")


# %% [markdown]
# ## Putting it together
#
# `Node.backward()` is `backward(topological_order(self))`. The demo builds the neuron from the
# top of the lesson, runs your backward, compares every gradient with minigan's, and draws the
# graph with each node's value and gradient (lessons/out/01_chain_rule/graph.png).

# %%
def neuron():
    """o = tanh(w1·x1 + w2·x2 + b) as Nodes; returns (inputs by name, o)."""
    inputs = {name: Node(v, label=name) for name, v in
              [('x1', 1.5), ('w1', -0.8), ('x2', -1.0), ('w2', 0.6), ('b', 0.9)]}
    p1, p2 = inputs['x1'] * inputs['w1'], inputs['x2'] * inputs['w2']
    s = p1 + p2
    n = s + inputs['b']
    o = n.tanh()
    for node, label in [(p1, 'x1·w1'), (p2, 'x2·w2'), (s, 's'), (n, 'n'), (o, 'o')]:
        node.label = label
    return inputs, o


def draw(root, ax):
    """Nodes in columns by depth (the longest path from an input), edges from parents to children."""
    order = topological_order(root)
    depth = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node.parents), default=-1)
    rows = {}
    place = {}
    for node in order:
        rows[depth[node]] = rows.get(depth[node], 0) + 1
        place[node] = (depth[node], -rows[depth[node]])
    for node in order:
        for parent in node.parents:
            ax.annotate('', xy=place[node], xytext=place[parent],
                        arrowprops=dict(arrowstyle='->', color='0.5', shrinkA=28, shrinkB=28))
    for node, (px, py) in place.items():
        name = node.label + (f"  [{node.op}]" if node.op else '')
        ax.text(px, py, f"{name}\nvalue {float(node.value):.4f}\ngrad {float(node.grad):.4f}",
                ha='center', va='center', fontsize=8,
                bbox=dict(boxstyle='round', fc='#e8f0fe' if node.parents else '#fff4e0', ec='0.4'))
    ax.set_xlim(-0.6, max(depth.values()) + 0.6)
    ax.set_ylim(min(y for _, y in place.values()) - 0.7, -0.3)
    ax.axis('off')


@lesson.demo
def demo():
    inputs, o = neuron()
    o.backward()
    tensors = {k: mg.tensor(v.value, requires_grad=True, dtype=mg.float64) for k, v in inputs.items()}
    t = tensors
    mg.tanh(t['x1'] * t['w1'] + t['x2'] * t['w2'] + t['b']).backward()
    print("  input   your grad   minigan's grad")
    for name, node in inputs.items():
        print(f"  {name:<6} {node.grad:10.6f}   {t[name].grad.item():10.6f}")
    fig, ax = plt.subplots(figsize=(11, 4.5))
    draw(o, ax)
    ax.set_title("o = tanh(x1·w1 + x2·w2 + b): values forward, gradients do/d(node) backward")
    lesson.save(fig, 'graph.png')


# %%
if __name__ == '__main__':
    lesson.main()
