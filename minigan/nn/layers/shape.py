"""Layers that only reshape: Flatten and Unflatten."""
from ...errors import ShapeError
from ..module import Module


class Flatten(Module):
    """Merge dims start_dim..end_dim into one: (N, C, H, W) -> (N, C·H·W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f'start_dim={self.start_dim}, end_dim={self.end_dim}'


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``: Unflatten(1, (C, H, W)) turns (N, C·H·W) into
    (N, C, H, W) -- how a generator turns its Linear output into a feature map."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        dim = self.dim % input.ndim
        size = input.shape[dim]
        known = 1
        for n in self.unflattened_size:
            known *= n if n != -1 else 1
        sizes = tuple(size // known if n == -1 else n for n in self.unflattened_size)
        if known * (size // known if -1 in self.unflattened_size else 1) != size:
            raise ShapeError(f"Unflatten: sizes {self.unflattened_size} do not multiply to dim {self.dim}'s "
                             f"size {size} (input shape {tuple(input.shape)})")
        return input.reshape(input.shape[:dim] + sizes + input.shape[dim + 1:])

    def extra_repr(self):
        return f'dim={self.dim}, unflattened_size={self.unflattened_size}'
