"""Checkpoints: ``minigan.save(obj, path)`` and ``minigan.load(path)``, safe by construction.

``obj`` is any nesting of dicts (str or int keys), lists and tuples whose leaves are Tensors,
arrays, or plain values (None, bool, int, float, str): model and optimizer state dicts, the RNG
state, epoch counters. The file is one .npz archive (a zip of .npy arrays) holding

    'manifest'       the structure of ``obj`` as JSON text
    'a0', 'a1', ...  every Tensor and array in ``obj``, in the order they were met

In the manifest plain values stand for themselves; everything else is a tagged object:

    {"$": "dict", "keys": [...], "values": [...]}   (a JSON object would turn int keys into str)
    {"$": "list", "items": [...]}   {"$": "tuple", "items": [...]}
    {"$": "tensor", "array": "a3", "shape": [64, 3], "dtype": "float32", "device": "cpu",
     "requires_grad": false}                         ("array" nodes are the same without grad)

Why not pickle (as torch.save does): unpickling a file runs whatever code it names, so a
downloaded checkpoint could do anything. Here the file is read with ``allow_pickle=False`` and the
manifest is plain JSON: loading a file can only ever produce data.

Why atomic: a crash in the middle of writing must not destroy the last good checkpoint. We write
to a temporary file in the same directory, fsync it, and ``os.replace`` it over the target, which
the OS performs all at once: readers see the old file or the new one, never half of one.
"""
import json
import os
import tempfile
import zipfile

from . import backend
from .errors import ArgumentError, ArgumentTypeError, CheckpointError, DTypeError, MissingFileError
from .tensor import Tensor

FORMAT = 'minigan-checkpoint'
VERSION = 1
_PLAIN = (type(None), bool, int, float, str)
_ZIP_MAGIC = b'PK\x03\x04'


# ----------------------------------------------------------------------------- save
def save(obj, path):
    """Write ``obj`` (nested dicts / lists / tuples of Tensors, arrays and plain values) to ``path``.

    Unsupported objects raise TypeError before anything is written. The write is atomic: if it
    fails, any file already at ``path`` is left as it was.
    """
    arrays = {}
    manifest = {'format': FORMAT, 'version': VERSION, 'root': _encode(obj, arrays, 'obj', set())}
    arrays['manifest'] = backend.asarray(json.dumps(manifest))
    path = _path('save', path)
    if os.path.isdir(path):
        raise ArgumentError(f"save: {path!r} is a directory; expected the path of a file to write")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise MissingFileError(f"save: cannot write {path!r}: the directory {directory!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.' + os.path.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            backend.save_npz(f, arrays)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename makes them visible
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a checkpoint is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _path(caller, path):
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(f"{caller}: path must be a str or a path-like object, got {type(path).__name__}")
    return os.fspath(path)


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _encode(obj, arrays, where, seen):
    """The manifest node of ``obj``; its arrays are added to ``arrays``. ``where`` names it in errors."""
    if isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, Tensor) or backend.is_array(obj):
        array = obj.array if isinstance(obj, Tensor) else obj
        if not (backend.is_floating(array.dtype) or array.dtype.kind in 'biu'):
            raise DTypeError(f"save: {where} is an array of dtype {array.dtype}; only bool, integer "
                             "and floating arrays can be saved (object arrays would need pickle)")
        name = f'a{len(arrays)}'
        arrays[name] = array
        node = {'$': 'tensor' if isinstance(obj, Tensor) else 'array', 'array': name,
                'shape': list(array.shape), 'dtype': str(array.dtype), 'device': backend.device_of(array)}
        if isinstance(obj, Tensor):
            node['requires_grad'] = bool(obj.requires_grad)
        return node
    if not isinstance(obj, (dict, list, tuple)):
        raise ArgumentTypeError(f"save: {where} is a {type(obj).__name__}, which cannot be saved; expected "
                                "dicts, lists, tuples, Tensors, arrays, None, bool, int, float or str "
                                "(convert NumPy scalars with float() or int())")
    if id(obj) in seen:
        raise ArgumentError(f"save: {where} contains itself (a reference cycle)")
    seen = seen | {id(obj)}
    if isinstance(obj, dict):
        for key in obj:
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise ArgumentTypeError(f"save: {where} has a key {key!r} of type {type(key).__name__}; "
                                        "dict keys must be str or int")
        return {'$': 'dict', 'keys': list(obj),
                'values': [_encode(v, arrays, f'{where}[{k!r}]', seen) for k, v in obj.items()]}
    return {'$': type(obj).__name__,
            'items': [_encode(v, arrays, f'{where}[{i}]', seen) for i, v in enumerate(obj)]}


