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
generator's state and the data position resume a run exactly. The same state makes a step
all-or-nothing: ``Recipe.transaction()`` (see there) puts it back when a step fails halfway.

Every Settings field has a domain, checked when the Settings are made: numbers finite and >= 0
unless the field says otherwise (``option(64, "...", low=1)``; ``high=1, high_open=True`` for
Adam's betas). A field that overrides one of a parent class keeps the parent's domain.
"""
import typing
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Optional

from .. import backend, optim
from ..checks import count, describe, number
from ..errors import ArgumentError, ArgumentTypeError, StateDictError
from ..tensor import Tensor, no_grad

_BOUNDS = ('low', 'high', 'high_open')


def option(default, help, **extra):
    """A Settings field: its default, its --help text, its domain (low=0, high=None, high_open=
    False: finite numbers in [low, high]) and optional argparse extras (choices=...)."""
    return field(default=default, metadata={'help': help, **extra})


def flag(name):
    """The command-line option of a Settings field: lambda_gp -> --lambda-gp."""
    return '--' + name.replace('_', '-')


def _bounds(cls, name):
    """{'low': ..., ...} of field ``name``: its own, else those of the class it overrides."""
    for klass in cls.__mro__:
        declared = getattr(klass, '__dataclass_fields__', {}).get(name)
        if declared is not None and any(key in declared.metadata for key in _BOUNDS):
            return {key: declared.metadata[key] for key in _BOUNDS if key in declared.metadata}
    return {}


def value_type(kind):
    """int, float, bool or tuple: the type of a field declared ``kind`` (Optional[X] -> X)."""
    if typing.get_origin(kind) is typing.Union:
        return next(arg for arg in typing.get_args(kind) if arg is not type(None))
    return kind


@dataclass
class Settings:
    """Options every recipe has. Making one checks every value against its field's domain:
    ``Settings(lr=float('nan'))`` raises ArgumentError naming lr (--lr) and nan."""
    batch_size: int = option(64, "examples per batch", low=1)
    lr: float = option(2e-4, "learning rate (of G; of D too unless --lr-d is given)")
    lr_d: Optional[float] = option(None, "D's learning rate, when it differs from G's (TTUR)")

    @property
    def d_lr(self):
        return self.lr if self.lr_d is None else self.lr_d

    def __post_init__(self):
        where = type(self).__name__
        for f in fields(self):
            value, kind = getattr(self, f.name), value_type(f.type)
            if value is None and f.default is None:
                continue  # "not given": the recipe picks (latent_dim, width, lr_d)
            name = f"{f.name} ({flag(f.name)})"
            bounds = _bounds(type(self), f.name)
            low, high, high_open = bounds.get('low', 0), bounds.get('high'), bounds.get('high_open', False)
            if kind is bool:
                if not isinstance(value, bool):
                    raise ArgumentTypeError(f"{where}: {name} must be True or False, got {describe(value)}")
            elif kind is int:
                count(where, name, value, minimum=low)
            elif kind is float:
                number(where, name, value, low=low, high=high, high_open=high_open)
            elif kind is tuple:
                if not isinstance(value, (tuple, list)) or len(value) != len(f.default):
                    raise ArgumentTypeError(f"{where}: {name} must be {len(f.default)} numbers, got "
                                            f"{describe(value)}")
                for item in value:
                    number(where, name, item, low=low, high=high, high_open=high_open)
                setattr(self, f.name, tuple(value))
            choices = f.metadata.get('choices')
            if choices is not None and value not in choices:
                raise ArgumentError(f"{where}: {name} must be one of {choices}, got {value!r}")


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

    @classmethod
    def default_length(cls, data_name):
        """How long a run on ``data_name`` lasts when neither --steps nor --epochs is given:
        {'epochs': N} or {'steps': N}."""
        return {'epochs': cls.default_epochs}

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

    # ---- all-or-nothing steps
    @contextmanager
    def transaction(self):
        """Inside, an exception of any kind -- a bad batch, an AnomalyError, Ctrl-C -- puts the
        training state back as it was on entry, then propagates: a failed step changes nothing.

        Why a copy. A step is a chain of updates, each using the last: G's loss is computed
        through the D that was just updated (alternating gradient steps), CycleGAN's D judges the
        images of the G just updated. So an update cannot wait until the whole step has
        succeeded; the state has to be put back instead. On entry we copy every array of
        ``state_dict()`` -- the very list a checkpoint saves (weights, buffers such as batch
        norm's running statistics and spectral norm's vectors, optimizer moments and step
        counts, schedules, EMA, history pools), so a piece of state the rollback forgot would
        also break exact resume, which the tests check for every variant -- and the random
        generator's state (the step draws noise). On failure ``load_state_dict`` copies them
        back in place: the Parameter objects, which the optimizers hold, stay the same.

        Cost: one copy of the state per step. For DCGAN at width 64 (B = 64) the state is 10.3 MB
        (weights and Adam's two moments); copying it took 36 ms against a 5.2 s step, 0.7% (medians
        of 7, interleaved, on a shared 2-core machine at load 20). Memory holds one copy more.
        """
        saved, rng = copied(self.state_dict()), backend.get_rng_state()
        try:
            yield
        except BaseException:
            self.load_state_dict(saved)
            backend.set_rng_state(rng)
            raise

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


def copied(state):
    """A copy of a nested state dict in which every Tensor and array is a copy too."""
    if isinstance(state, Tensor):
        return Tensor(state.array.copy())
    if backend.is_array(state):
        return state.copy()
    if isinstance(state, dict):
        return {key: copied(value) for key, value in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(copied(value) for value in state)
    return state
