"""minigan.nn: Module, Parameter, containers, layers, losses, init and utils, as torch.nn.

    from minigan import nn
    net = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    net.state_dict().keys()   # ['0.weight', '0.bias', '2.weight', '2.bias'], as in torch
"""
from . import functional, init, parallel, utils  # noqa: F401 -- nn.functional as torch.nn.functional
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
from .layers import (ELU, GELU, AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, BCELoss,  # noqa: F401
                     BCEWithLogitsLoss, ConstantPad2d, Conv2d, ConvTranspose2d, CrossEntropyLoss, Dropout,
                     Dropout1d, Dropout2d, Embedding, Flatten, GroupNorm, Identity, InstanceNorm2d, L1Loss,
                     LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d, MSELoss, MultiheadAttention, NLLLoss,
                     PixelShuffle, PixelUnshuffle, PReLU, ReflectionPad2d, ReLU, ReplicationPad2d, Sigmoid, SiLU,
                     Softmax, Softplus, Tanh, Unflatten, Upsample, ZeroPad2d)
from .module import Module  # noqa: F401
from .parallel import DataParallel  # noqa: F401
from .parameter import Parameter  # noqa: F401
