"""torch.nn.functional's names for minigan's ops: ``import minigan.functional as F``.

Same names, argument order, defaults and output shapes as torch.nn.functional, so code moves
between the two unchanged. Each name is defined in the ops file of its family; this module only
gathers them.
"""
from .ops.linalg import matmul  # noqa: F401

# ---- padding, convolution, pooling, upsampling (ops/conv.py, ops/pool.py, ops/pad.py)
from .ops.conv import conv2d, conv_transpose2d  # noqa: F401
from .ops.pad import pad  # noqa: F401
from .ops.pool import avg_pool2d, max_pool2d  # noqa: F401
from .ops.resample import adaptive_avg_pool2d, interpolate  # noqa: F401

# ---- normalization (ops/norm.py)
from .ops.norm import batch_norm, group_norm, instance_norm, layer_norm  # noqa: F401

# ---- activations, dropout, linear and losses (ops/activation.py, ops/loss.py)
from .ops.activation import (dropout, elu, leaky_relu, linear, log_softmax, logsigmoid,  # noqa: F401
                             relu, sigmoid, softmax, softplus, tanh)
from .ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,  # noqa: F401
                       l1_loss, mse_loss, nll_loss)
