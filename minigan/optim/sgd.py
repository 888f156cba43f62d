"""SGD with momentum, dampening, Nesterov momentum and L2 weight decay -- torch.optim.SGD.

For each parameter θ with gradient g, at step t (torch's algorithm, exactly):

    g ← g + λ θ                                  (weight_decay λ ≠ 0)
    b ← g                          at t = 1      (momentum μ ≠ 0)
    b ← μ b + (1 − τ) g            after         (dampening τ)
    g ← g + μ b  if nesterov  else  g ← b
    θ ← θ − γ g                                  (lr γ)

Note the first step copies g into the buffer without dampening, as torch does.
"""
from ..checks import number
from ..errors import ArgumentError
from .optimizer import Optimizer, check_nonnegative
from ..tensor import Tensor


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
        if wd != 0:
            grad = grad + wd * p.array
        if mu != 0:
            buf = state.get('momentum_buffer')
            if buf is None:
                buf = state['momentum_buffer'] = Tensor(grad.copy())
            else:
                buf.array *= mu
                buf.array += (1 - group['dampening']) * grad
            grad = grad + mu * buf.array if group['nesterov'] else buf.array
        p.array -= lr * grad
