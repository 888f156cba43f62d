"""minigan.utils.data: Dataset, TensorDataset, DataLoader (torch's semantics, seeded order)."""
import numpy as np
import pytest

import minigan as mg
from minigan.utils.data import DataLoader, Dataset, TensorDataset, default_collate


def _dataset(n=10):
    x = mg.tensor(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    y = mg.tensor(np.arange(n))
    return TensorDataset(x, y)


def test_batches_in_order_cover_the_dataset_and_keep_the_rows_together():
    batches = list(DataLoader(_dataset(10), batch_size=4))
    assert [tuple(x.shape) for x, _ in batches] == [(4, 3), (4, 3), (2, 3)]
    xs = np.concatenate([x.numpy() for x, _ in batches])
    ys = np.concatenate([y.numpy() for _, y in batches])
    np.testing.assert_array_equal(ys, np.arange(10))
    np.testing.assert_array_equal(xs[:, 0], 3 * ys)
    assert len(DataLoader(_dataset(10), batch_size=4)) == 3


def test_drop_last_drops_the_short_batch():
    loader = DataLoader(_dataset(10), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [x.shape[0] for x, _ in loader] == [4, 4]


def test_shuffle_is_a_permutation_reproducible_from_the_seed_and_new_each_epoch():
    def epoch_orders(seed):
        mg.manual_seed(seed)
        loader = DataLoader(_dataset(12), batch_size=5, shuffle=True)
        return [np.concatenate([y.numpy() for _, y in loader]) for _ in range(2)]
    first, second = epoch_orders(3)
    assert sorted(first) == list(range(12)) and sorted(second) == list(range(12))
    assert not np.array_equal(first, second)
    again = epoch_orders(3)
    np.testing.assert_array_equal(first, again[0])
    np.testing.assert_array_equal(second, again[1])


def test_a_generator_seed_gives_an_order_independent_of_the_global_stream():
    orders = []
    for global_seed in (0, 1):
        mg.manual_seed(global_seed)
        loader = DataLoader(_dataset(12), batch_size=12, shuffle=True, generator=7)
        orders.append(next(iter(loader))[1].numpy())
    np.testing.assert_array_equal(*orders)


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {'x': np.full(2, i, dtype=np.float32), 'i': i}


def test_a_plain_dataset_is_collated_field_by_field():
    (batch,) = list(DataLoader(Squares(), batch_size=5))
    assert tuple(batch['x'].shape) == (5, 2) and batch['i'].tolist() == [0, 1, 2, 3, 4]


def test_a_custom_collate_fn_gets_the_list_of_examples():
    seen = []
    loader = DataLoader(_dataset(4), batch_size=2, collate_fn=lambda ex: seen.append(len(ex)) or len(ex))
    assert list(loader) == [2, 2] and seen == [2, 2]


def test_clear_errors():
    with pytest.raises(ValueError, match='size mismatch'):
        TensorDataset(mg.zeros(3, 2), mg.zeros(4))
    with pytest.raises(ValueError, match='batch_size'):
        DataLoader(_dataset(), batch_size=0)
    with pytest.raises(TypeError, match='map-style'):
        DataLoader(object())
    with pytest.raises(TypeError, match='cannot batch'):
        default_collate([object(), object()])


# ----------------------------------------------------------------------------- against torch
torch = pytest.importorskip('torch')
tdata = torch.utils.data


def _both_tensor_datasets(n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n)
    return TensorDataset(mg.tensor(x), mg.tensor(y)), tdata.TensorDataset(torch.tensor(x), torch.tensor(y))


def _same_structure(ours, theirs):
    """Equal values, dtypes and container types (list / dict / namedtuple / tensor)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mg.Tensor) and str(ours.dtype) == str(theirs.dtype).split('.')[1]
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is dict and list(ours) == list(theirs)
        for k in theirs:
            _same_structure(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours).__name__ == type(theirs).__name__ and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same_structure(a, b)
    else:
        assert ours == theirs


@pytest.mark.parametrize('batch_size, drop_last', [(4, False), (4, True), (10, False), (3, True), (None, False)])
def test_unshuffled_batches_match_torchs(batch_size, drop_last):
    ours, theirs = _both_tensor_datasets()
    ol = DataLoader(ours, batch_size=batch_size, drop_last=drop_last)
    tl = tdata.DataLoader(theirs, batch_size=batch_size, drop_last=drop_last)
    assert len(ol) == len(tl)
    ours_batches, theirs_batches = list(ol), list(tl)
    assert len(ours_batches) == len(theirs_batches)
    for a, b in zip(ours_batches, theirs_batches):
        _same_structure(a, b)


Pair = __import__('collections').namedtuple('Pair', 'image label')


class Mixed:
    """Examples of every kind default_collate handles, the same for both libraries."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return {'image': np.full((2, 2), i, dtype=np.float32), 'label': i, 'weight': i / 2, 'real': i % 2 == 0,
                'name': f'img{i}', 'scalar': np.float64(i), 'pair': Pair(np.arange(2) + i, i), 'codes': [i, -i]}


def test_default_collate_matches_torchs_on_every_kind_of_example():
    _same_structure(list(DataLoader(Mixed(), batch_size=4)), list(tdata.DataLoader(Mixed(), batch_size=4)))
    _same_structure(DataLoader(Mixed(), batch_size=None).__iter__().__next__(),
                    tdata.DataLoader(Mixed(), batch_size=None).__iter__().__next__())


def test_a_minigan_generator_shuffles_reproducibly_and_apart_from_the_global_stream():
    ds, _ = _both_tensor_datasets(12)

    def orders(seed, global_seed):
        mg.manual_seed(global_seed)
        loader = DataLoader(ds, batch_size=5, shuffle=True, generator=mg.Generator().manual_seed(seed))
        return [np.concatenate([y.numpy() for _, y in loader]) for _ in range(2)]
    first = orders(0, 1)
    assert sorted(first[0]) == list(range(12)) and not np.array_equal(*first)  # a new order each epoch
    for a, b in zip(first, orders(0, 2)):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], orders(1, 1)[0])


