"""What a training recipe is: the contract between one GAN and the one training loop.

A recipe (one file per GAN: dcgan.py, wgan_gp.py, ...) holds four things:

    Settings     a dataclass of its hyperparameters with their published defaults; the command line
                 is built from its fields (``option(default, help)`` gives each its --help text),
                 and it is the only place a name such as ``lambda_gp`` or ``n_critic`` exists
    build()      the named networks and their optimizers (and schedulers, EMA, history pools)
    step(batches)  one training step: its own order of D and G updates and critic repeats,
                 pulling the batches it needs with next(batches); returns a dict of floats
    sample       ``sample_inputs`` (noise, labels or source images) → ``generate`` → outputs

The loop owns everything shared -- parsing, seed, device, data, progress, logging, pictures,
checkpoints, resume -- and knows no recipe's keys: it talks to every recipe through this class.
Recipes compute their objectives with ``minigan.losses``; none defines a loss of its own.

``Recipe.state_dict()`` gathers everything that changes while training (network weights and
buffers, optimizer moments, schedules, EMA, history pools), so that a checkpoint plus the random
generator's state and the data position resume a run exactly.
"""
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Optional

from .. import backend, optim
from ..errors import ArgumentError, StateDictError
from ..tensor import Tensor, no_grad


def option(default, help, **extra):
    """A Settings field: its default, its --help text, and optional argparse extras (choices=...)."""
    return field(default=default, metadata={'help': help, **extra})


@dataclass
class Settings:
    """Options every recipe has."""
    batch_size: int = option(64, "examples per batch")
    lr: float = option(2e-4, "learning rate (of G; of D too unless --lr-d is given)")
    lr_d: Optional[float] = option(None, "D's learning rate, when it differs from G's (TTUR)")

    @property
    def d_lr(self):
        return self.lr if self.lr_d is None else self.lr_d


def settings_dict(settings):
    """The settings as a plain dict (for config files and checkpoints)."""
    return {f.name: getattr(settings, f.name) for f in fields(settings)}


@dataclass(frozen=True)
class DataInfo:
    """What a recipe needs to know about its data: the data set's name, its kind ('points',
    'labelled', 'unpaired' or 'paired'; see minigan.data), one example's shape and the number of
    classes (0 when unlabelled)."""
    name: str
    kind: str
    shape: tuple
    n_classes: int = 0

    @property
    def is_image(self):
        return len(self.shape) == 3


@dataclass
class Parts:
    """What build() returns. Each dict maps a name to an object with state_dict / load_state_dict."""
    networks: dict
    optimizers: dict
    schedulers: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)  # EMA, history pools: anything else with state


class Recipe:
    name = None                 # the variant's name on the command line
    Settings = Settings
    kinds = ('labelled',)       # the data kinds it learns from (minigan.data.CATALOG)
    default_data = 'digits'
    default_epochs = 5
    about = ''                  # one line for --help

    def __init__(self, settings, data, device='cpu'):
        if data.kind not in self.kinds:
            raise ArgumentError(f"{self.name}: cannot train on {data.name!r}, a data set of kind "
                                f"{data.kind!r}; it needs one of kind {' or '.join(self.kinds)}")
        self.settings, self.data, self.device = settings, data, device
        parts = self.build()
        for net in parts.networks.values():
            net.to(device)
        self.networks, self.optimizers = parts.networks, parts.optimizers
        self.schedulers, self.extras = parts.schedulers, parts.extras
        self.__dict__.update(parts.networks)  # self.G, self.D, ... by their names

    # ---- what each recipe defines
    def build(self):
        """-> Parts: the networks (on the CPU; the base class moves them) and their optimizers."""
        raise NotImplementedError

    def step(self, batches):
        """One training step, pulling batches with next(batches); -> {'loss_d': float, ...}."""
        raise NotImplementedError

    def sample_inputs(self, n, label=None, truncation=None, source=None):
        """The inputs of ``generate`` for n outputs (drawn from minigan's generator)."""
        raise NotImplementedError

    def generate(self, inputs):
        """Outputs for ``inputs`` (eval mode, no graph): points (N, 2) or images (N, C, H, W)."""
        raise NotImplementedError

    def fixed_inputs(self, held_out):
        """The inputs of the pictures drawn after every epoch (the loop draws them once, seeded)."""
        return self.sample_inputs(64)

    def layout(self, inputs, outputs):
        """(images (M, C, H, W), columns): what a picture of ``outputs`` shows, row by row."""
        return outputs, 8

    @property
    def batches_per_step(self):
        """Batches one step pulls (the loop's progress estimate): n_critic for WGAN-style steps."""
        return 1

    # ---- shared behaviour
    def plan(self, steps):
        """Called once before a new run's first step with its planned length (schedules that span
        the run need it); not on resume, whose settings hold what the plan chose."""

    def end_epoch(self):
        """Called by the loop after each full pass over the data: per-epoch schedules step here."""
        for scheduler in self.schedulers.values():
            scheduler.step()

    def evaluate(self, evaluation):
        """{name: number} of the current model's quality (evaluation.py; {} when none apply)."""
        return {}

    def _stateful(self):
        return {'networks': self.networks, 'optimizers': self.optimizers,
                'schedulers': self.schedulers, 'extras': self.extras}

    def state_dict(self):
        """{'networks': {'G': ...}, 'optimizers': {...}, 'schedulers': {...}, 'extras': {...}}."""
        return {group: {name: part.state_dict() for name, part in parts.items()}
                for group, parts in self._stateful().items()}

    def load_state_dict(self, state):
        """Restore every part from ``state_dict()``'s structure; the parts' names must match."""
        groups = self._stateful()
        for group, parts in groups.items():
            saved = state.get(group, {})
            if set(saved) != set(parts):
                raise StateDictError(f"{self.name}: the checkpoint's {group} are {sorted(saved)}, this "
                                     f"recipe has {sorted(parts)}; was it written by another variant?")
        for group, parts in groups.items():
            for name, part in parts.items():
                part.load_state_dict(state[group][name])

    # ---- helpers for recipes
    @staticmethod
    def adam(params, lr, betas):
        return optim.Adam(list(params), lr=lr, betas=tuple(betas))

    @staticmethod
    @contextmanager
    def frozen(module):
        """Inside, ``module``'s parameters need no gradient: G's step backpropagates through D to
        its input only, and skips D's weight gradients (about a third of D's backward)."""
        module.requires_grad_(False)
        try:
            yield module
        finally:
            module.requires_grad_(True)

    @staticmethod
    def frozen_forward(module, *inputs):
        """module(*inputs) in eval mode without a graph (sampling), restoring the mode after."""
        was_training = module.training
        module.eval()
        try:
            with no_grad():
                return module(*inputs)
        finally:
            module.train(was_training)


def pack(x, m):
    """PacGAN's packing: (N, C, ...) → (N/m, m·C, ...), m consecutive samples side by side, so D
    judges m samples jointly and a generator that repeats itself is easy to catch."""
    if m == 1:
        return x
    return x.reshape(x.shape[0] // m, m * x.shape[1], *x.shape[2:])


def balanced_labels(n, n_classes, device):
    """n labels in class order, as even as n allows: 0 0 .. 1 1 .. (n/K of each when K divides n)."""
    return Tensor(backend.asarray([i * n_classes // n for i in range(n)], dtype=backend.int64, device=device))

