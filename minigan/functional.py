"""torch.nn.functional's names for minigan's ops: ``import minigan.functional as F``.

Same names, argument order, defaults and output shapes as torch.nn.functional, so code moves
between the two unchanged. Each name is defined in the ops file of its family; this module only
gathers them.
"""
from .ops.attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: F401
from .ops.index import one_hot  # noqa: F401
from .ops.linalg import matmul  # noqa: F401

# ---- padding, convolution, pooling, upsampling (ops/conv.py, ops/pool.py, ops/pad.py)
from .ops.conv import conv2d, conv_transpose2d  # noqa: F401
from .ops.pad import pad  # noqa: F401
from .ops.pool import avg_pool2d, max_pool2d  # noqa: F401
from .ops.resample import adaptive_avg_pool2d, interpolate  # noqa: F401
from .ops.shape import pixel_shuffle, pixel_unshuffle  # noqa: F401

# ---- normalization (ops/norm.py)
from .ops.norm import batch_norm, group_norm, instance_norm, layer_norm  # noqa: F401

# ---- activations, dropout, linear and losses (ops/activation.py, special.py, dropout.py, loss.py)
from .ops.activation import (dropout, elu, leaky_relu, linear, log_softmax, logsigmoid,  # noqa: F401
                             relu, sigmoid, softmax, softplus, tanh)
from .ops.dropout import dropout1d, dropout2d  # noqa: F401
from .ops.special import gelu, prelu, silu  # noqa: F401
from .ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,  # noqa: F401
                       l1_loss, mse_loss, nll_loss)