def test_samplers_and_splits_behave_as_torchs():
    ours, theirs = _both_tensor_datasets(10)
    from minigan.utils.data import (BatchSampler, ConcatDataset, RandomSampler, SequentialSampler, Subset,
                                    SubsetRandomSampler, random_split)
    assert list(BatchSampler(SequentialSampler(ours), 3, False)) == list(
        tdata.BatchSampler(tdata.SequentialSampler(theirs), 3, False))
    assert sorted(SubsetRandomSampler([7, 2, 5])) == [2, 5, 7] and len(SubsetRandomSampler([1, 2])) == 2
    draws = list(RandomSampler(ours, replacement=True, num_samples=25))
    assert len(draws) == 25 and set(draws) <= set(range(10))
    more = list(RandomSampler(ours, num_samples=15))  # more than one pass: whole permutations, then a part
    assert sorted(more[:10]) == list(range(10)) and len(set(more[10:])) == 5
    for lengths in ([3, 7], [0.25, 0.75], [0.3, 0.3, 0.4]):
        parts = random_split(ours, lengths, generator=mg.Generator().manual_seed(0))
        parts_t = tdata.random_split(theirs, lengths, generator=torch.Generator().manual_seed(0))
        assert [len(p) for p in parts] == [len(p) for p in parts_t]
        assert sorted(i for p in parts for i in p.indices) == list(range(10))
    _same_structure(Subset(ours, [4, 1])[1], tdata.Subset(theirs, [4, 1])[1])
    both = ConcatDataset([ours, Subset(ours, [0, 9])])
    both_t = tdata.ConcatDataset([theirs, tdata.Subset(theirs, [0, 9])])
    assert len(both) == len(both_t) == 12
    for i in (0, 10, 11, -1):
        _same_structure(both[i], both_t[i])
    with pytest.raises(ValueError, match='sum of input lengths'):
        random_split(ours, [3, 3])


class Stream(mg.utils.data.IterableDataset):
    def __iter__(self):
        return iter(np.arange(7.0))


class TorchStream(tdata.IterableDataset):
    def __iter__(self):
        return iter(np.arange(7.0))


def test_an_iterable_dataset_is_batched_as_torch_does():
    _same_structure(list(DataLoader(Stream(), batch_size=3)), list(tdata.DataLoader(TorchStream(), batch_size=3)))
    with pytest.raises(ValueError, match='shuffle'):
        DataLoader(Stream(), shuffle=True)
