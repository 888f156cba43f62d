"""The history pool (Shrivastava et al. 2017), as CycleGAN uses it: D also sees older fakes.

A discriminator trained only on G's latest images forgets what G produced a few steps ago, and G
can oscillate back to it. So D's fake batch is drawn partly from a pool of the last ``size``
generated images (50 in CycleGAN): for each new image, while the pool is filling it is stored and
used; once full, with probability ½ it replaces a random stored image, which is used in its place,
otherwise it is used itself.

The draws come from minigan's generator, and the pool's contents are part of the training state
(``state_dict``), so a resumed run continues with the same pool.
"""
from .. import backend
from ..errors import ArgumentError, StateDictError
from ..ops.shape import stack
from ..tensor import Tensor


class HistoryPool:
    def __init__(self, size=50):
        if size < 0:
            raise ArgumentError(f"HistoryPool: size must be >= 0, got {size}")
        self.size = size
        self.images = []  # (C, H, W) tensors, no graph

    def query(self, images):
        """(N, C, H, W) new fakes (detached) → (N, C, H, W) fakes for D: new or from the pool."""
        if self.size == 0:
            return images
        n = images.shape[0]
        coins = backend.to_numpy(backend.random_uniform((n,), backend.float64, 'cpu')).tolist()
        slots = backend.to_numpy(backend.random_integers(0, self.size, (n,), backend.int64, 'cpu')).tolist()
        chosen = []
        for i in range(n):
            image = images[i].detach()
            if len(self.images) < self.size:
                self.images.append(image)
                chosen.append(image)
            elif coins[i] > 0.5:
                chosen.append(self.images[slots[i]])
                self.images[slots[i]] = image
            else:
                chosen.append(image)
        return stack(chosen)

    def state_dict(self):
        return {'size': self.size, 'images': stack(self.images) if self.images else None}

    def load_state_dict(self, state):
        if state['size'] != self.size:
            raise StateDictError(f"HistoryPool.load_state_dict: a pool of size {state['size']}, this one "
                                 f"holds {self.size}")
        images = state['images']
        self.images = [] if images is None else [Tensor(images.array[i]) for i in range(images.shape[0])]
