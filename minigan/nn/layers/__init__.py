"""The layers of minigan.nn, one file per family."""
from .activation import (ELU, GELU, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, SiLU, Softmax,  # noqa: F401
                         Softplus, Tanh)
from .attention import MultiheadAttention  # noqa: F401
from .conv import Conv2d, ConvTranspose2d  # noqa: F401
from .dropout import Dropout, Dropout1d, Dropout2d  # noqa: F401
from .embedding import Embedding  # noqa: F401
from .linear import Identity, Linear  # noqa: F401
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss  # noqa: F401
from .norm import BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm  # noqa: F401
from .padding import ConstantPad2d, ReflectionPad2d, ReplicationPad2d, ZeroPad2d  # noqa: F401
from .pool import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d  # noqa: F401
from .shape import Flatten, PixelShuffle, PixelUnshuffle, Unflatten  # noqa: F401
from .upsample import Upsample  # noqa: F401