# ----------------------------------------------------------------------------- load
def load(path, map_location=None):
    """The object saved at ``path``. Tensors come back as Tensors with their dtype, on
    ``map_location`` ('cpu' or 'cuda'; None puts each where it was saved). Arrays likewise.

    Raises FileNotFoundError for a missing file and ValueError, naming the path and the problem,
    for a file that is not a minigan checkpoint, is truncated or corrupt, holds pickled data, or
    whose manifest and arrays disagree. Nothing in the file is ever executed.
    """
    path = _path('load', path)
    device = None if map_location is None else backend.normalize_device(map_location)
    if not os.path.isfile(path):
        raise MissingFileError(f"load: no checkpoint file at {path!r}")
    with open(path, 'rb') as f:
        head = f.read(4)
    if head != _ZIP_MAGIC:
        kind = ('a pickle (e.g. written by torch.save or pickle.dump), which minigan never loads'
                if head[:1] == b'\x80' else 'not an .npz archive')
        raise CheckpointError(f"load: {path!r} is not a minigan checkpoint: the file is {kind}")
    try:
        arrays = backend.load_npz(path)
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as err:
        what = ('holds pickled (object) data, which minigan never loads' if 'pickle' in str(err)
                else 'is truncated or corrupt')
        raise CheckpointError(f"load: {path!r} {what} ({type(err).__name__}: {err})") from None
    manifest = _read_manifest(arrays, path)
    used = set()
    obj = _decode(manifest['root'], arrays, used, device, path, 'obj')
    unused = sorted(set(arrays) - used - {'manifest'})
    if unused:
        raise CheckpointError(f"load: {path!r} holds arrays the manifest does not mention: {unused}")
    return obj


def _read_manifest(arrays, path):
    text = arrays.get('manifest')
    if text is None or text.shape != () or text.dtype.kind != 'U':
        raise CheckpointError(f"load: {path!r} has no manifest; it is an .npz file but not one written "
                              "by minigan.save")
    try:
        manifest = json.loads(text.item())
    except ValueError as err:
        raise CheckpointError(f"load: {path!r} has a corrupt manifest ({err})") from None
    if not isinstance(manifest, dict) or manifest.get('format') != FORMAT or 'root' not in manifest:
        raise CheckpointError(f"load: {path!r} has a manifest that is not a {FORMAT} manifest")
    if manifest.get('version') != VERSION:
        raise CheckpointError(f"load: {path!r} is format version {manifest.get('version')!r}; this "
                              f"minigan reads version {VERSION}")
    return manifest


def _decode(node, arrays, used, device, path, where):
    if isinstance(node, _PLAIN):
        return node
    tag = node.get('$') if isinstance(node, dict) else None

    def fail(problem):
        raise CheckpointError(f"load: {path!r} does not match its manifest at {where}: {problem}")

    if tag in ('tensor', 'array'):
        name = node.get('array')
        if name not in arrays or name == 'manifest':
            fail(f"array {name!r} is missing from the file")
        array = arrays[name]
        if list(array.shape) != node.get('shape') or str(array.dtype) != node.get('dtype'):
            fail(f"array {name!r} has shape {list(array.shape)} and dtype {array.dtype}, the manifest "
                 f"says {node.get('shape')} and {node.get('dtype')}")
        used.add(name)
        array = backend.to_device(array, device or node.get('device', 'cpu'))
        if tag == 'array':
            return array
        t = Tensor(array)
        if node.get('requires_grad') and backend.is_floating(array.dtype):
            t.requires_grad_(True)
        return t
    if tag == 'dict':
        keys, values = node.get('keys'), node.get('values')
        if not isinstance(keys, list) or not isinstance(values, list) or len(keys) != len(values):
            fail("a dict node without matching 'keys' and 'values' lists")
        if not all(isinstance(k, (str, int)) for k in keys):
            fail("a dict key that is neither str nor int")
        return {k: _decode(v, arrays, used, device, path, f'{where}[{k!r}]') for k, v in zip(keys, values)}
    if tag in ('list', 'tuple'):
        items = node.get('items')
        if not isinstance(items, list):
            fail(f"a {tag} node without an 'items' list")
        out = [_decode(v, arrays, used, device, path, f'{where}[{i}]') for i, v in enumerate(items)]
        return out if tag == 'list' else tuple(out)
    fail(f"unknown node {str(node)[:80]!r}")
