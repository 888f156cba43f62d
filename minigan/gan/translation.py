"""What the image-to-image recipes (cyclegan, pix2pix) share: a source image in, its translation out.

Their generators take an image instead of noise, so sampling means translating: ``minigan sample
--input thin.npy`` (N, C, H, W) in [−1, 1], or the first held-out images of the training data.
Their pictures show, per column, a held-out input above its translation (and, depending on the
recipe, the reconstruction or the true target).
"""
from .. import backend
from ..errors import ArgumentError, ShapeError
from ..tensor import Tensor
from .recipe import Recipe

PICTURE_COLUMNS = 8


class TranslationRecipe(Recipe):
    default_data = 'strokes'
    translator = 'G'   # the network that ``generate`` uses
    default_epochs = 4

    def sample_inputs(self, n, label=None, truncation=None, source=None):
        if label is not None or truncation is not None:
            raise ArgumentError(f"{self.name}: --label and --truncation apply to noise-driven models; "
                                f"{self.name} translates the images given with --input")
        if source is None:
            raise ArgumentError(f"{self.name}: translation needs source images (--input FILE.npy)")
        expected = tuple(self.data.shape)
        if source.ndim != 4 or tuple(source.shape[1:]) != expected:
            raise ShapeError(f"{self.name}: --input holds an array of shape {tuple(source.shape)}; expected "
                             f"(N, {', '.join(map(str, expected))}) images in [-1, 1]")
        return {'source': source[:n].to(self.device)}

    def fixed_inputs(self, held_out):
        """PICTURE_COLUMNS held-out pairs spread over the set (it is sorted by class)."""
        a, b = held_out.tensors[:2]
        spread = Tensor(backend.asarray([i * a.shape[0] // PICTURE_COLUMNS for i in range(PICTURE_COLUMNS)],
                                        dtype=backend.int64, device=a.device))
        return {'source': a[spread].to(self.device), 'target': b[spread].to(self.device)}

    def generate(self, inputs):
        return self.frozen_forward(self.networks[self.translator], inputs['source'])
