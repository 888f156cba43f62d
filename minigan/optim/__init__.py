"""minigan.optim: SGD, Adam, RMSprop with torch's exact updates; lr schedules; an EMA of weights;
WGAN's weight clipping.

    opt = optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))   # DCGAN's setting
    loss.backward(); opt.step(); opt.zero_grad()
"""
from . import lr_scheduler  # noqa: F401
from .adam import Adam  # noqa: F401
from .clip import clip_weights  # noqa: F401
from .ema import EMA, ExponentialMovingAverage  # noqa: F401
from .optimizer import Optimizer  # noqa: F401
from .rmsprop import RMSprop  # noqa: F401
from .sgd import SGD  # noqa: F401
