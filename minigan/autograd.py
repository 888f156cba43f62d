"""Reverse-mode differentiation: ``backward`` and ``grad``, as in torch.autograd.

For a scalar L built from leaves x by Functions f1, f2, ..., the chain rule runs backwards:
every node receives dL/d(output) and hands dL/d(input_i) to the node that made input i.
Two things make it correct for any graph:

  * order   -- a node runs only when every consumer of its output has run, so the gradient it
               receives is complete (the sum over all paths). We sort the nodes topologically
               with an explicit stack, so a chain of 100,000 ops never meets Python's recursion
               limit.
  * summing -- a tensor used twice receives the sum of both gradients.

With create_graph=False the backward runs under no_grad (records nothing) and each node is
released once it has run (its inputs and saved arrays are freed), unless retain_graph=True.
With create_graph=True the backward is itself recorded, so its results can be differentiated
again: that is how gradient penalties and Hessian-vector products work.
"""
import functools

from . import backend, function
from .anomaly import detect_anomaly, set_detect_anomaly  # noqa: F401 -- torch.autograd's names
from .checks import describe
from .errors import ArgumentError, ArgumentTypeError, GraphError, ShapeError
from .legacy import Variable  # noqa: F401 -- torch.autograd.Variable, for old tutorials
from .tensor import Tensor, set_grad_enabled

FREED_GRAPH_MESSAGE = (
    "trying to backward through the graph a second time: its saved values were freed by the "
    "first backward. Pass retain_graph=True to the first backward() or grad() if you need to "
    "go through the graph more than once.")


def backward(tensor, gradient=None, retain_graph=None, create_graph=False):
    """Accumulate d(tensor)/d(leaf) · gradient into ``leaf.grad`` for every leaf that requires grad."""
    if retain_graph is None:
        retain_graph = create_graph
    roots, seeds = _roots_and_seeds([tensor], None if gradient is None else [gradient], 'backward')
    _run(roots, seeds, retain_graph, create_graph, capture=None)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The tuple (d outputs / d input · grad_outputs for each input), like torch.autograd.grad.

    Nothing is accumulated into ``.grad``. An input the outputs do not depend on raises, unless
    ``allow_unused=True``, which returns None for it (zeros with ``materialize_grads=True``).
    ``only_inputs`` is accepted and ignored, as torch does since 0.4.
    """
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True is not supported by minigan; "
                                  "call grad once per grad_outputs instead")
    allow_unused = bool(allow_unused) or materialize_grads
    outputs, inputs = _sequence(outputs, 'outputs'), _sequence(inputs, 'inputs')
    if grad_outputs is not None:
        grad_outputs = _sequence(grad_outputs, 'grad_outputs')
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise ArgumentTypeError(f"grad: inputs[{i}] is a {type(t).__name__}, expected a Tensor")
        if not t.requires_grad:
            raise GraphError(f"grad: inputs[{i}] does not require grad")
    roots, seeds = _roots_and_seeds(outputs, grad_outputs, 'grad')
    leaf_grads, captured = _run(roots, seeds, retain_graph, create_graph, capture=inputs)
    results = []
    for i, t in enumerate(inputs):
        g = leaf_grads[id(t)][1] if t.is_leaf and id(t) in leaf_grads else captured.get(id(t))
        if g is None and not allow_unused:
            raise GraphError(f"grad: inputs[{i}] was not used in the graph of the outputs; "
                             "pass allow_unused=True to get None for it")
        if g is None and materialize_grads:
            g = Tensor(t.xp.zeros(t.shape, dtype=t.dtype))
        results.append(g)
    return tuple(results)


def clear_grads(tensors, set_to_none=True):
    """Forget the gradients accumulated in ``tensor.grad``: set them to None (the default, as in
    torch), or to zeros in place."""
    for t in tensors:
        if t.grad is not None:
            if set_to_none:
                t.grad = None
            else:
                t.grad.detach_()
                t.grad.array[...] = 0


# ----------------------------------------------------------------------------- internals
def _sequence(values, what):
    """grad()'s Tensor-or-sequence arguments as a list."""
    if isinstance(values, Tensor):
        return [values]
    if not isinstance(values, (list, tuple)):
        raise ArgumentTypeError(f"grad: {what} must be a Tensor or a sequence of Tensors, got {describe(values)}")
    return list(values)


