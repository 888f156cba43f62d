"""The shipped digit scorer: its weights load, it reads the held-out digits as well as it says,
and its Fréchet distance orders real, shifted and fake digits sensibly."""
import configparser
import fnmatch
import os
import pathlib

import numpy as np
import pytest

import minigan as mg
from minigan.data import digits
from minigan.gan.classifier import FEATURES, WEIGHTS, DigitScorer, random_shift
from minigan.gan.metrics import frechet_distance

STATED_FLOOR = 0.97  # the shipped weights' held-out accuracy is at least this (see the docstring)


@pytest.fixture(scope='module')
def scorer():
    return DigitScorer.load()


@pytest.fixture(scope='module')
def held_out():
    return digits('test').tensors


def test_shipped_scorer_reaches_its_stated_held_out_accuracy(scorer, held_out):
    accuracy = scorer.label_accuracy(*held_out)
    # the same weights on another machine's BLAS may flip a borderline digit or two
    assert accuracy == pytest.approx(scorer.held_out_accuracy, abs=2 / 500)
    assert accuracy >= STATED_FLOOR


def test_predictions_features_and_class_counts(scorer, held_out):
    images, labels = held_out
    predicted, features = scorer.predict(images), scorer.features(images[:50])
    assert predicted.shape == (500,) and predicted.dtype == mg.int64
    assert features.shape == (50, FEATURES) and features.dtype == mg.float32
    counts = scorer.class_counts(images)
    assert sum(counts) == 500 and min(counts) >= 40  # 50 of each class, nearly all read right
    assert scorer.logits(images[:3]).shape == (3, 10)


def test_frechet_distance_ranks_real_shifted_collapsed_and_fake_digits(scorer, held_out):
    images, labels = held_out
    evens, odds = images[0::2], images[1::2]  # the file is in class order: both halves hold every class
    real_vs_real = scorer.frechet_distance(evens, odds)
    odd_features = scorer.features(odds)
    assert real_vs_real == frechet_distance(scorer.features(evens), odd_features)

    def fd_to_odds(fake):
        return frechet_distance(scorer.features(fake), odd_features)
    # ~0 up to rounding: a covariance eigenvalue ε from 0 contributes √ε (dead ReLU features)
    assert abs(frechet_distance(odd_features, odd_features)) < 1e-4 * real_vs_real
    mg.manual_seed(0)
    assert real_vs_real < fd_to_odds(random_shift(evens, 4))
    only_ones = images[mg.tensor(labels.numpy() == 1)]  # a generator collapsed onto one class
    noise = mg.rand(250, 1, 28, 28) * 2 - 1
    blank = mg.full((250, 1, 28, 28), -1.0)
    for fake in (only_ones, noise, blank):
        assert fd_to_odds(fake) > 20 * real_vs_real


def test_the_scorer_runs_on_every_device_with_the_same_answers(scorer, held_out, device):
    images = held_out[0][:20]
    on_device = DigitScorer.load(device=device)
    labels = on_device.predict(images.to(device))
    assert labels.device == device
    np.testing.assert_array_equal(labels.cpu().numpy(), scorer.predict(images).numpy())


@pytest.mark.parametrize('images, match', [
    (np.zeros((2, 28, 28), np.float32), r"shape \(N, 1, 28, 28\)"),
    (np.full((2, 1, 28, 28), 255.0, np.float32), r"in \[-1, 1\]"),
    (np.full((2, 1, 28, 28), np.nan, np.float32), "NaN"),
    (np.zeros((2, 1, 28, 28), np.uint8), "floating")])
def test_bad_images_are_refused_with_what_was_expected(scorer, images, match):
    with pytest.raises((ValueError, TypeError), match=match):
        scorer.predict(images)


def test_load_refuses_a_checkpoint_that_is_not_a_scorer(tmp_path):
    path = tmp_path / 'other.npz'
    mg.save({'weights': mg.zeros(3)}, path)
    with pytest.raises(ValueError, match="no digit scorer"):
        DigitScorer.load(path)


def test_the_weights_ship_in_the_package_and_are_small():
    setup = configparser.ConfigParser()
    setup.read(pathlib.Path(__file__).resolve().parent.parent / 'setup.cfg')
    patterns = setup['options.package_data'].get('minigan.gan', '').split(',')
    assert any(fnmatch.fnmatch(os.path.basename(WEIGHTS), p.strip()) for p in patterns)
    assert os.path.getsize(WEIGHTS) < 400_000


def test_random_shift_moves_each_image_within_the_bound(device):
    images = mg.full((300, 1, 9, 9), -1.0, device=device)
    images.array[:, 0, 4, 4] = 1.0  # one lit pixel in the middle
    mg.manual_seed(0)
    shifted = random_shift(images, max_shift=2).cpu().numpy()
    lit = np.argwhere(shifted[:, 0] == 1.0)
    assert len(lit) == 300 and (shifted == 1.0).sum() == 300 and ((shifted == -1.0) | (shifted == 1.0)).all()
    offsets = {(int(r) - 4, int(c) - 4) for _, r, c in lit}
    assert offsets == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}  # all 25 shifts occur
    np.testing.assert_array_equal(random_shift(images, max_shift=0).cpu().numpy(), images.cpu().numpy())
