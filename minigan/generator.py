"""Generator: a random-number stream of its own, as torch.Generator.

Everything random in minigan (randn, dropout masks, initializers, the DataLoader's shuffling)
draws from one global stream that ``minigan.manual_seed`` seeds. A Generator is a second,
independent stream: pass it as ``generator=`` and the draws come from it instead, so they are
reproducible without moving the global stream (and the global stream stays reproducible too)::

    g = minigan.Generator().manual_seed(0)
    noise = minigan.randn(16, 100, generator=g)
    loader = DataLoader(data, batch_size=64, shuffle=True, generator=g)

Like the global stream, it draws on the host, whatever the device of the result.
"""
import random as _entropy

from . import backend
from .errors import ArgumentTypeError


DEFAULT_SEED = 67280421310721  # torch.Generator()'s initial seed: a new generator is reproducible


class Generator:
    def __init__(self, device='cpu'):
        backend.normalize_device(device)  # a clear error for a device minigan does not know
        self.device = device
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed):
        """Restart the stream from ``seed`` (an int); returns the generator, as torch does."""
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ArgumentTypeError(f"Generator.manual_seed: expected an int seed, got {type(seed).__name__}")
        self._seed = seed
        self.rng = backend.generator(seed)
        return self

    def seed(self):
        """Reseed from the operating system's entropy; returns the new seed."""
        self.manual_seed(_entropy.SystemRandom().randrange(2 ** 63))
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The stream's state as a dict of plain values (minigan.save can store it)."""
        return self.rng.bit_generator.state

    def set_state(self, state):
        self.rng.bit_generator.state = state
        return self

    def __repr__(self):
        return f'<minigan.Generator seed={self._seed}>'


def stream(generator):
    """The host random stream of ``generator``: a Generator's own, or None for the global one."""
    if generator is None:
        return None
    if not isinstance(generator, Generator):
        raise ArgumentTypeError(f"generator must be a minigan.Generator, got {type(generator).__name__}")
    return generator.rng
