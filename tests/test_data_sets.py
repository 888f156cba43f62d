"""The training data sets: 2-D mixtures, thin/bold stroke domains, the IDX reader and the catalog."""
import gzip
import math

import numpy as np
import pytest

import minigan as mg
from minigan import data
from minigan.data.mixtures import mixture_geometry
from minigan.data.mnist import FILES


@pytest.mark.parametrize('name, modes, sigma, radius', [('ring8', 8, 0.01, 1.0),
                                                        ('grid25', 25, 0.05, 4 * math.sqrt(2))])
def test_mixture_points_sit_on_their_modes_with_the_published_spread(name, modes, sigma, radius):
    points, mode = (t.numpy() for t in data.mixture_dataset(name, 'test').tensors)
    centers, s = mixture_geometry(name)
    assert points.shape == (2500, 2) and points.dtype == np.float32 and s == sigma
    assert centers.shape == (modes, 2)
    assert np.isclose(np.sqrt((centers ** 2).sum(1)).max(), radius)  # the outermost modes
    offsets = points - centers[mode]
    assert abs(offsets.std() - sigma) < 0.1 * sigma  # the offsets are N(0, σ²)
    assert np.bincount(mode, minlength=modes).min() > 2500 / modes / 2  # every mode drawn, about evenly
    nearest = np.argmin(((points[:, None] - centers[None]) ** 2).sum(-1), axis=1)
    assert (nearest == mode).all()


def test_mixtures_are_fixed_per_split_and_leave_the_global_generator_alone():
    mg.manual_seed(3)
    before = mg.randn(3).numpy()
    mg.manual_seed(3)
    first = data.ring8('train').tensors[0].numpy()
    assert np.array_equal(mg.randn(3).numpy(), before)
    assert np.array_equal(first, data.ring8('train').tensors[0].numpy())
    assert len(first) == 100_000
    assert not np.array_equal(first[:2500], data.ring8('test').tensors[0].numpy())
    with pytest.raises(ValueError, match="unknown mixture 'ring9'"):
        data.mixture_dataset('ring9')


def test_bold_widens_every_stroke_by_the_3x3_maximum():
    image = -np.ones((1, 1, 7, 7), np.float32)
    image[0, 0, 3, 3] = 1.0
    image[0, 0, 0, 6] = 0.5  # at the border: no ink appears outside the image
    out = data.bold(image)
    expected = -np.ones((7, 7), np.float32)
    expected[2:5, 2:5] = 1.0
    expected[0:2, 5:7] = 0.5
    assert np.array_equal(out[0, 0], expected)
    assert isinstance(data.bold(mg.tensor(image)), mg.Tensor)


def test_stroke_domains_unpaired_for_cyclegan_paired_for_pix2pix():
    a, b = (t.numpy() for t in data.strokes('train').tensors)
    assert a.shape == b.shape == (2250, 1, 28, 28)
    assert (b > 0).mean() > 1.5 * (a > 0).mean()  # bold: much more ink
    thin = data.digits('train').tensors[0].numpy()
    # unpaired: b[i] is never the bold version of a[i]
    assert not any(np.array_equal(data.bold(a[i:i + 1]), b[i:i + 1]) for i in range(50))
    assert {tuple(x.ravel()[:400]) for x in a[:100]} <= {tuple(x.ravel()[:400]) for x in thin}
    pa, pb = (t.numpy() for t in data.strokes('train', paired=True).tensors)
    assert len(pa) == 4500 and np.array_equal(data.bold(pa), pb)
    ta, tb = (t.numpy() for t in data.strokes('test').tensors)
    assert len(ta) == 500 and np.array_equal(data.bold(ta), tb)


# ----------------------------------------------------------------------------- the IDX reader
def idx_bytes(array, dtype_code=0x08):
    header = bytes([0, 0, dtype_code, array.ndim]) + b''.join(int(n).to_bytes(4, 'big') for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(folder, n=6, gz=False, split='train', images=None, labels=None):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28)) if images is None else images
    labels = rng.integers(0, 10, n) if labels is None else labels
    for stem, array in zip(FILES[split], (images, labels)):
        raw = idx_bytes(array)
        path = folder / (stem + ('.gz' if gz else ''))
        path.write_bytes(gzip.compress(raw) if gz else raw)
    return images, labels


@pytest.mark.parametrize('gz', [False, True])
def test_mnist_reads_plain_and_gzipped_idx_files(tmp_path, gz):
    images, labels = write_mnist(tmp_path, gz=gz)
    write_mnist(tmp_path, n=3, gz=gz, split='test')
    x, y = data.mnist(str(tmp_path)).tensors
    assert x.shape == (6, 1, 28, 28) and str(x.dtype) == 'float32' and str(y.dtype) == 'int64'
    assert np.allclose(x.numpy()[:, 0], images / 127.5 - 1, atol=1e-6) and np.array_equal(y.numpy(), labels)
    assert len(data.load('mnist', 'test', data_dir=str(tmp_path))) == 3


def test_mnist_errors_name_the_file_and_the_problem(tmp_path):
    with pytest.raises(ValueError, match="--data-dir"):
        data.load('mnist')
    with pytest.raises(FileNotFoundError, match="not a directory"):
        data.mnist(str(tmp_path / 'nowhere'))
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        data.mnist(str(tmp_path))
    write_mnist(tmp_path)
    image_file = tmp_path / 'train-images-idx3-ubyte'
    good = image_file.read_bytes()
    cases = [(good[:-10], "is truncated: its header says shape \\(6, 28, 28\\)"),
             (good + b'\0', "extra bytes"),
             (good[:6], "truncated inside its header"),
             (b'GIF89a' + good, "not an IDX file"),
             (good[:2] + b'\x0d' + good[3:], "data type 0x0d"),
             (gzip.compress(good)[:-30], "damaged or truncated gzip")]
    for content, message in cases:
        image_file.write_bytes(content)
        with pytest.raises(ValueError, match=message) as err:
            data.mnist(str(tmp_path))
        assert 'train-images-idx3-ubyte' in str(err.value)
    image_file.write_bytes(good)
    write_mnist(tmp_path, labels=np.arange(5) % 10)  # 6 images, 5 labels
    with pytest.raises(ValueError, match="one label per image"):
        data.mnist(str(tmp_path))
    write_mnist(tmp_path, labels=np.array([0, 1, 2, 3, 4, 200]))
    with pytest.raises(ValueError, match="label 200"):
        data.mnist(str(tmp_path))


def test_catalog_names_every_set_and_refuses_unknown_ones():
    assert set(data.CATALOG) == {'digits', 'mnist', 'ring8', 'grid25', 'strokes', 'strokes-paired'}
    kinds = {name: entry.kind for name, entry in data.CATALOG.items()}
    assert (kinds['ring8'], kinds['strokes'], kinds['strokes-paired']) == ('points', 'unpaired', 'paired')
    with pytest.raises(ValueError, match="unknown data set 'cifar'"):
        data.load('cifar')
