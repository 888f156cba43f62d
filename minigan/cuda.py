"""minigan.cuda: the GPU, under torch.cuda's names.

    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')

'cuda' is available when CuPy is installed and sees a GPU (``pip install 'minigan[gpu]'``).
minigan drives one GPU; random numbers come from one host stream for every device, so
``manual_seed`` here seeds that stream, the same one ``minigan.manual_seed`` seeds.
The legacy typed constructors (``cuda.FloatTensor(...)``) are in minigan.legacy.
"""
from . import backend
from .legacy import CUDA_TYPES

is_available = backend.cuda_is_available


def device_count():
    """The number of GPUs minigan can use: 1 when CUDA is available, else 0."""
    return 1 if is_available() else 0


def current_device():
    return 0


def manual_seed(seed):
    """Seed the random stream (minigan draws numbers for every device from one host stream)."""
    backend.manual_seed(seed)


manual_seed_all = manual_seed


def synchronize(device=None):
    """Wait until the GPU has finished its queued work (time GPU code only after this)."""
    if is_available():
        xp = backend.module_for('cuda')
        if hasattr(xp, 'cuda'):  # CuPy (the test suite's CPU stand-in for a GPU has no queue)
            xp.cuda.get_current_stream().synchronize()


FloatTensor, DoubleTensor, HalfTensor = CUDA_TYPES['FloatTensor'], CUDA_TYPES['DoubleTensor'], CUDA_TYPES['HalfTensor']
LongTensor, IntTensor = CUDA_TYPES['LongTensor'], CUDA_TYPES['IntTensor']
ByteTensor, BoolTensor = CUDA_TYPES['ByteTensor'], CUDA_TYPES['BoolTensor']
