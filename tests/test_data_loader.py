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
