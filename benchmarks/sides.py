"""The contenders of a run: minigan on a device, and PyTorch on the same device when it is there.

minigan runs on 'cpu' (NumPy) or 'cuda' (CuPy, when ``minigan.cuda.is_available()``); PyTorch
runs on the CPU when installed and on CUDA when ``torch.cuda.is_available()``. A ratio is always
minigan over PyTorch *on the same device*.

GPU calls return before the GPU has finished, so every timed call is followed by its library's
``synchronizer(...)()``: the clock stops when the work is done, not when it was queued.
"""
import numpy as np

import minigan as mg
from minigan import backend

try:
    import torch
except ImportError:  # minigan's columns still run; PyTorch's stay empty
    torch = None


def torch_on(device):
    """True when PyTorch can run on ``device`` ('cpu' or 'cuda')."""
    if torch is None:
        return False
    return device == 'cpu' or torch.cuda.is_available()


def synchronizer(library, device):
    """A function that waits until ``library``'s queued work on ``device`` is done."""
    if device != 'cuda':
        return lambda: None
    if library == 'torch':
        return torch.cuda.synchronize
    return mg.cuda.synchronize  # also right for the test suite's CPU stand-in (nothing queued)


class Side:
    """What a training step needs from one library: nn, optim, BCE, grad, no_grad, tensors."""

    def __init__(self, lib, device):
        self.lib, self.device = lib, device
        self.is_torch = lib is torch
        self.nn = lib.nn
        self.F = lib.nn.functional
        self.bce = self.F.binary_cross_entropy_with_logits
        self.grad = torch.autograd.grad if self.is_torch else mg.grad

    def tensor(self, array):
        """A tensor on this side's device with the values of the NumPy ``array`` (copied)."""
        if self.is_torch:
            return torch.from_numpy(np.array(array)).to(self.device)
        return mg.tensor(array, device=self.device)

    def adam(self, params, lr=2e-4, betas=(0.5, 0.999)):
        return self.lib.optim.Adam(params, lr=lr, betas=betas)

    def no_grad(self):
        return self.lib.no_grad()


def copy_weights(source, target):
    """Load a minigan module's parameters and buffers into the torch module of the same layout
    (the same attribute names, so the same state_dict keys); returns ``target``."""
    device = next(target.parameters()).device
    state = {k: torch.from_numpy(backend.to_numpy(v.array).copy()).to(device)
             for k, v in source.state_dict().items()}
    target.load_state_dict(state)
    return target
