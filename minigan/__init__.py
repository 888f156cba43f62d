"""minigan: a small reverse-mode autograd engine on NumPy / CuPy, and the classic GAN losses on it.

    import minigan as mg
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 2).sum()
    y.backward()          # x.grad == [2., 4.]

Names follow PyTorch: mg.tensor, mg.grad (torch.autograd.grad), mg.no_grad, mg.cat, ...
"""
from . import ops  # noqa: F401 -- attaches the operators and methods to Tensor
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .autograd import backward, grad
from .backend import (bool_, cuda_is_available, float16, float32, float64, get_rng_state, int32,
                      int64, manual_seed, set_rng_state, uint8)
from .errors import (AnomalyError, ArgumentError, ArgumentTypeError, CheckpointError, DeviceError,
                     DimError, DTypeError, GraphError, MiniganError, MissingFileError, ShapeError, StateDictError,
                     UsageError)
from .creation import (arange, empty, eye, full, full_like, linspace, ones, ones_like, rand,
                       rand_like, randint, randn, randn_like, randperm, zeros, zeros_like)
from .function import Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .profiler import profile
from .ops.activation import log_softmax, relu, sigmoid, softmax, tanh
from .ops.convert import clone
from .ops.linalg import matmul
from .ops.math import (abs, add, clamp, clip, cos, div, exp, expm1, log, log1p, masked_fill,
                       maximum, minimum, mul, neg, pow, sign, sin, sqrt, square, sub, where)
from .ops.reduce import (all, amax, amin, any, argmax, argmin, logsumexp, max, mean, min, norm, std,
                         sum, var)
from .ops.shape import (broadcast_to, cat, chunk, flatten, permute, repeat, reshape, split, squeeze,
                        stack, transpose, unsqueeze)
from .tensor import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled, tensor

from . import losses, nn, optim, utils  # noqa: E402,F401 -- minigan.losses; .nn, .optim, .utils as torch's
from .checkpoint import load, save  # noqa: E402 -- checkpoints without pickle

bool = bool_  # noqa: A001 -- torch.bool

__version__ = '0.1.0'
