"""Weight clipping for the original WGAN critic (Arjovsky et al. 2017).

Clamping every weight to [−c, c] after each critic step is WGAN's crude way to keep the critic
K-Lipschitz (c = 0.01 in the paper). WGAN-GP replaced it with a gradient penalty.
"""
from .. import backend
from ..checks import describe, number
from ..errors import ArgumentTypeError
from ..tensor import Tensor


def clip_weights(module_or_params, c):
    """Clamp, in place, every parameter of a module (or an iterable of Tensors) to [−c, c]."""
    number('clip_weights', 'c', c, low=0.0, low_open=True)
    if hasattr(module_or_params, 'parameters'):
        params = list(module_or_params.parameters())
    elif isinstance(module_or_params, Tensor):
        params = [module_or_params]
    else:
        params = list(module_or_params)
    for p in params:
        if not isinstance(p, Tensor):
            raise ArgumentTypeError(f"clip_weights: expected a module or Tensors, got an element {describe(p)}")
    for p in params:
        p.array[...] = backend.xp_of(p.array).clip(p.array, -c, c)
