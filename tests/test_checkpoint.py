"""minigan.save / minigan.load: round trips, devices, atomic writes, and files that must be refused
without running anything."""
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import minigan as mg
from minigan import backend


class CreatesFileWhenUnpickled:
    """A pickle payload: unpickling it calls open(marker, 'w'), i.e. runs code that leaves a trace."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def sample_object(device='cpu'):
    mg.manual_seed(3)
    model = mg.nn.Sequential(mg.nn.Linear(3, 4), mg.nn.BatchNorm1d(4)).to(device)
    opt = mg.optim.Adam(model.parameters(), lr=2e-4, betas=(0.5, 0.999))
    model(mg.randn(5, 3, device=device)).sum().backward()
    opt.step()
    return {
        'model': model.state_dict(), 'optimizer': opt.state_dict(), 'rng': mg.get_rng_state(),
        'epoch': 7, 'lr': 2e-4, 'name': 'dcgan', 'done': False, 'best': None,
        'history': [1.5, float('inf'), float('nan')], 'shape': (2, 3),
        'raw': np.arange(6, dtype=np.uint8).reshape(2, 3),
        'typed': [mg.ones(2, dtype=d, device=device) for d in ('float16', 'float64', 'int32', 'bool')],
        'leaf': mg.randn(2, requires_grad=True, device=device),
    }


def assert_same(a, b):
    assert type(a) is type(b) or isinstance(a, mg.Tensor) and isinstance(b, mg.Tensor), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, mg.Tensor):
        assert (a.dtype, a.shape, a.device, a.requires_grad) == (b.dtype, b.shape, b.device, b.requires_grad)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, float) and a != a:
        assert b != b
    else:
        assert a == b


def test_round_trip_keeps_structure_types_dtypes_and_values(tmp_path, device):
    obj = sample_object(device)
    mg.save(obj, tmp_path / 'ck.npz')
    assert_same(obj, mg.load(tmp_path / 'ck.npz'))


def test_map_location_puts_tensors_on_the_requested_device(tmp_path, device):
    mg.save({'w': mg.ones(2, device=device), 'a': np.zeros(2)}, tmp_path / 'ck.npz')
    loaded = mg.load(tmp_path / 'ck.npz', map_location='cpu')
    assert loaded['w'].device == 'cpu' and isinstance(loaded['w'], mg.Tensor)
    moved = mg.load(tmp_path / 'ck.npz', map_location='cuda')
    assert moved['w'].device == 'cuda' and backend.device_of(moved['a']) == 'cuda'
    with pytest.raises(ValueError, match='unknown device'):
        mg.load(tmp_path / 'ck.npz', map_location='tpu')


def test_rng_state_resumes_the_same_random_stream(tmp_path):
    mg.manual_seed(11)
    mg.randn(3)
    mg.save({'rng': mg.get_rng_state()}, tmp_path / 'ck.npz')
    expected = mg.randn(4).numpy()
    mg.manual_seed(0)
    mg.set_rng_state(mg.load(tmp_path / 'ck.npz')['rng'])
    np.testing.assert_array_equal(mg.randn(4).numpy(), expected)


def test_the_file_is_an_npz_with_a_json_manifest(tmp_path):
    mg.save({'w': mg.ones(2), 'step': 3}, tmp_path / 'ck.npz')
    with np.load(tmp_path / 'ck.npz', allow_pickle=False) as archive:
        manifest = json.loads(archive['manifest'].item())
        assert manifest['format'] == 'minigan-checkpoint'
        np.testing.assert_array_equal(archive['a0'], [1.0, 1.0])


# ----------------------------------------------------------------------------- refused files
def test_missing_file():
    with pytest.raises(FileNotFoundError, match='nowhere.npz'):
        mg.load('/nonexistent/nowhere.npz')


@pytest.mark.parametrize('writer', ['pickle', 'npz-object-array', 'npy-object-array'])
def test_pickled_data_is_refused_and_never_executed(tmp_path, writer):
    marker = tmp_path / 'pwned'
    payload = CreatesFileWhenUnpickled(marker)
    path = tmp_path / 'evil.npz'
    if writer == 'pickle':
        path.write_bytes(pickle.dumps({'model': payload}))
    elif writer == 'npz-object-array':
        manifest = json.dumps({'format': 'minigan-checkpoint', 'version': 1,
                               'root': {'$': 'array', 'array': 'a0', 'shape': [1], 'dtype': 'object', 'device': 'cpu'}})
        with open(path, 'wb') as f:
            np.savez(f, manifest=np.array(manifest), a0=np.array([payload], dtype=object))
    else:
        with open(path, 'wb') as f:
            np.save(f, np.array([payload], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match='evil.npz'):
        mg.load(path)
    assert not marker.exists(), "loading ran the code in the pickle"


@pytest.mark.parametrize('keep', [0.5, 0.9, 30])
def test_truncated_file_gives_a_clear_error(tmp_path, keep):
    path = tmp_path / 'ck.npz'
    mg.save(sample_object(), path)
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep) if keep < 1 else keep])
    with pytest.raises(ValueError, match=r"ck\.npz.*(truncated or corrupt|not a minigan checkpoint)"):
        mg.load(path)


def test_corrupt_array_bytes_are_detected(tmp_path):
    path = tmp_path / 'ck.npz'
    mg.save({'w': mg.zeros(1000)}, path)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside the array's bytes: the zip CRC no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match='truncated or corrupt'):
        mg.load(path)


def write_npz(path, manifest=None, **arrays):
    if manifest is not None:
        arrays['manifest'] = np.array(json.dumps(manifest))
    with open(path, 'wb') as f:
        np.savez(f, **arrays)


def tensor_node(shape, dtype='float32', name='a0'):
    return {'$': 'tensor', 'array': name, 'shape': shape, 'dtype': dtype, 'device': 'cpu', 'requires_grad': False}


@pytest.mark.parametrize('manifest, arrays, message', [
    (None, {'w': np.ones(2)}, 'no manifest'),
    ({'format': 'something-else', 'root': 1}, {}, 'not a minigan-checkpoint manifest'),
    ({'format': 'minigan-checkpoint', 'version': 99, 'root': 1}, {}, 'version 99'),
    ({'format': 'minigan-checkpoint', 'version': 1, 'root': tensor_node([2])}, {}, "'a0' is missing"),
    ({'format': 'minigan-checkpoint', 'version': 1, 'root': tensor_node([3])},
     {'a0': np.ones(2, np.float32)}, 'has shape'),
    ({'format': 'minigan-checkpoint', 'version': 1, 'root': tensor_node([2], 'float64')},
     {'a0': np.ones(2, np.float32)}, 'dtype'),
    ({'format': 'minigan-checkpoint', 'version': 1, 'root': 5}, {'a0': np.ones(2)}, 'does not mention'),
    ({'format': 'minigan-checkpoint', 'version': 1, 'root': {'$': 'function', 'name': 'os.system'}}, {},
     'unknown node'),
], ids=['no-manifest', 'foreign-format', 'future-version', 'missing-array', 'shape', 'dtype', 'extra-array',
        'unknown-node'])
def test_mismatched_files_are_refused(tmp_path, manifest, arrays, message):
    path = tmp_path / 'bad.npz'
    write_npz(path, manifest, **arrays)
    with pytest.raises(ValueError, match=message):
        mg.load(path)


def test_a_foreign_zip_and_a_text_file_are_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / 'x.npz', 'w') as z:
        z.writestr('readme.txt', 'hello')
    with pytest.raises(ValueError, match='x.npz'):
        mg.load(tmp_path / 'x.npz')
    (tmp_path / 'y.npz').write_text('{"format": "minigan-checkpoint"}')
    with pytest.raises(ValueError, match='not an .npz archive'):
        mg.load(tmp_path / 'y.npz')


# ----------------------------------------------------------------------------- saving
@pytest.mark.parametrize('obj, message', [
    ({'s': {1, 2}}, r"obj\['s'\] is a set"),
    ({'m': mg.nn.Linear(2, 2)}, 'is a Linear'),
    ({'x': np.float32(1.0)}, 'NumPy scalars'),
    ({'o': np.array([object()], dtype=object)}, 'dtype object'),
    ({(1, 2): 3}, 'keys must be str or int'),
])
def test_unsupported_objects_are_refused_before_anything_is_written(tmp_path, obj, message):
    path = tmp_path / 'ck.npz'
    mg.save({'version': 1}, path)
    with pytest.raises(TypeError, match=message):
        mg.save(obj, path)
    assert mg.load(path) == {'version': 1}
    assert os.listdir(tmp_path) == ['ck.npz']


def test_saving_into_a_missing_directory_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        mg.save({'a': 1}, tmp_path / 'no' / 'such' / 'ck.npz')


def test_a_reference_cycle_is_refused(tmp_path):
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match='contains itself'):
        mg.save({'loop': loop}, tmp_path / 'ck.npz')


def test_a_failure_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / 'ck.npz'
    mg.save({'epoch': 1, 'w': mg.ones(3)}, path)
    before = path.read_bytes()
    real = backend.save_npz

    def crash_halfway(file, arrays):
        buffer = io.BytesIO()
        real(buffer, arrays)
        file.write(buffer.getvalue()[:100])  # some bytes reach the disk, then the "disk is full"
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(backend, 'save_npz', crash_halfway)
    with pytest.raises(OSError, match='No space left'):
        mg.save({'epoch': 2, 'w': mg.zeros(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ['ck.npz'], "the temporary file was left behind"
    assert mg.load(path)['epoch'] == 1


def test_save_accepts_a_relative_path_and_any_suffix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mg.save({'a': 1}, 'model.ckpt')
    assert os.listdir('.') == ['model.ckpt'] and mg.load('model.ckpt') == {'a': 1}
