"""Datasets and the DataLoader, as torch.utils.data: what every training loop draws batches from.

    Dataset         anything with ``__len__`` and ``__getitem__(i)`` -> one example
    TensorDataset   examples are the i-th rows of some tensors of one length: (x[i], y[i])
    Subset, ConcatDataset, random_split    parts and sums of datasets
    samplers        the order of the indices: in order, shuffled, a subset; and into batches
    DataLoader      batches of ``batch_size`` examples, stacked by ``collate_fn`` into tensors
                    whose first dim is the batch

    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True,
                        generator=minigan.Generator().manual_seed(0))
    for xb, yb in loader: ...

The files follow torch's: dataset.py, sampler.py, collate.py, dataloader.py.
"""
from .collate import default_collate, default_convert  # noqa: F401
from .dataloader import DataLoader  # noqa: F401
from .dataset import (ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,  # noqa: F401
                      random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,  # noqa: F401
                      SubsetRandomSampler)
