"""Attention: scaled_dot_product_attention and multi_head_attention_forward, as torch.nn.functional.

Scaled dot-product attention of queries Q (L, E), keys K (S, E) and values V (S, Ev):

    A = softmax(Q Kᵀ · scale + B)   (L, S), each row a distribution over the S keys
    out = A V                        (L, Ev)

scale = 1/√E keeps the logits' variance near 1 whatever E is. The bias B is 0, or -∞ where a
query may not look (a causal mask: key j > query i; padding), or any float mask. Multi-head
attention projects the inputs, splits the E channels into h heads of E/h, attends within each
head, concatenates the heads and projects again:

    head_i = Attention(Q W_qᵢ, K W_kᵢ, V W_vᵢ),  out = concat(head_1..head_h) W_o

Everything is engine ops (matmul, softmax, masked additions), so gradients of every order come
for free. Shapes follow torch: multi_head_attention_forward takes (L, N, E) sequences first.
"""
import math

from .. import backend
from ..errors import ArgumentError, DTypeError, ShapeError, UsageError
from ..tensor import Tensor
from .activation import dropout, linear, softmax
from .linalg import matmul
from .shape import cat, reshape, transpose


def _bias(mask, like, op, name):
    """A boolean mask (True = attend, torch's SDPA convention) or a float mask -> a float bias."""
    if mask is None:
        return None
    if mask.dtype == backend.bool_:
        xp = like.xp
        return Tensor(xp.where(backend.to_device(mask.array, like.device), 0.0, -xp.inf).astype(like.dtype))
    if not backend.is_floating(mask.dtype):
        raise DTypeError(f"{op}: {name} must be a bool or float tensor, got {mask.dtype}")
    return mask


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    """softmax(Q Kᵀ · scale + mask) V over the last two dims: Q (..., L, E), K (..., S, E),
    V (..., S, Ev) -> (..., L, Ev). A bool attn_mask marks with True the pairs that may attend;
    is_causal masks key j > query i. dropout_p drops attention weights (always, as torch does)."""
    op = 'scaled_dot_product_attention'
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ShapeError(f"{op}: expected query, key, value of at least 2 dims (..., L, E), got shapes "
                         f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ShapeError(f"{op}: query {tuple(query.shape)} and key {tuple(key.shape)} must share the last "
                         f"dim, key and value {tuple(value.shape)} the sequence dim (-2)")
    if enable_gqa:
        raise NotImplementedError(f"{op}: enable_gqa=True is not supported by minigan")
    L, S = query.shape[-2], key.shape[-2]
    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    logits = matmul(query, transpose(key, -2, -1)) * factor
    if is_causal:
        if attn_mask is not None:
            raise ArgumentError(f"{op}: give attn_mask or is_causal=True, not both")
        attn_mask = Tensor(query.xp.tril(query.xp.ones((L, S), dtype=bool)))
    bias = _bias(attn_mask, logits, op, 'attn_mask')
    if bias is not None:
        logits = logits + bias
    weights = softmax(logits, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return matmul(weights, value)


def _masked_bias(mask, like, op, name):
    """MultiheadAttention's masks: a bool mask marks with True the pairs NOT to attend."""
    if mask is not None and mask.dtype == backend.bool_:
        return Tensor(like.xp.where(backend.to_device(mask.array, like.device), -like.xp.inf, 0.0)
                      .astype(like.dtype))
    return _bias(mask, like, op, name)


def _pad_last(t, value=0.0):
    """One more column at the end of the last dim (for the extra key of bias_k / add_zero_attn)."""
    if t is None:
        return None
    xp = t.xp
    return cat([t, Tensor(xp.full(t.shape[:-1] + (1,), value, dtype=t.dtype))], -1)


def _projections(query, key, value, E, in_proj_weight, in_proj_bias, separate, q_w, k_w, v_w):
    """q, k, v = the inputs times their projection weights (plus bias)."""
    if separate:
        weights = (q_w, k_w, v_w)
    else:
        weights = (in_proj_weight[:E], in_proj_weight[E:2 * E], in_proj_weight[2 * E:])
    biases = (None,) * 3 if in_proj_bias is None else (in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:])
    return tuple(linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,  # noqa: C901
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                                 out_proj_bias, training=True, key_padding_mask=None, need_weights=True,
                                 attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                                 average_attn_weights=True, is_causal=False):
    """torch's multi-head attention on (L, N, E) query and (S, N, kdim / vdim) key / value (or
    unbatched (L, E), (S, kdim)). Returns (output (L, N, E), weights (N, L, S) averaged over the
    heads, or (N, heads, L, S), or None when need_weights=False). Bool masks mark with True what
    must NOT be attended: key_padding_mask (N, S), attn_mask (L, S) or (N·heads, L, S)."""
    op = 'multi_head_attention_forward'
    if static_k is not None or static_v is not None:
        raise NotImplementedError(f"{op}: static_k / static_v are not supported by minigan")
    batched = query.ndim == 3
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ShapeError(f"{op}: expected query, key, value all (L, N, E) or all unbatched (L, E), got "
                         f"shapes {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    if not batched:
        query, key, value = (t.unsqueeze(1) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    L, N, E = query.shape
    S = key.shape[0]
    if E != embed_dim_to_check or E % num_heads:
        raise ShapeError(f"{op}: query's embedding dim {E} must equal embed_dim {embed_dim_to_check} and be "
                         f"divisible by num_heads {num_heads}")
    if key.shape[:2] != value.shape[:2]:
        raise ShapeError(f"{op}: key {tuple(key.shape)} and value {tuple(value.shape)} must share (S, N)")
    if is_causal and attn_mask is None:
        raise UsageError(f"{op}: need attn_mask if specifying the is_causal hint (is_causal=True)")
    head_dim = E // num_heads
    q, k, v = _projections(query, key, value, E, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                           q_proj_weight, k_proj_weight, v_proj_weight)
    mask = _masked_bias(attn_mask, q, op, 'attn_mask')
    if mask is not None:
        expected = [(L, S), (N * num_heads, L, S)]
        if tuple(mask.shape) not in expected:
            raise ShapeError(f"{op}: attn_mask of shape {tuple(mask.shape)}; expected {expected[0]} or {expected[1]}")
        if mask.ndim == 2:
            mask = mask.unsqueeze(0)
    padding = _masked_bias(key_padding_mask, q, op, 'key_padding_mask')
    if padding is not None and tuple(padding.shape) != (N, S):
        raise ShapeError(f"{op}: key_padding_mask of shape {tuple(padding.shape)}; expected (N, S) = {(N, S)}")
    if bias_k is not None or bias_v is not None:  # one more learned key and value for every sequence
        if bias_k is None or bias_v is None:
            raise ArgumentError(f"{op}: bias_k and bias_v come together")
        k = cat([k, bias_k.expand(1, N, E)], 0)
        v = cat([v, bias_v.expand(1, N, E)], 0)
        mask, padding = _pad_last(mask), _pad_last(padding)
    # (L, N, E) -> (N·heads, L, head_dim): every head of every sample is one attention problem
    q = transpose(reshape(q, (L, N * num_heads, head_dim)), 0, 1)
    k = transpose(reshape(k, (k.shape[0], N * num_heads, head_dim)), 0, 1)
    v = transpose(reshape(v, (v.shape[0], N * num_heads, head_dim)), 0, 1)
    if add_zero_attn:  # and one all-zero key / value
        zeros = Tensor(q.xp.zeros((N * num_heads, 1, head_dim), dtype=q.dtype))
        k, v = cat([k, zeros], 1), cat([v, zeros], 1)
        mask, padding = _pad_last(mask), _pad_last(padding)
    keys = k.shape[1]
    if padding is not None:
        padding = reshape(padding.reshape(N, 1, 1, keys).expand(N, num_heads, 1, keys), (N * num_heads, 1, keys))
        mask = padding if mask is None else mask + padding
    logits = matmul(q * (1 / math.sqrt(head_dim)), transpose(k, 1, 2))
    if mask is not None:
        logits = logits + mask
    weights = softmax(logits, -1)
    if training and dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    out = transpose(matmul(weights, v), 0, 1)                   # (L, N·heads, head_dim)
    out = linear(reshape(out, (L * N, E)), out_proj_weight, out_proj_bias).reshape(L, N, E)
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    weights = weights.reshape(N, num_heads, L, keys)
    if average_attn_weights:
        weights = weights.mean(1)
    return out, weights if batched else weights.squeeze(0)
