"""Samplers: the order in which a DataLoader visits a dataset's indices, as torch.utils.data.

    SequentialSampler     0, 1, ..., n-1
    RandomSampler         a new random permutation each pass (or draws with replacement)
    SubsetRandomSampler   a permutation of given indices
    BatchSampler          groups another sampler's indices into lists of batch_size

Random ones draw from ``generator`` (a minigan.Generator) when given, else from the global
stream that ``minigan.manual_seed`` seeds -- so either way an epoch order is reproducible.
"""
from ... import creation
from ...errors import ArgumentError, ArgumentTypeError
from ...generator import Generator


def permutation(n, generator):
    """A random permutation of range(n) as a list: from a minigan.Generator, an object with
    NumPy's ``.permutation`` (numpy.random.Generator), or the global stream (None)."""
    if generator is None or isinstance(generator, Generator):
        return creation.randperm(n, generator=generator).tolist()
    if hasattr(generator, 'permutation'):
        return [int(i) for i in generator.permutation(n)]
    raise ArgumentTypeError(f"generator must be a minigan.Generator (or None), got {type(generator).__name__}")


class Sampler:
    """The base class: subclasses define ``__iter__`` (indices) and usually ``__len__``."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A permutation of the indices each pass; with replacement=True, num_samples independent draws."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source, self.replacement, self.generator = data_source, replacement, generator
        self._num_samples = num_samples
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ArgumentError(f"RandomSampler: num_samples should be a positive integer, got {self.num_samples!r}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        if self.replacement:
            return iter(creation.randint(0, n, (self.num_samples,), generator=self.generator).tolist())
        order = []
        while len(order) < self.num_samples:  # num_samples may ask for more than one pass
            order += permutation(n, self.generator)
        return iter(order[:self.num_samples])

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    def __init__(self, indices, generator=None):
        self.indices, self.generator = list(indices), generator

    def __iter__(self):
        return iter([self.indices[i] for i in permutation(len(self.indices), self.generator)])

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Lists of batch_size indices from ``sampler``; the last is shorter unless drop_last."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ArgumentError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, bool(drop_last)

    def __iter__(self):
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
