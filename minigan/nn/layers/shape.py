"""Layers that only rearrange: Flatten, Unflatten, PixelShuffle, PixelUnshuffle."""
from ... import functional as F
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


class PixelShuffle(Module):
    """(N, C·r², H, W) -> (N, C, H·r, W·r): channels rearranged into r x r blocks of pixels."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f'upscale_factor={self.upscale_factor}'


class PixelUnshuffle(Module):
    """(N, C, H·r, W·r) -> (N, C·r², H, W): PixelShuffle's inverse."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f'downscale_factor={self.downscale_factor}'
