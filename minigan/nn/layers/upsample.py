"""Upsample: resize (N, C, H, W) feature maps by F.interpolate (nearest by default).

Nearest upsampling followed by a convolution is the usual alternative to ConvTranspose2d in
generators: it avoids the checkerboard artifacts of overlapping transposed-conv kernels.
"""
from ... import functional as F
from ...checks import number
from ..module import Module


class Upsample(Module):
    def __init__(self, size=None, scale_factor=None, mode='nearest', align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size = size
        positive = lambda f: float(number('Upsample', 'scale_factor', f, low=0.0, low_open=True))  # noqa: E731
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(positive(f) for f in scale_factor)
        else:
            self.scale_factor = None if scale_factor is None else positive(scale_factor)
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = f'scale_factor={self.scale_factor!r}' if self.scale_factor is not None else f'size={self.size!r}'
        return info + f', mode={self.mode!r}'
