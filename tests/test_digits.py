"""The shipped digits: a fixed, balanced, disjoint train / held-out split in the tanh range."""
import numpy as np
import pytest

from minigan.data import digits
from minigan.data.digits import split_indices


def test_split_is_balanced_disjoint_and_covers_every_image():
    train, test = split_indices('train'), split_indices('test')
    assert len(train) == 4500 and len(test) == 500
    assert not set(train.tolist()) & set(test.tolist())
    assert sorted(train.tolist() + test.tolist()) == list(range(5000))
    for split, per_class in [('train', 450), ('test', 50)]:
        labels = digits(split).tensors[1].numpy()
        assert np.bincount(labels, minlength=10).tolist() == [per_class] * 10


def test_images_are_float32_in_the_tanh_range_and_look_like_digits():
    x, y = digits('test').tensors
    assert x.shape == (500, 1, 28, 28) and str(x.dtype) == 'float32' and str(y.dtype) == 'int64'
    values = x.numpy()
    assert values.min() == -1.0 and values.max() == 1.0
    ink = (values > 0).mean(axis=(1, 2, 3))  # MNIST digits cover roughly 10-25% of the image
    assert 0.05 < ink.mean() < 0.3
    ones, zeros = values[y.numpy() == 1], values[y.numpy() == 0]
    assert (ones > 0).mean() < (zeros > 0).mean()  # a 1 has less ink than a 0


def test_unknown_split_is_refused():
    with pytest.raises(ValueError, match="expected one of"):
        digits('validation')
