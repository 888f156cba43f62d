"""minigan.nn: Module, Parameter, containers, layers, init and utils, as torch.nn.

    from minigan import nn
    net = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    net.state_dict().keys()   # ['0.weight', '0.bias', '2.weight', '2.bias'], as in torch
"""
from .. import functional  # noqa: F401 -- nn.functional, as torch.nn.functional
from . import init, utils  # noqa: F401
from .containers import ModuleDict, ModuleList, Sequential  # noqa: F401
from .layers import (BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Dropout, Embedding,  # noqa: F401
                     Flatten, GroupNorm, Identity, InstanceNorm2d, LayerNorm, LeakyReLU, Linear,
                     ReflectionPad2d, ReLU, ReplicationPad2d, Sigmoid, Tanh, Unflatten, Upsample,
                     ZeroPad2d)
from .module import Module  # noqa: F401
from .parameter import Parameter  # noqa: F401
