"""RMSprop (Hinton's lecture 6e), optionally centered and with momentum -- torch.optim.RMSprop.

For each parameter θ with gradient g (v, ḡ, b start at 0):

    g ← g + λ θ                                   (weight_decay λ)
    v ← α v + (1 − α) g²                          running mean of g²
    ḡ ← α ḡ + (1 − α) g                           (centered only: running mean of g)
    s ← √(v − ḡ²) + ε   if centered  else  √v + ε  (an estimate of g's standard deviation)
    b ← μ b + g / s,   θ ← θ − γ b                 (momentum μ > 0)
    θ ← θ − γ g / s                               (momentum μ = 0)

Unlike Adam there is no bias correction, and eps is added after the root, as in torch.
"""
from .. import backend
from ..checks import number
from .optimizer import Optimizer, check_nonnegative


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
                 maximize=False):
        check_nonnegative('RMSprop', lr=lr, eps=eps, weight_decay=weight_decay, momentum=momentum)
        number('RMSprop', 'alpha', alpha, low=0.0, high=1.0)  # alpha > 1 would make v negative
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _update(self, p, grad, group, state):
        alpha, mu = group['alpha'], group['momentum']
        if not state:
            state['step'] = 0
            state['square_avg'] = self._zeros_like(p)
            if mu > 0:
                state['momentum_buffer'] = self._zeros_like(p)
            if group['centered']:
                state['grad_avg'] = self._zeros_like(p)
        state['step'] += 1
        lr, eps, decay, centered = group['lr'], group['eps'], group['weight_decay'], group['centered']
        xp = backend.xp_of(p.array)

        def kernel(p, grad, v, g_avg=None, buf=None):  # one slab
            if decay != 0:
                grad = grad + decay * p
            v *= alpha                            # v ← α v + (1 − α) g²
            v += (1 - alpha) * grad * grad
            if centered:
                g_avg += (1 - alpha) * (grad - g_avg)
                avg = xp.sqrt(v - g_avg * g_avg)
            else:
                avg = xp.sqrt(v)
            avg += eps
            if buf is not None:
                buf *= mu
                buf += grad / avg
                p -= lr * buf
            else:
                p -= lr * grad / avg
        return (kernel, p.array, p.array, grad, state['square_avg'].array,
                state['grad_avg'].array if centered else None,
                state['momentum_buffer'].array if mu > 0 else None)
