"""Data sets for training GANs: the digits shipped inside the package, and more built on them."""
from .digits import digits  # noqa: F401
from .mixtures import MIXTURES, mixture  # noqa: F401 -- ring8 and grid25
