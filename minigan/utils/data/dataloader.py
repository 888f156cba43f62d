"""DataLoader: batches of a dataset, as torch.utils.data.DataLoader.

    for x, y in DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True): ...

It is torch's pipeline: a sampler orders the indices (SequentialSampler, or RandomSampler when
shuffle=True, drawing from ``generator`` or the global stream), a BatchSampler groups them,
the dataset fetches the examples of a batch and ``collate_fn`` stacks them. An epoch is one
pass; each pass shuffles anew. Batches are made in this process: num_workers, pin_memory and
the other worker arguments are accepted and have no effect (the examples here are small arrays,
and NumPy indexing is faster than shipping them between processes).
"""
from ...errors import ArgumentError, ArgumentTypeError
from ...generator import Generator
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


class DataLoader:
    """dataset      a map-style Dataset (len, [i]) or an IterableDataset
    batch_size      examples per batch (None: single examples, not collated)
    shuffle         a new permutation each epoch
    sampler         an iterable of indices instead (not with shuffle)
    batch_sampler   an iterable of index lists instead (not with batch_size, shuffle, sampler, drop_last)
    drop_last       drop the last batch when it is short
    collate_fn      list of examples -> batch (default_collate)
    generator       a minigan.Generator for the shuffling (an int seeds a new one)
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers=False, pin_memory_device='', in_order=True):
        iterable = isinstance(dataset, IterableDataset)
        if not iterable and (not hasattr(dataset, '__len__') or not hasattr(dataset, '__getitem__')):
            raise ArgumentTypeError(f"DataLoader: dataset of type {type(dataset).__name__} has no __len__ and "
                                    "__getitem__; expected a map-style Dataset (e.g. TensorDataset) or an IterableDataset")
        if batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                                       or batch_size < 1):
            raise ArgumentError(f"DataLoader: batch_size should be a positive integer, got {batch_size!r}")
        if iterable and (shuffle or sampler is not None or batch_sampler is not None):
            raise ArgumentError("DataLoader with IterableDataset: expected unspecified shuffle, sampler and "
                                "batch_sampler (a stream has its own order)")
        if sampler is not None and shuffle:
            raise ArgumentError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ArgumentError("DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                                    "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        if isinstance(generator, int) and not isinstance(generator, bool):
            generator = Generator().manual_seed(generator)
        if sampler is None and not iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, bool(drop_last)
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers = num_workers
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if batch_size is not None or batch_sampler is not None else default_convert)

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            yield from self._stream()
            return
        if self.batch_sampler is None:  # batch_size=None: single examples
            for i in self.sampler:
                yield self.collate_fn(self.dataset[i])
            return
        # a whole-batch read only where the batch is collated the default way
        fetch_many = getattr(self.dataset, '__getitems__', None) if self.collate_fn is default_collate else None
        for indices in self.batch_sampler:
            examples = fetch_many(indices) if fetch_many is not None else [self.dataset[i] for i in indices]
            yield self.collate_fn(examples)

    def _stream(self):
        if self.batch_size is None:
            yield from (self.collate_fn(e) for e in self.dataset)
            return
        batch = []
        for example in self.dataset:
            batch.append(example)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # a stream with a length, as torch allows
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)
