"""The layers of minigan.nn, one file per family."""
from .activation import LeakyReLU, ReLU, Sigmoid, Tanh  # noqa: F401
from .conv import Conv2d, ConvTranspose2d  # noqa: F401
from .dropout import Dropout  # noqa: F401
from .embedding import Embedding  # noqa: F401
from .linear import Identity, Linear  # noqa: F401
from .norm import BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm  # noqa: F401
from .padding import ReflectionPad2d, ReplicationPad2d, ZeroPad2d  # noqa: F401
from .shape import Flatten, Unflatten  # noqa: F401
from .upsample import Upsample  # noqa: F401
