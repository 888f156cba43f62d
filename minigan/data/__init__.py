"""Data sets for training GANs: the digits shipped inside the package, and more built on them."""
from .digits import digits  # noqa: F401
