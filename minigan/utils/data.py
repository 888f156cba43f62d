"""Datasets and the DataLoader, as torch.utils.data: what every training loop draws batches from.

    Dataset         anything with ``__len__`` and ``__getitem__(i)`` -> one example
    TensorDataset   examples are the i-th rows of some tensors of one length: (x[i], y[i])
    DataLoader      batches of ``batch_size`` examples, in order or shuffled, stacked by
                    ``collate_fn`` into tensors whose first dim is the batch

An epoch is one pass over a permutation of the indices. The permutation comes from
``generator`` when one is given (an int seed or a ``numpy.random.Generator``-like object with
``permutation``), else from minigan's own generator -- so ``minigan.manual_seed(s)`` makes the
order reproducible, as ``torch.manual_seed`` does for torch's loader. Batches are built in this
process (no worker processes: the examples here are small arrays, and NumPy indexing is faster
than shipping them between processes).

Speed: a dataset that can fetch many examples at once (``__getitems__(indices)``, as torch 2
calls it) gets one fancy-indexing read per batch instead of one Python call per example;
TensorDataset does.
"""
from .. import backend
from ..checks import describe
from ..errors import ArgumentError, ArgumentTypeError, DimError, ShapeError
from ..ops.shape import stack
from ..tensor import Tensor


class Dataset:
    """The base class of map-style datasets: subclasses define ``__len__`` and ``__getitem__``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Example i is ``tuple(t[i] for t in tensors)``; every tensor has the same first dim."""

    def __init__(self, *tensors):
        if not tensors:
            raise ArgumentError("TensorDataset: expected at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise ArgumentTypeError(f"TensorDataset: argument {i} is a {type(t).__name__}, expected a Tensor")
            if t.ndim == 0:
                raise ShapeError(f"TensorDataset: argument {i} is 0-d; expected a first (example) dim")
        lengths = [t.shape[0] for t in tensors]
        if len(set(lengths)) != 1:
            raise ShapeError(f"TensorDataset: size mismatch between tensors: first dims {lengths}; "
                             "expected every tensor to have one row per example")
        self.tensors = tensors

    def __getitem__(self, index):
        try:
            return tuple(Tensor(t.array[index]) for t in self.tensors)
        except IndexError as err:  # an IndexError still: iteration and list() stop on it
            raise DimError(f"TensorDataset: index {index!r} is out of range for {len(self)} examples "
                           f"({err})") from None

    def __getitems__(self, indices):
        """A whole batch at once: one gather per tensor, already stacked (see collate)."""
        index = backend.asarray(indices, dtype=backend.int64, device=self.tensors[0].device)
        return _Batch(tuple(Tensor(t.array[index]) for t in self.tensors))

    def __len__(self):
        return self.tensors[0].shape[0]


class _Batch(tuple):
    """Examples already stacked into batch tensors: default_collate passes it through."""


def default_collate(examples):
    """A list of examples -> one batch: tensors (and arrays, numbers) stacked along a new dim 0;
    tuples, lists and dicts of them collated field by field (torch's default_collate)."""
    if isinstance(examples, _Batch):
        return tuple(examples)
    first = examples[0]
    if isinstance(first, Tensor):
        return stack(examples)
    if backend.is_array(first):
        return stack([Tensor(e) for e in examples])
    if isinstance(first, bool):
        return Tensor(backend.asarray(examples, dtype=backend.bool_))
    if isinstance(first, (int, float)):
        return Tensor(backend.asarray(examples))
    if isinstance(first, dict):
        return {key: default_collate([e[key] for e in examples]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(e) != len(first) for e in examples):
            raise ArgumentError("default_collate: examples have different numbers of fields "
                                f"({sorted({len(e) for e in examples})}); expected one structure")
        fields = [default_collate(list(field)) for field in zip(*examples)]
        return type(first)(*fields) if hasattr(first, '_fields') else type(first)(fields)  # namedtuple
    if hasattr(first, 'dtype') and hasattr(first, 'item'):  # a NumPy scalar
        return Tensor(backend.asarray(examples))
    raise ArgumentTypeError(f"default_collate: cannot batch examples of type {type(first).__name__}; "
                            "expected Tensors, arrays, numbers, or tuples/lists/dicts of them "
                            "(or pass collate_fn=...)")


class DataLoader:
    """Batches of a dataset: ``for x, y in DataLoader(TensorDataset(x, y), batch_size=64,
    shuffle=True): ...``, as torch.utils.data.DataLoader.

    batch_size   examples per batch; the last batch is smaller unless drop_last=True
    shuffle      a new permutation each epoch (from ``generator``, or minigan's generator)
    generator    an int seed or an object with ``.permutation(n)`` (numpy.random.Generator)
    collate_fn   list of examples -> batch (default_collate)

    num_workers, pin_memory and the other torch arguments of worker processes are accepted and
    ignored: batches are always made in this process.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, generator=None, *, prefetch_factor=None,
                 persistent_workers=False, pin_memory_device=''):
        if not hasattr(dataset, '__len__') or not hasattr(dataset, '__getitem__'):
            raise ArgumentTypeError(f"DataLoader: dataset of type {type(dataset).__name__} has no __len__ and "
                                    "__getitem__; expected a map-style Dataset (e.g. TensorDataset)")
        if batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                                       or batch_size < 1):
            raise ArgumentError(f"DataLoader: batch_size should be a positive integer, got {batch_size!r}")
        if sampler is not None or batch_sampler is not None:
            if shuffle:
                raise ArgumentError("DataLoader: sampler/batch_sampler option is mutually exclusive with shuffle")
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, bool(shuffle)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.drop_last = bool(drop_last)
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.num_workers = num_workers
        if not (generator is None or isinstance(generator, int) or hasattr(generator, 'permutation')):
            raise ArgumentTypeError(f"DataLoader: generator must be None, an int seed or an object with "
                                    f".permutation(n) (numpy.random.Generator), got {describe(generator)}")
        self.generator = backend.generator(generator) if isinstance(generator, int) else generator

    def _indices(self):
        if self.sampler is not None:
            return list(self.sampler)
        n = len(self.dataset)
        if not self.shuffle:
            return list(range(n))
        source = self.generator
        order = (source.permutation(n) if source is not None
                 else backend.to_numpy(backend.random_permutation(n, 'cpu')))
        return [int(i) for i in order]

    def _batches(self):
        if self.batch_sampler is not None:
            yield from self.batch_sampler
            return
        indices = self._indices()
        if self.batch_size is None:  # torch: batch_size=None yields single examples, uncollated
            yield from ([i] for i in indices)
            return
        size = self.batch_size
        stop = len(indices) - len(indices) % size if self.drop_last else len(indices)
        for start in range(0, stop, size):
            yield indices[start:start + size]

    def __iter__(self):
        # a whole-batch read only where the batch is collated the default way
        fetch_many = getattr(self.dataset, '__getitems__', None) if self.collate_fn is default_collate else None
        for batch in self._batches():
            if self.batch_size is None and self.batch_sampler is None:
                yield self.dataset[batch[0]]
                continue
            examples = fetch_many(batch) if fetch_many is not None else [self.dataset[i] for i in batch]
            yield self.collate_fn(examples)

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
