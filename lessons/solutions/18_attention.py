"""Worked answers to lesson 18, and the plausible wrong answers each check must reject."""
import math

import numpy as np

import minigan as mg
import minigan.functional as F
from _course import WrongAnswers

wrong = WrongAnswers()


def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = mg.where(mask, scores, float('-inf'))
    weights = mg.softmax(scores, -1)
    return weights @ v, weights


@wrong('attention', "forgets the 1/√d scale")
def _(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = mg.where(mask, scores, float('-inf'))
    weights = mg.softmax(scores, -1)
    return weights @ v, weights


@wrong('attention', "the softmax over the queries (dim −2) instead of the keys")
def _(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = mg.where(mask, scores, float('-inf'))
    weights = mg.softmax(scores, -2)
    return weights @ v, weights


@wrong('attention', "masks after the softmax: zeroed weights, rows no longer summing to 1")
def _(q, k, v, mask=None):
    weights = mg.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1)
    if mask is not None:
        weights = mg.where(mask, weights, 0.0)
    return weights @ v, weights


def _split(x, heads):
    N, L, E = x.shape
    return x.reshape(N, L, heads, E // heads).transpose(1, 2)


def multi_head_attention(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias):
    N, L, E = query.shape
    q = F.linear(query, in_proj_weight[:E], in_proj_bias[:E])
    k = F.linear(key, in_proj_weight[E:2 * E], in_proj_bias[E:2 * E])
    v = F.linear(value, in_proj_weight[2 * E:], in_proj_bias[2 * E:])
    out, weights = attention(_split(q, num_heads), _split(k, num_heads), _split(v, num_heads))
    out = out.transpose(1, 2).reshape(N, L, E)
    return F.linear(out, out_proj_weight, out_proj_bias), weights.mean(1)


@wrong('multi_head_attention', "splits the heads by reshaping (N, L, E) straight to (N, h, L, E/h)")
def _(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias):
    N, L, E = query.shape
    S = key.shape[1]
    q = F.linear(query, in_proj_weight[:E], in_proj_bias[:E]).reshape(N, num_heads, L, E // num_heads)
    k = F.linear(key, in_proj_weight[E:2 * E], in_proj_bias[E:2 * E]).reshape(N, num_heads, S, E // num_heads)
    v = F.linear(value, in_proj_weight[2 * E:], in_proj_bias[2 * E:]).reshape(N, num_heads, S, E // num_heads)
    out, weights = attention(q, k, v)
    return F.linear(out.reshape(N, L, E), out_proj_weight, out_proj_bias), weights.mean(1)


@wrong('multi_head_attention', "one head over all E dimensions (scaled by 1/√E), whatever num_heads says")
def _(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias):
    E = query.shape[-1]
    q = F.linear(query, in_proj_weight[:E], in_proj_bias[:E])
    k = F.linear(key, in_proj_weight[E:2 * E], in_proj_bias[E:2 * E])
    v = F.linear(value, in_proj_weight[2 * E:], in_proj_bias[2 * E:])
    out, weights = attention(q, k, v)
    return F.linear(out, out_proj_weight, out_proj_bias), weights


def positional_encoding(length, d_model):
    pos = np.arange(length)[:, None]
    omega = 10000.0 ** (-np.arange(0, d_model, 2) / d_model)
    pe = np.zeros((length, d_model))
    pe[:, 0::2] = np.sin(pos * omega)
    pe[:, 1::2] = np.cos(pos * omega)
    return pe


@wrong('positional_encoding', "cosine on the even dimensions, sine on the odd ones")
def _(length, d_model):
    return positional_encoding(length, d_model).reshape(length, -1, 2)[:, :, ::-1].reshape(length, d_model)


@wrong('positional_encoding', "the exponent i/d instead of 2i/d: the frequencies fall off half as fast")
def _(length, d_model):
    pos = np.arange(length)[:, None]
    omega = 10000.0 ** (-np.arange(d_model // 2) / d_model)
    pe = np.zeros((length, d_model))
    pe[:, 0::2] = np.sin(pos * omega)
    pe[:, 1::2] = np.cos(pos * omega)
    return pe


def self_attention_2d(x, w_f, w_g, w_h, gamma):
    N, C, H, W = x.shape
    positions = x.reshape(N, C, H * W).transpose(1, 2)                 # (N, P, C)
    f, g, h = positions @ w_f.T, positions @ w_g.T, positions @ w_h.T
    beta = mg.softmax(f @ g.transpose(1, 2), -1)                       # (N, P, P)
    o = (beta @ h).transpose(1, 2).reshape(N, C, H, W)
    return x + gamma * o, beta


@wrong('self_attention_2d', "no residual: returns γ·o, which is 0 at the start")
def _(x, w_f, w_g, w_h, gamma):
    y, beta = self_attention_2d(x, w_f, w_g, w_h, gamma)
    return y - x, beta


@wrong('self_attention_2d', "divides the logits by √C' as a transformer would (SAGAN does not)")
def _(x, w_f, w_g, w_h, gamma):
    N, C, H, W = x.shape
    positions = x.reshape(N, C, H * W).transpose(1, 2)
    out, beta = attention(positions @ w_f.T, positions @ w_g.T, positions @ w_h.T)
    return x + gamma * out.transpose(1, 2).reshape(N, C, H, W), beta


@wrong('self_attention_2d', "puts o back with a plain reshape, mixing positions and channels")
def _(x, w_f, w_g, w_h, gamma):
    N, C, H, W = x.shape
    positions = x.reshape(N, C, H * W).transpose(1, 2)
    f, g, h = positions @ w_f.T, positions @ w_g.T, positions @ w_h.T
    beta = mg.softmax(f @ g.transpose(1, 2), -1)
    return x + gamma * (beta @ h).reshape(N, C, H, W), beta
