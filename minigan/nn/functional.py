"""minigan.nn.functional: minigan.functional under torch.nn.functional's module path, so that
``import minigan.nn.functional as F`` works as ``import torch.nn.functional as F`` does.
The functions are the very same objects as minigan.functional's."""
from ..functional import *  # noqa: F401,F403 -- the whole F face, re-exported
