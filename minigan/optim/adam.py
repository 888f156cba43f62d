"""Adam (Kingma & Ba 2015) with L2 weight decay and AMSGrad -- torch.optim.Adam, exactly.

For each parameter θ with gradient g, at step t = 1, 2, ... (m, v, v̂max start at 0):

    g ← g + λ θ                                   (weight_decay λ: L2, added to the gradient)
    m ← β₁ m + (1 − β₁) g                         first moment (computed as m + (1−β₁)(g − m))
    v ← β₂ v + (1 − β₂) g²                        second moment
    v̂max ← max(v̂max, v)                           (amsgrad only; then v̂max replaces v below)
    θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)

The bias corrections 1 − βᵗ undo the pull of the zero initial moments toward 0 in early steps.
eps is added *after* the square root and the bias correction, which is where torch puts it.
"""
import math

from .. import backend
from ..checks import describe, number
from ..errors import ArgumentTypeError
from .optimizer import Optimizer, check_nonnegative


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False):
        check_nonnegative('Adam', lr=lr, eps=eps, weight_decay=weight_decay)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ArgumentTypeError(f"Adam: betas must be a pair (beta1, beta2), got {describe(betas)}")
        for i, beta in enumerate(betas):
            number('Adam', f'betas[{i}]', beta, low=0.0, high=1.0, high_open=True)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _update(self, p, grad, group, state):
        beta1, beta2 = group['betas']
        if not state:
            state['step'] = 0
            state['exp_avg'], state['exp_avg_sq'] = self._zeros_like(p), self._zeros_like(p)
            if group['amsgrad']:
                state['max_exp_avg_sq'] = self._zeros_like(p)
        state['step'] += 1
        t = state['step']
        decay, eps = group['weight_decay'], group['eps']
        step_size = group['lr'] / (1 - beta1 ** t)
        root_correction = math.sqrt(1 - beta2 ** t)
        xp = backend.xp_of(p.array)

        def kernel(p, grad, m, v, v_max=None):  # one slab; t holds a slab's worth of temporaries
            t = xp.empty_like(m)
            if decay != 0:
                grad = grad + decay * p
            xp.subtract(grad, m, out=t)          # m ← m + (1 − β₁)(g − m)
            t *= 1 - beta1
            m += t
            v *= beta2                           # v ← β₂ v + (1 − β₂) g²
            xp.multiply(grad, 1 - beta2, out=t)
            t *= grad
            v += t
            if v_max is not None:
                xp.maximum(v_max, v, out=v_max)
                v = v_max
            xp.sqrt(v, out=t)                    # √v / √(1 − β₂ᵗ) + ε
            t /= root_correction
            t += eps
            xp.divide(m, t, out=t)               # θ ← θ − γ/(1 − β₁ᵗ) · m / (...)
            t *= step_size
            p -= t
        v_max = state['max_exp_avg_sq'].array if group['amsgrad'] else None
        return (kernel, p.array, p.array, grad, state['exp_avg'].array,
                state['exp_avg_sq'].array, v_max)
