"""minigan: a small reverse-mode autograd engine on NumPy / CuPy, and the classic GAN losses on it.

    import minigan as mg
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 2).sum()
    y.backward()          # x.grad == [2., 4.]

Names follow PyTorch: mg.tensor, mg.grad (torch.autograd.grad), mg.no_grad, mg.cat, ...
"""
from . import ops  # noqa: F401 -- attaches the operators and methods to Tensor
from . import accelerator, autograd, backends, cuda  # noqa: F401 -- torch.cuda, torch.backends...
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .autograd import backward, grad
from .backend import (bool_, cuda_is_available, float16, float32, float64, get_rng_state, int32,
                      int64, manual_seed, set_rng_state, uint8)
from .backends import are_deterministic_algorithms_enabled, use_deterministic_algorithms  # noqa: F401
from .creation import (arange, as_tensor, empty, eye, from_numpy, full, full_like, get_default_dtype,
                       linspace, normal, ones, ones_like, rand, rand_like, randint, randn, randn_like,
                       randperm, set_default_dtype, zeros, zeros_like)
from .errors import (AnomalyError, ArgumentError, ArgumentTypeError, CheckpointError, DeviceError,
                     DimError, DTypeError, GraphError, MiniganError, MissingFileError, ShapeError,
                     StateDictError, UsageError)
from .function import Function
from .generator import Generator
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .legacy import (BoolTensor, ByteTensor, DoubleTensor, FloatTensor, HalfTensor,  # noqa: F401
                     IntTensor, LongTensor, set_default_tensor_type)
from .profiler import profile
from .ops.activation import log_softmax, relu, sigmoid, softmax, tanh
from .ops.convert import clone
from .ops.index import argsort, gather, index_select, scatter, scatter_add, sort, topk
from .ops.linalg import bmm, matmul, mm
from .ops.compare import eq, ge, gt, le, lt, ne
from .ops.math import (abs, add, clamp, clip, cos, div, exp, expm1, floor_divide, log, log1p, masked_fill,
                       maximum, minimum, mul, neg, pow, remainder, sign, sin, sqrt, square, sub, where)
from .ops.reduce import (all, amax, amin, any, argmax, argmin, logsumexp, max, mean, min, norm, std,
                         sum, var)
from .ops.shape import (broadcast_to, cat, chunk, flatten, permute, repeat, reshape, split, squeeze,
                        stack, transpose, unsqueeze)
from .ops.special import erf
from .tensor import (Tensor, device, enable_grad, is_grad_enabled, is_tensor, no_grad, set_grad_enabled,
                     tensor)

from . import losses, nn, optim, utils  # noqa: E402,F401 -- minigan.losses; .nn, .optim, .utils as torch's
from .checkpoint import load, save  # noqa: E402 -- checkpoints without pickle

# dtypes under torch's short names (torch.float is float32, torch.int is int32)
bool = bool_  # noqa: A001
float, double, half = float32, float64, float16  # noqa: A001
long, int = int64, int32  # noqa: A001

__version__ = '0.1.0'
