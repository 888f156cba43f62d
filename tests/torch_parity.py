"""Compare a minigan function with its PyTorch twin: forward, gradient and gradient of gradient.

Used by the kernel tests (activations, norms, losses). Everything runs in float64; minigan's side
may run on any device (its results are copied to the host to compare). torch is imported by the
caller (``pytest.importorskip``), so this file needs nothing beyond NumPy.
"""
import numpy as np

import minigan as mg


def _host(t):
    return None if t is None else t.numpy()


def _zeros_if_none(g, like):
    return np.zeros(like.shape) if g is None else g


def check_parity(torch, mg_fn, torch_fn, arrays, device='cpu', differentiable=None, order=2,
                 rtol=1e-6, atol=1e-10, constants=(), layout=None):
    """Assert mg_fn and torch_fn agree on ``arrays`` (float64 NumPy arrays) to ``order``; return
    minigan's output and first-order gradients (for checks of their own).

    ``differentiable`` lists which arrays require grad (default: all). ``constants`` are extra
    arguments passed to both functions unchanged (ints, shapes...). Order 1 compares
    d sum(f · v) / dx for a random v; order 2 also compares d sum(g · w) / dx of those gradients
    g for random w (the backward of the backward). ``layout`` (array -> array with the same
    values, e.g. other strides) is applied to minigan's 4-d inputs and cotangents v, w: the
    kernels then meet the layouts they meet inside a network.
    """
    if differentiable is None:
        differentiable = [True] * len(arrays)
    lay = (lambda a: a) if layout is None else (lambda a: layout(a) if a.ndim == 4 else a)
    xs = [mg.Tensor(lay(mg.tensor(a, dtype=mg.float64, device=device).array)).requires_grad_(r)
          for a, r in zip(arrays, differentiable)]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=r) for a, r in zip(arrays, differentiable)]
    y = mg_fn(*xs, *constants)
    yt = torch_fn(*ts, *constants)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=rtol, atol=atol, err_msg='forward')
    if order == 0:
        return y, None
    rng = np.random.default_rng(1)
    v = rng.standard_normal(tuple(yt.shape))
    wrt = [x for x, r in zip(xs, differentiable) if r]
    wrt_t = [t for t, r in zip(ts, differentiable) if r]
    gs = mg.grad((y * _on(v, device, lay)).sum(), wrt,
                 create_graph=order > 1, allow_unused=True)
    gts = torch.autograd.grad((yt * torch.tensor(v)).sum(), wrt_t, create_graph=order > 1,
                              allow_unused=True)
    _same_none('gradient', gs, gts)
    if order > 1:
        required = [g is not None and g.requires_grad for g in gs]
        assert required == [gt is not None and gt.requires_grad for gt in gts], \
            f"which gradients require grad: minigan {required}, torch {[gt is not None and gt.requires_grad for gt in gts]}"
    for i, (g, gt, x) in enumerate(zip(gs, gts, wrt)):
        expected = _zeros_if_none(None if gt is None else gt.detach().numpy(force=True), x)
        np.testing.assert_allclose(_zeros_if_none(_host(g), x), expected, rtol=rtol, atol=atol,
                                   err_msg=f'gradient {i}')
    if order < 2:
        return y, gs
    ws = [rng.standard_normal(x.shape) for x in wrt]
    s = sum(((g * _on(w, device, lay)).sum() for g, w in zip(gs, ws)
             if g is not None and g.requires_grad), mg.tensor(0.0, dtype=mg.float64, device=device))
    st = sum(((gt * torch.tensor(w)).sum() for gt, w in zip(gts, ws)
              if gt is not None and gt.requires_grad), torch.tensor(0.0, dtype=torch.float64))
    ggs = mg.grad(s, wrt, allow_unused=True) if s.requires_grad else [None] * len(wrt)
    ggts = torch.autograd.grad(st, wrt_t, allow_unused=True) if st.requires_grad else [None] * len(wrt)
    _same_none('gradient of gradient', ggs, ggts)
    for i, (gg, ggt, x) in enumerate(zip(ggs, ggts, wrt)):
        expected = _zeros_if_none(None if ggt is None else ggt.numpy(force=True), x)
        np.testing.assert_allclose(_zeros_if_none(_host(gg), x), expected, rtol=rtol, atol=atol,
                                   err_msg=f'gradient of gradient {i}')
    return y, gs


def _on(array, device, lay):
    """A float64 constant tensor of ``array`` on ``device``, laid out by ``lay``."""
    return mg.Tensor(lay(mg.tensor(array, dtype=mg.float64, device=device).array))


def _same_none(what, mine, theirs):
    mine_none, theirs_none = [g is None for g in mine], [g is None for g in theirs]
    assert mine_none == theirs_none, f"which {what}s are None: minigan {mine_none}, torch {theirs_none}"


def check_each_second_derivative(torch, mg_fn, torch_fn, arrays, device='cpu', differentiable=None,
                                 constants=(), rtol=1e-6, atol=1e-10):
    """Like check_parity at order 2, but the second derivatives of each first gradient g_i apart:
    for every i, which g_i are None and which require grad, and then d sum(g_i · w_i) / dx_j for
    every j (None-ness and values, allow_unused=True) -- the whole matrix, so a gradient linked
    where torch's is not (or not linked where torch's is) cannot hide behind another one.
    """
    if differentiable is None:
        differentiable = [True] * len(arrays)
    xs = [mg.tensor(a, dtype=mg.float64, device=device, requires_grad=r)
          for a, r in zip(arrays, differentiable)]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=r) for a, r in zip(arrays, differentiable)]
    y, yt = mg_fn(*xs, *constants), torch_fn(*ts, *constants)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=rtol, atol=atol, err_msg='forward')
    rng = np.random.default_rng(1)
    v = rng.standard_normal(tuple(yt.shape))
    wrt = [x for x, r in zip(xs, differentiable) if r]
    wrt_t = [t for t, r in zip(ts, differentiable) if r]
    gs = mg.grad((y * mg.tensor(v, device=device)).sum(), wrt, create_graph=True, allow_unused=True)
    gts = torch.autograd.grad((yt * torch.tensor(v)).sum(), wrt_t, create_graph=True, allow_unused=True)
    _same_none('gradient', gs, gts)
    required = [g is not None and g.requires_grad for g in gs]
    assert required == [gt is not None and gt.requires_grad for gt in gts], \
        f"which gradients require grad: minigan {required}, torch {[gt is not None and gt.requires_grad for gt in gts]}"
    for i, (g, gt) in enumerate(zip(gs, gts)):
        if g is None:
            continue
        np.testing.assert_allclose(g.numpy(), gt.detach().numpy(force=True), rtol=rtol, atol=atol,
                                   err_msg=f'gradient {i}')
        if not required[i]:
            continue
        w = rng.standard_normal(tuple(g.shape))
        ggs = mg.grad((g * mg.tensor(w, device=device)).sum(), wrt, retain_graph=True, allow_unused=True)
        ggts = torch.autograd.grad((gt * torch.tensor(w)).sum(), wrt_t, retain_graph=True, allow_unused=True)
        _same_none(f'derivative of gradient {i}', ggs, ggts)
        for j, (gg, ggt) in enumerate(zip(ggs, ggts)):
            if gg is not None:
                np.testing.assert_allclose(gg.numpy(), ggt.numpy(force=True), rtol=rtol, atol=atol,
                                           err_msg=f'derivative of gradient {i} in input {j}')
