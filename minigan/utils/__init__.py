"""minigan.utils: helpers under torch.utils's names (``minigan.utils.data``: datasets and loaders)."""
from . import data  # noqa: F401
