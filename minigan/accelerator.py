"""minigan.accelerator: torch.accelerator's names (PyTorch 2.6+). The one accelerator minigan
knows is a CUDA GPU (through CuPy)::

    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else torch.device('cpu')
"""
from . import cuda
from .tensor import device


def is_available():
    return cuda.is_available()


def device_count():
    return cuda.device_count()


def current_accelerator(check_available=False):
    """device('cuda') when a GPU is usable, else None."""
    return device('cuda') if is_available() else None
