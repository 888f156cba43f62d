"""nn.utils: spectral normalization and gradient clipping."""
from .clip_grad import clip_grad_norm_, clip_grad_value_  # noqa: F401
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
