"""Your own full MNIST: a reader for the IDX files it is distributed in (plain or gzip'd).

An IDX file is a 4-byte magic number, then one big-endian uint32 per dimension, then the data:

    bytes 0-1   0x00 0x00
    byte  2     the data type: 0x08 = unsigned byte (the only type MNIST uses)
    byte  3     the number of dimensions d (3 for images: N × 28 × 28; 1 for labels: N)
    4·d bytes   the sizes, big-endian
    the rest    N·28·28 (or N) bytes, row-major

``mnist(data_dir, split)`` reads the four standard files (``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each
optionally ending in ``.gz``) and checks every header against the file's length, so a wrong or
truncated file is reported by name instead of producing garbage digits.
"""
import gzip
import math
import os
import zlib

from .. import backend
from ..errors import ArgumentError, MissingFileError
from ..tensor import Tensor
from ..utils.data import TensorDataset

FILES = {'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
         'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')}
UNSIGNED_BYTE = 0x08
_GZIP_MAGIC = b'\x1f\x8b'


def read_idx(path):
    """The uint8 array stored in the IDX file at ``path`` (gzip'd or not: told by its first bytes).

    Raises FileNotFoundError for a missing file and ValueError, naming the file, for anything that
    is not a complete unsigned-byte IDX file.
    """
    with open(path, 'rb') as f:
        raw = f.read()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as err:
            raise ArgumentError(f"mnist: {path} is a damaged or truncated gzip file ({err})") from None
    if len(raw) < 4 or raw[:2] != b'\x00\x00':
        raise ArgumentError(f"mnist: {path} is not an IDX file: it starts with {raw[:4].hex() or 'nothing'}; "
                            "expected the magic number 00000803 (images) or 00000801 (labels)")
    dtype, ndim = raw[2], raw[3]
    if dtype != UNSIGNED_BYTE:
        raise ArgumentError(f"mnist: {path} holds IDX data type 0x{dtype:02x}; expected 0x08 (unsigned "
                            "byte), the type of the MNIST files")
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise ArgumentError(f"mnist: {path} is truncated inside its header ({len(raw)} bytes for "
                            f"{ndim} dimensions)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    expected = header + math.prod(shape)
    if len(raw) != expected:
        problem = 'is truncated' if len(raw) < expected else 'has extra bytes at its end'
        raise ArgumentError(f"mnist: {path} {problem}: its header says shape {shape}, which is "
                            f"{expected} bytes with the header, but the file holds {len(raw)}")
    data = backend.asarray(memoryview(raw)[header:], dtype=backend.uint8)
    return data.reshape(shape)


def find_file(data_dir, stem):
    """The path of ``stem`` or ``stem.gz`` in ``data_dir`` (also torchvision's MNIST/raw/ layout)."""
    for folder in (data_dir, os.path.join(data_dir, 'MNIST', 'raw'), os.path.join(data_dir, 'raw')):
        for name in (stem, stem + '.gz'):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    raise MissingFileError(f"mnist: no {stem} (or {stem}.gz) in --data-dir {data_dir!r}; expected "
                           "the MNIST IDX files there, as downloaded (gzip'd or not)")


def mnist(data_dir, split='train', device=None):
    """TensorDataset of (image (1, 28, 28) float32 in [−1, 1], label int64) from the IDX files in
    ``data_dir``: 60,000 training or 10,000 test digits for the real files."""
    if split not in FILES:
        raise ArgumentError(f"mnist: unknown split {split!r}; expected one of {tuple(FILES)}")
    if not os.path.isdir(data_dir):
        raise MissingFileError(f"mnist: --data-dir {data_dir!r} is not a directory")
    image_file, label_file = (find_file(data_dir, stem) for stem in FILES[split])
    images, labels = read_idx(image_file), read_idx(label_file)
    if images.ndim != 3 or images.shape[0] == 0:
        raise ArgumentError(f"mnist: {image_file} holds an array of shape {tuple(images.shape)}; expected "
                            "images (N, rows, cols), N >= 1")
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise ArgumentError(f"mnist: {label_file} holds shape {tuple(labels.shape)} for {images.shape[0]} "
                            f"images in {image_file}; expected ({images.shape[0]},), one label per image")
    if labels.size and int(labels.max()) > 9:
        raise ArgumentError(f"mnist: {label_file} has a label {int(labels.max())}; expected digits 0-9 "
                            "(is it an image file?)")
    x = images.astype(backend.float32)[:, None] / 127.5 - 1.0
    device = device or 'cpu'
    return TensorDataset(Tensor(backend.to_device(x, device)),
                         Tensor(backend.to_device(labels.astype(backend.int64), device)))
