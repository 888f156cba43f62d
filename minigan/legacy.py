"""The spellings of old PyTorch (before 0.4, 2018), which many GAN tutorials still use.

They work here so that such code runs unchanged, and each tells you (once, as a warning) what
today's PyTorch -- and minigan -- write instead:

    old                                        today
    Variable(x)                                x (every tensor takes part in autograd)
    Variable(x, requires_grad=True)            x.detach().requires_grad_()
    Variable(x, volatile=True)                 with torch.no_grad(): ...
    FloatTensor(64, 1).fill_(1.0)              torch.ones(64, 1)
    FloatTensor(np_array)                      torch.tensor(np_array, dtype=torch.float32)
    LongTensor(np_labels)                      torch.tensor(np_labels, dtype=torch.int64)
    cuda.FloatTensor(...)                      torch.tensor(..., device='cuda')
    x.type(FloatTensor)                        x.float()  or  x.to(torch.float32)

What they do (torch's semantics): ``Variable(x)`` is x detached (same memory) with the
requires_grad asked for. ``FloatTensor(*sizes)`` is a float32 tensor of that shape (zeros here:
minigan hands out no uninitialized memory); ``FloatTensor(data)`` converts lists and NumPy
arrays to float32 (a tensor must be float32 already: it is shared, not converted).
``isinstance(x, FloatTensor)`` checks dtype and device.
"""
import warnings

from . import backend
from .errors import ArgumentError, ArgumentTypeError, DTypeError
from .tensor import Tensor, device

_warned = set()


def advise(old, new):
    """Say once per spelling what replaces it (old tutorials call these in every step)."""
    if old not in _warned:
        _warned.add(old)
        warnings.warn(f"{old} is PyTorch's pre-0.4 spelling, kept for old tutorials; today's torch "
                      f"and minigan write {new}", FutureWarning, stacklevel=3)


# ----------------------------------------------------------------------------- Variable
class _VariableMeta(type):
    def __instancecheck__(cls, obj):  # every tensor is a Variable, as in torch
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """Variable(tensor, requires_grad=False): the tensor detached (sharing memory), requiring grad
    if asked. Since PyTorch 0.4 a tensor is its own Variable: just use the tensor."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        advise('Variable(x)', 'x itself (x.detach().requires_grad_() for a new leaf)')
        if volatile:
            advise('Variable(x, volatile=True)', 'with torch.no_grad(): ...')
        if not isinstance(data, Tensor):
            raise ArgumentTypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return Tensor(data.array, requires_grad=requires_grad)


# ----------------------------------------------------------------------------- FloatTensor & co.
class TensorType:
    """A legacy typed constructor, e.g. ``FloatTensor``: (dtype, device) under torch's name."""

    def __init__(self, name, dtype, device_name):
        self.name, self.dtype, self.device = name, backend.as_dtype(dtype), device(device_name)
        self.qualified = 'minigan.' + ('cuda.' if device_name == 'cuda' else '') + name

    def __call__(self, *args):
        modern = (f"torch.tensor(data, dtype=torch.{self.dtype}" +
                  (", device='cuda')" if self.device == 'cuda' else ')') + " or torch.zeros(*sizes)")
        advise(self.qualified.replace('minigan.', '') + '(...)', modern)
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].dtype != self.dtype:  # torch refuses too: these constructors alias, never convert
                raise DTypeError(f"{self.name}(t): t has dtype {args[0].dtype}, not {self.dtype}; "
                                 f"convert with t.to(torch.{self.dtype})")
            array = backend.to_device(args[0].array, self.device)
        elif args and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            array = backend.module_for(self.device).zeros(args, dtype=self.dtype)
        elif len(args) <= 1:
            array = backend.asarray([] if not args else args[0], dtype=self.dtype, device=self.device)
        else:
            raise ArgumentTypeError(f"{self.name}: expected sizes (ints) or one sequence of values, got "
                                    f"{', '.join(type(a).__name__ for a in args)}")
        return Tensor(array)

    def __instancecheck__(self, obj):
        return isinstance(obj, Tensor) and obj.dtype == self.dtype and obj.device == self.device

    def __repr__(self):
        return f"<class '{self.qualified}'>"


_TYPES = {'FloatTensor': 'float32', 'DoubleTensor': 'float64', 'HalfTensor': 'float16',
          'LongTensor': 'int64', 'IntTensor': 'int32', 'ByteTensor': 'uint8', 'BoolTensor': 'bool'}
CPU_TYPES = {name: TensorType(name, dtype, 'cpu') for name, dtype in _TYPES.items()}
CUDA_TYPES = {name: TensorType(name, dtype, 'cuda') for name, dtype in _TYPES.items()}

FloatTensor, DoubleTensor, HalfTensor = CPU_TYPES['FloatTensor'], CPU_TYPES['DoubleTensor'], CPU_TYPES['HalfTensor']
LongTensor, IntTensor = CPU_TYPES['LongTensor'], CPU_TYPES['IntTensor']
ByteTensor, BoolTensor = CPU_TYPES['ByteTensor'], CPU_TYPES['BoolTensor']


def type_name(tensor):
    """What ``x.type()`` says: 'minigan.FloatTensor', 'minigan.cuda.LongTensor'..."""
    for types in (CPU_TYPES, CUDA_TYPES):
        for t in types.values():
            if t.dtype == tensor.dtype and t.device == tensor.device:
                return t.qualified
    return f'minigan.{tensor.dtype}'


def resolve(spec):
    """A target of ``x.type(spec)`` -> (dtype, device or None): a legacy type, its name as a
    string ('torch.FloatTensor', 'minigan.cuda.LongTensor'), or a plain dtype (device kept)."""
    if isinstance(spec, TensorType):
        return spec.dtype, spec.device
    if isinstance(spec, str) and spec.endswith('Tensor'):
        parts = spec.split('.')
        if parts[0] in ('torch', 'minigan') and parts[-1] in _TYPES and parts[1:-1] in ([], ['cuda']):
            types = CUDA_TYPES if parts[1:-1] == ['cuda'] else CPU_TYPES
            return types[parts[-1]].dtype, types[parts[-1]].device
        raise ArgumentError(f"type: invalid type {spec!r}; expected e.g. 'torch.FloatTensor' or "
                            "'torch.cuda.LongTensor'")
    return backend.as_dtype(spec), None


def set_default_tensor_type(t):
    """Old code's way to pick the default type. Float32 on the CPU is minigan's default already;
    anything else raises and says how today's code asks for a dtype or device."""
    dtype, where = resolve(t)
    if dtype != backend.DEFAULT_DTYPE or where not in (None, 'cpu'):
        raise NotImplementedError(f"set_default_tensor_type({t!r}): minigan's default is float32 on the CPU; "
                                  "pass dtype= and device= when making tensors, and use model.to(device)")
