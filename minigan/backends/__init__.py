"""minigan.backends: torch.backends' switches (``backends.cudnn``) and the determinism flag.

minigan's ops are deterministic on the CPU: the same seed gives the same numbers, run after run.
On the GPU, the gradients of indexing (embeddings, gather) add up with CuPy's atomic additions,
whose order -- and so the last bits of a float32 sum -- may vary. There is no slower exact
variant to switch to, so ``use_deterministic_algorithms`` records the wish and changes nothing.
"""
from . import cudnn  # noqa: F401

_deterministic = {'mode': False, 'warn_only': False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Accepted as torch.use_deterministic_algorithms; see the module docstring."""
    _deterministic.update(mode=bool(mode), warn_only=bool(warn_only))


def are_deterministic_algorithms_enabled():
    return _deterministic['mode']
