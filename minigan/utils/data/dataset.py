"""Datasets: Dataset (map-style), IterableDataset, TensorDataset, Subset, ConcatDataset, and
random_split -- torch.utils.data's.

A map-style dataset answers ``len(d)`` and ``d[i]`` (one example). A TensorDataset's examples
are rows of tensors that share their first dim; it can also hand out a whole batch with one
gather (``__getitems__``, as torch 2 calls it), which the DataLoader uses when it can.
"""
import bisect
import math

from ... import backend, creation
from ...errors import ArgumentError, ArgumentTypeError, DimError, ShapeError
from ...tensor import Tensor


class Dataset:
    """The base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``
    (as in torch, the base has no ``__len__``, so ``len()`` of a dataset without one is a
    TypeError and the DataLoader says what is missing)."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream: subclasses define ``__iter__`` (no indexing, no shuffling)."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


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
        """A whole batch at once: one gather per tensor, already stacked (see collate.py)."""
        index = backend.asarray(indices, dtype=backend.int64, device=self.tensors[0].device)
        return Batch(Tensor(t.array[index]) for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Batch(tuple):
    """Examples already stacked into batch tensors: default_collate passes it through."""


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, i):
        if isinstance(i, list):
            return self.dataset[[self.indices[j] for j in i]]
        return self.dataset[self.indices[i]]

    def __getitems__(self, indices):
        picked = [self.indices[i] for i in indices]
        many = getattr(self.dataset, '__getitems__', None)
        return many(picked) if many is not None else [self.dataset[i] for i in picked]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """The examples of several datasets, one after the other."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ShapeError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes, total = [], 0
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise ArgumentTypeError("ConcatDataset does not support IterableDataset")
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, i):
        if i < 0:
            if -i > len(self):
                raise DimError(f"ConcatDataset: index {i} is out of range for length {len(self)}")
            i += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, i)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][i - start]


def random_split(dataset, lengths, generator=None):
    """Disjoint random Subsets of the given lengths (or fractions summing to 1, rounded down and
    the remainder handed out one by one, as torch does), from one random permutation."""
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
    if sum(lengths) != n:
        raise ShapeError(f"random_split: sum of input lengths {sum(lengths)} does not equal the length "
                         f"of the input dataset ({n})")
    order = creation.randperm(n, generator=generator).tolist()
    parts, start = [], 0
    for length in lengths:
        parts.append(Subset(dataset, order[start:start + length]))
        start += length
    return parts
