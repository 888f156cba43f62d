"""An endless stream of batches that knows where it is, so a run can stop and resume mid-epoch.

Epoch e is one pass of a DataLoader (drop_last) over a permutation drawn from a generator seeded
by (run seed, e) and given as its ``sampler``: the order of every epoch is fixed by the seed
alone, whatever happened before. The stream's whole state is then two integers -- the epoch and
how many of its batches were drawn -- and resuming rebuilds epoch e's loader and skips that many
batches.
"""
from .. import backend
from ..errors import ArgumentError
from ..utils.data import DataLoader


class BatchStream:
    def __init__(self, dataset, batch_size, seed):
        if batch_size > len(dataset):
            raise ArgumentError(f"--batch-size {batch_size} is larger than the data set ({len(dataset)} "
                                "examples); every batch must be full")
        self.dataset, self.batch_size, self.seed = dataset, batch_size, seed
        self.epoch, self.position = 0, 0
        self.batches_per_epoch = len(dataset) // batch_size
        self._batches = None

    def _loader(self, epoch):
        order = backend.generator([self.seed, epoch]).permutation(len(self.dataset))  # from the seed alone
        return DataLoader(self.dataset, batch_size=self.batch_size, sampler=order.tolist(), drop_last=True)

    def __iter__(self):
        return self

    def __next__(self):
        if self.position == self.batches_per_epoch:
            self.epoch, self.position, self._batches = self.epoch + 1, 0, None
        if self._batches is None:
            self._batches = iter(self._loader(self.epoch))
            for _ in range(self.position):  # resuming mid-epoch: skip what was drawn already
                next(self._batches)
        self.position += 1
        return next(self._batches)

    @property
    def drawn(self):
        """Batches drawn since the start of the run."""
        return self.epoch * self.batches_per_epoch + self.position

    @property
    def epochs_completed(self):
        return self.drawn // self.batches_per_epoch

    def state_dict(self):
        return {'epoch': self.epoch, 'position': self.position}

    def load_state_dict(self, state):
        self.epoch, self.position, self._batches = state['epoch'], state['position'], None
