"""Embedding: a lookup table, row i of weight for index i (class labels -> vectors in a cGAN).

    out[..., :] = weight[input[...], :]        weight ~ N(0, 1), shape (num_embeddings, dim)

It is indexing, so its gradient scatters-adds the output gradient into the rows that were
looked up (a row used twice gets both gradients). The row ``padding_idx`` is zero at start and
never receives a gradient, as in torch.
"""
from ... import backend, creation
from ...checks import count
from ...errors import ArgumentError, DTypeError, DimError, ShapeError
from ...ops.math import where
from ...ops.util import require_tensor
from .. import init
from ..module import Module
from ..parameter import Parameter


class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: max_norm, scale_grad_by_freq and sparse are not "
                                      "supported by minigan")
        count('Embedding', 'num_embeddings', num_embeddings, minimum=1)
        count('Embedding', 'embedding_dim', embedding_dim)
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ArgumentError(f"Embedding: padding_idx {padding_idx} must be within num_embeddings "
                                    f"({num_embeddings})")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(creation.empty(num_embeddings, embedding_dim, device=device, dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ShapeError(f"Embedding: _weight has shape {tuple(_weight.shape)}, expected "
                                 f"{(num_embeddings, embedding_dim)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0

    def forward(self, input):
        require_tensor('Embedding', input, 'the indices')
        if backend.is_floating(input.dtype) or input.dtype == backend.bool_:
            raise DTypeError(f"Embedding: expected integer indices, got a tensor of dtype {input.dtype}")
        outside = (input.array < 0) | (input.array >= self.num_embeddings)
        if bool(outside.any()):  # negative indices would silently count from the end
            bad = int(input.array[outside].reshape(-1)[0])
            raise DimError(f"Embedding: index {bad} is out of range for {self.num_embeddings} embeddings; "
                           f"expected 0 <= index < {self.num_embeddings}")
        out = self.weight[input]
        if self.padding_idx is not None:  # the padding row: its value, but no gradient
            pad = (input == self.padding_idx).unsqueeze(-1)
            out = where(pad, self.weight.detach()[input], out)
        return out

    def extra_repr(self):
        return f'{self.num_embeddings}, {self.embedding_dim}' + (
            f', padding_idx={self.padding_idx}' if self.padding_idx is not None else '')