def _roots_and_seeds(outputs, grad_outputs, caller):
    if grad_outputs is not None and len(grad_outputs) != len(outputs):
        raise ArgumentError(f"{caller}: got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    roots, seeds = [], []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise ArgumentTypeError(f"{caller}: outputs[{i}] is a {type(out).__name__}, expected a Tensor")
        if not out.requires_grad:
            raise GraphError(f"{caller}: outputs[{i}] does not require grad and has no grad_fn "
                             "(was it computed under no_grad, or from tensors that need no grad?)")
        seed = None if grad_outputs is None else grad_outputs[i]
        if seed is None:
            if out.numel() != 1:
                raise GraphError(f"{caller}: a gradient can be created implicitly only for a "
                                 f"scalar output, got shape {out.shape}; pass one explicitly")
            seed = Tensor(out.xp.ones(out.shape, dtype=out.dtype))
        elif not isinstance(seed, Tensor):
            seed = Tensor(backend.numeric_array(seed, dtype=out.dtype, device=out.device, op=caller))
        if tuple(seed.shape) != tuple(out.shape):
            raise ShapeError(f"{caller}: gradient of shape {tuple(seed.shape)} given for an output "
                             f"of shape {tuple(out.shape)}; expected the same shape")
        roots.append(out)
        seeds.append(seed)
    return roots, seeds


def _topological_order(roots):
    """Every node reachable from the roots, each after all nodes that consume its output."""
    post_order, visited = [], set()
    stack = [(r.grad_fn, False) for r in roots if r.grad_fn is not None]
    while stack:
        fn, children_done = stack.pop()
        if children_done:
            post_order.append(fn)
            continue
        if fn in visited:
            continue
        if fn.released:
            raise GraphError(FREED_GRAPH_MESSAGE)
        visited.add(fn)
        stack.append((fn, True))
        for t in fn.inputs:  # (a loop: a generator here cost ~1 us a node)
            child = t.grad_fn
            if child is not None and child not in visited:
                stack.append((child, False))
    post_order.reverse()
    return post_order


def _leads_to_capture(order, capture_ids):
    """For each node: does some captured tensor lie below it? (Nodes that don't are skipped.)"""
    leads = {}
    for fn in reversed(order):  # producers before consumers
        leads[fn] = any(id(t) in capture_ids or (t.grad_fn is not None and leads[t.grad_fn])
                        for t in fn.inputs)
    return leads


def is_broadcast_zero(g):
    """Is gradient g one 0 broadcast to its shape (all strides 0)? That is the zero gradient a
    gradient linked to its input hands that input (ops/links.py): it adds nothing to a sum."""
    a = g.array
    return a.size > 0 and not any(a.strides) and not bool(a[(0,) * a.ndim])


class _Sums:
    """The gradients of one pass, summed as they arrive (a tensor used twice gets both).

    A broadcast 0 adds nothing, and keeping the other gradient as it is keeps a zero a zero (0 + 0
    would come out a full array of zeros, and the ops a zero passes through without work --
    convolutions, leaky_relu -- would then do the work). Recorded (create_graph=True), a sum is
    the Add op, so it has a graph. Otherwise it is plain array arithmetic: the first sum is a new
    array, which this pass alone holds, so a third and later gradient is added into it in place.
    A CycleGAN step gives each residual block's weights three gradients (each generator runs
    three times); in place, the third costs no new 590 KB array.
    """

    def __init__(self, create_graph):
        self.create_graph = create_graph
        self.owned = {}  # id -> the sums this pass made and nobody else has seen yet

    def add(self, a, b):
        if is_broadcast_zero(b):
            return a
        if is_broadcast_zero(a):
            return b
        if self.create_graph or not function.same_kind((a, b)):  # Add checks (or records) it
            with set_grad_enabled(self.create_graph):
                return a + b
        if self.owned.get(id(a)) is a:
            a.array += b.array
            return a
        total = Tensor(a.array + b.array)
        self.owned[id(total)] = total
        return total

    def hand_out(self, g):
        """``g`` leaves the pass (to a node's backward, or to .grad): it is no longer ours alone."""
        self.owned.pop(id(g), None)
        return g


def _run(roots, seeds, retain_graph, create_graph, capture):
    """The backward pass, watched by the active instrument (minigan/instrument.py) if there is one.
    Returns ({id(leaf): (leaf, grad)}, {id(captured non-leaf): grad}). ``capture`` lists the
    tensors grad() asks for; None means backward(), which adds the leaves' gradients to .grad."""
    instrument = function.active_instrument()  # the profiler or anomaly detection, if on
    run = functools.partial(_pass, roots, seeds, retain_graph, create_graph, capture, instrument)
    return run() if instrument is None else instrument.backward_pass(run)


def _pass(roots, seeds, retain_graph, create_graph, capture, instrument):
    order = _topological_order(roots)
    outputs_alive = [fn.output() for fn in order]  # keep outputs alive while their nodes run
    capture_ids = None if capture is None else {id(t) for t in capture}
    leads = None if capture is None else _leads_to_capture(order, capture_ids)

    node_grads, leaf_grads, captured = {}, {}, {}
    sums = _Sums(create_graph)

    def deliver(t, g):
        fn = t.grad_fn
        if fn is None:
            if t.requires_grad:
                old = leaf_grads.get(id(t))
                leaf_grads[id(t)] = (t, g if old is None else sums.add(old[1], g))
        else:
            old = node_grads.get(fn)
            node_grads[fn] = g if old is None else sums.add(old, g)

    for root, seed in zip(roots, seeds):
        deliver(root, seed)

    with set_grad_enabled(create_graph):
        for fn, out in zip(order, outputs_alive):
            g_out = node_grads.pop(fn, None)
            if g_out is None:
                continue
            if sums.owned:
                sums.hand_out(g_out)
            if capture_ids is not None and id(out) in capture_ids:
                captured[id(out)] = g_out if create_graph else g_out.detach()
            if out.retains_grad:
                out.grad = g_out if create_graph else g_out.detach()
            if leads is not None and not leads[fn]:
                continue
            fn.needs_input_grad = needs = (tuple([t.requires_grad for t in fn.inputs]) if leads is None
                                           else _needs_input_grad(fn, capture_ids, leads))
            g_in = fn.backward(g_out) if instrument is None else instrument.backward(fn, g_out)
            if type(g_in) is not tuple:
                g_in = (g_in,)
            _check_gradients(fn, g_in)
            for t, needed, g in zip(fn.inputs, needs, g_in):
                if needed and g is not None:
                    deliver(t, g)
            if not retain_graph:
                fn.release()
    if not retain_graph:
        for fn in order:
            if not fn.released:
                fn.release()
    if capture is None:
        for leaf, g in leaf_grads.values():
            g = sums.hand_out(g)
            leaf.grad = g if leaf.grad is None else sums.add(leaf.grad, g)
    return leaf_grads, captured


def _needs_input_grad(fn, capture_ids, leads):
    """For grad(): which inputs of ``fn`` want a gradient now: only those that require grad and
    lie on a path to a captured tensor (so a penalty's grad w.r.t. x skips the weight grads).
    (backward() wants all that require grad.)"""
    return tuple([t.requires_grad and (id(t) in capture_ids or (t.grad_fn is not None and leads[t.grad_fn]))
                  for t in fn.inputs])


def _check_gradients(fn, grads):
    """A backward must return one gradient per input, each of its input's shape."""
    inputs = fn.inputs
    if len(grads) != len(inputs):
        raise GraphError(f"{type(fn).__name__}.backward returned {len(grads)} gradients "
                         f"for {len(inputs)} inputs")
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is not None and tuple(g.array.shape) != tuple(t.array.shape):
            raise GraphError(f"{type(fn).__name__}.backward: gradient {i} has shape "
                             f"{tuple(g.shape)}, expected the input's shape {tuple(t.shape)}")
