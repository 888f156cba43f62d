"""SGD with momentum, dampening, Nesterov momentum and L2 weight decay -- torch.optim.SGD.

For each parameter θ with gradient g, at step t (torch's algorithm, exactly):

    g ← g + λ θ                                  (weight_decay λ ≠ 0)
    b ← g                          at t = 1      (momentum μ ≠ 0)
    b ← μ b + (1 − τ) g            after         (dampening τ)
    g ← g + μ b  if nesterov  else  g ← b
    θ ← θ − γ g                                  (lr γ)

Note the first step copies g into the buffer without dampening, as torch does.
"""
from .. import backend
from ..checks import number
from ..errors import ArgumentError
from ..tensor import Tensor
from .optimizer import Optimizer, check_nonnegative


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False):
        check_nonnegative('SGD', lr=lr, momentum=momentum, weight_decay=weight_decay)
        number('SGD', 'dampening', dampening, low=0.0, high=1.0)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ArgumentError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _update(self, p, grad, group, state):
        lr, mu, wd = group['lr'], group['momentum'], group['weight_decay']
        dampening, nesterov = group['dampening'], group['nesterov']
        xp = backend.xp_of(p.array)
        first = mu != 0 and 'momentum_buffer' not in state
        if first:
            state['momentum_buffer'] = Tensor(xp.empty_like(p.array))  # p's layout

        def kernel(p, grad, buf=None):  # one slab
            if wd != 0:
                grad = grad + wd * p
            if buf is not None:
                if first:
                    buf[...] = grad
                else:
                    buf *= mu
                    buf += (1 - dampening) * grad
                grad = grad + mu * buf if nesterov else buf
            p -= xp.multiply(grad, lr)
        buf = state['momentum_buffer'].array if mu != 0 else None
        return (kernel, p.array, p.array, grad, buf)
