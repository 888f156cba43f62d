"""``python -m minigan train``: the one training loop, shared by every recipe.

    set the seed → load the data → build the recipe → [resume] →
    repeat: losses = recipe.step(batches); log them; progress bar
            at the end of each epoch: recipe.end_epoch() (per-epoch schedules), then a picture of
            samples from fixed inputs, the loss curves, a metrics line and a checkpoint
    until the target number of steps or epochs is reached.

The loop knows no recipe's keys: it logs whatever dict ``step`` returns and draws what
``generate`` and ``layout`` give it.

Exact resume. A checkpoint holds the recipe's state (weights, buffers, optimizer moments,
schedules, EMA, history pools), the state of minigan's random generator, the data stream's
position (epoch, batch) and the loss history. Pictures and metrics draw their random numbers from
a fork of the generator (seeded, and restored afterwards) and use eval mode, so they change no
state: a run stopped after N steps and resumed to 2N steps is, bit for bit, the run that never
stopped.
"""
import contextlib
import json
import os
import shlex
import shutil
import sys
import time

from .. import backend, checkpoint, data, viz
from ..errors import ArgumentError, CheckpointError, MissingFileError
from ..gan import RECIPES, DataInfo, settings_dict
from ..gan.evaluation import Evaluation
from ..tensor import Tensor
from ..utils.data import TensorDataset
from . import options
from .progress import Progress, clock
from .stream import BatchStream

CHECKPOINT = 'checkpoint.npz'
RUN_FORMAT = 'minigan-run'
PICTURE_SEED, METRICS_SEED = 1, 2  # offsets of the run's seed for the forked generators


@contextlib.contextmanager
def forked_rng(seed):
    """Inside, minigan's generator is seeded with ``seed``; after, it is exactly as before."""
    state = backend.get_rng_state()
    backend.manual_seed(seed)
    try:
        yield
    finally:
        backend.set_rng_state(state)


def read_checkpoint(out, device=None):
    """The run saved in ``out``, its arrays on ``device`` (None: where they were saved)."""
    path = os.path.join(out, CHECKPOINT)
    if not os.path.isfile(path):
        raise MissingFileError(f"--resume: there is no {CHECKPOINT} in {out!r} to resume from")
    saved = checkpoint.load(path, map_location=device)
    if not isinstance(saved, dict) or saved.get('format') != RUN_FORMAT:
        raise CheckpointError(f"--resume: {path} is a minigan checkpoint but not one of a training run")
    return saved


def describe(name, dataset):
    """DataInfo of a loaded data set: its kind, one example's shape, its number of classes."""
    kind = data.CATALOG[name].kind
    n_classes = int(dataset.tensors[1].max().item()) + 1 if kind == 'labelled' else 0
    return DataInfo(name, kind, tuple(dataset.tensors[0].shape[1:]), n_classes)


def spread_subset(dataset, n):
    """The n examples i·len/n, i = 0..n−1, of a TensorDataset: every part of a sorted set."""
    if not 1 <= n <= len(dataset):
        raise ArgumentError(f"--limit {n}: expected 1 to {len(dataset)}, the size of the data set")
    index = backend.asarray([i * len(dataset) // n for i in range(n)], dtype=backend.int64,
                            device=dataset.tensors[0].device)
    return TensorDataset(*(Tensor(t.array[index]) for t in dataset.tensors))


def default_out(recipe_class, data_name):
    return os.path.join('runs', f'{recipe_class.name}-{data_name}')


def split_variant(argv):
    if argv and not argv[0].startswith('-'):
        if argv[0] not in RECIPES:
            raise ArgumentError(f"train: unknown variant {argv[0]!r}; expected one of {', '.join(RECIPES)} "
                                "(or none, for the main job)")
        return argv[0], argv[1:]
    return None, argv


def train_command(argv, out_stream=None):
    """Parse ``argv`` (what follows ``train``), then train; returns the exit status."""
    say = out_stream or sys.stdout
    variant, rest = split_variant(argv)
    if variant is None and any(a in ('-h', '--help') for a in rest):
        options.train_parser().print_help(say)
        return 0
    main_job, resume_out = False, None
    if variant is None:
        common, _ = options.train_parser().parse_known_args(rest)
        if common.resume:  # the variant is the run's: read it from the checkpoint
            resume_out = common.out or options.MAIN_JOB_OUT
            variant = read_checkpoint(resume_out)['variant']
        else:  # the main job: its options first, so that the user's win
            variant, main_job = options.MAIN_JOB[0], True
            length = [] if common.steps or common.epochs else ['--steps', str(options.MAIN_JOB_STEPS)]
            out = [] if common.out else ['--out', options.MAIN_JOB_OUT]
            rest = options.MAIN_JOB[1:] + length + out + rest
    recipe_class = RECIPES[variant]
    args, given = options.parse_train(options.train_parser(recipe_class), recipe_class, rest)
    args.out = args.out or resume_out
    if main_job:
        print(f"the main job: python -m minigan train {shlex.join([variant] + rest)}  (a row of samples "
              "per digit)", file=say)
    if args.eval_every < 0:
        raise ArgumentError(f"--eval-every must be >= 0, got {args.eval_every}")
    run = Run.resume(recipe_class, args, given) if args.resume else Run.start(recipe_class, args, given, rest)
    run.eval_every = args.eval_every
    return run.train(say)


class Run:
    """One training run: its folder, recipe, data stream, counters and history."""

    def __init__(self, recipe_class, out, data_name, data_dir, limit, settings, seed, target, device):
        self.recipe_class, self.out, self.data_name, self.data_dir = recipe_class, out, data_name, data_dir
        self.limit, self.seed, self.target, self.device = limit, seed, target, device
        backend.manual_seed(seed)
        self.train_set = data.load(data_name, 'train', data_dir, device)
        self.held_out = data.load(data_name, 'test', data_dir, device)
        self.info = describe(data_name, self.train_set)
        if limit is not None:
            self.train_set = spread_subset(self.train_set, limit)
        self.recipe = recipe_class(settings, self.info, device)
        self.evaluation = Evaluation(self.held_out, self.info, device)
        self.stream = BatchStream(self.train_set, self.recipe.settings.batch_size, seed)
        self.step, self.epochs_done, self.elapsed = 0, 0, 0.0
        self.history = {'step': []}
        self.reported_step = 0
        self.eval_every = 1

    # ---- the two ways to begin
    @classmethod
    def start(cls, recipe_class, args, given, argv):
        data_name = args.data or recipe_class.default_data
        if args.data_dir is not None and data_name != 'mnist':
            raise ArgumentError(f"--data-dir applies to --data mnist, not to {data_name!r}")
        target = _target(args) or {'epochs': recipe_class.default_epochs}
        out = args.out or default_out(recipe_class, data_name)
        if os.path.exists(os.path.join(out, CHECKPOINT)):
            raise ArgumentError(f"{out!r} holds a run already: continue it with --resume, or choose "
                                "another --out (or delete the folder)")
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as err:
            raise ArgumentError(f"--out {out!r}: cannot create the folder ({err.strerror})") from None
        settings = recipe_class.Settings(**given)
        seed = 0 if args.seed is None else args.seed
        run = cls(recipe_class, out, data_name, args.data_dir, args.limit, settings, seed, target,
                  args.device)
        run.recipe.plan(run.planned_steps())
        config = {'command': 'python -m minigan train ' + shlex.join([recipe_class.name] + argv),
                  'variant': recipe_class.name, 'data': data_name, 'limit': args.limit, 'seed': seed,
                  'target': target, 'settings': settings_dict(run.recipe.settings)}
        with open(os.path.join(out, 'config.json'), 'w') as f:
            json.dump(config, f, indent=2)
        return run

    @classmethod
    def resume(cls, recipe_class, args, given):
        out = args.out or default_out(recipe_class, args.data or recipe_class.default_data)
        saved = read_checkpoint(out, args.device)
        if saved['variant'] != recipe_class.name:
            raise ArgumentError(f"--resume: {out!r} holds a {saved['variant']} run, not {recipe_class.name}")
        for name, value, theirs in [('--data', args.data, saved['data']['name']),
                                    ('--limit', args.limit, saved['limit']),
                                    ('--seed', args.seed, saved['seed'])]:
            if value is not None and value != theirs:
                raise ArgumentError(f"--resume: {name} {value} differs from the run's {theirs}; a resumed "
                                    "run keeps its data and seed")
        for name, value in given.items():
            if saved['settings'][name] != value:
                theirs = options.describe_default(saved['settings'][name])
                raise ArgumentError(f"--resume: {options.flag(name)} {options.describe_default(value)} "
                                    f"differs from the run's {theirs}; a resumed run keeps its settings "
                                    "(start a new run to change them)")
        settings = recipe_class.Settings(**saved['settings'])
        target = _target(args) or saved['target']
        run = cls(recipe_class, out, saved['data']['name'], saved['data_dir'], saved['limit'], settings,
                  saved['seed'], target, args.device)
        run.recipe.load_state_dict(saved['recipe'])
        backend.set_rng_state(saved['rng'])
        run.stream.load_state_dict(saved['stream'])
        run.step, run.epochs_done, run.elapsed = saved['step'], saved['epochs_done'], saved['elapsed']
        run.history = {name: [float(v) for v in backend.to_numpy(values.array)]
                       for name, values in saved['history'].items()}
        run.history['step'] = [int(s) for s in run.history['step']]
        run.reported_step = run.step
        return run

    # ---- the loop
    def finished(self):
        if 'steps' in self.target:
            return self.step >= self.target['steps']
        return self.epochs_done >= self.target['epochs']

    def planned_steps(self):
        if 'steps' in self.target:
            return self.target['steps']
        per_epoch = self.stream.batches_per_epoch / self.recipe.batches_per_step
        return max(self.step, int(round(self.target['epochs'] * per_epoch)))

    def train(self, say):
        recipe = self.recipe
        with forked_rng(self.seed + PICTURE_SEED):
            self.fixed = recipe.fixed_inputs(self.held_out)
        print(f"{recipe.name} on {self.data_name} ({len(self.train_set)} examples, batch "
              f"{recipe.settings.batch_size}), {self.describe_target()}, device {self.device}, seed "
              f"{self.seed}\nwriting pictures, metrics.jsonl and {CHECKPOINT} to {self.out}/", file=say)
        if self.finished():
            print(f"the run has reached its end already ({self.describe_target()}); give a larger "
                  "--steps or --epochs to continue it", file=say)
            return 0
        progress = Progress(self.planned_steps(), self.step)
        started, elapsed_before = time.perf_counter(), self.elapsed
        sums, count = {}, 0
        try:
            while not self.finished():
                values = recipe.step(self.stream)
                self.step += 1
                self.history['step'].append(self.step)
                for name, value in values.items():
                    self.history.setdefault(name, []).append(value)
                    sums[name] = sums.get(name, 0.0) + value
                count += 1
                progress.update(self.stream.epochs_completed, values)
                completed = self.stream.epochs_completed
                if completed > self.epochs_done or self.finished():
                    for _ in range(completed - self.epochs_done):
                        recipe.end_epoch()
                    self.epochs_done = completed
                    self.elapsed = elapsed_before + time.perf_counter() - started
                    progress.write(self.report({k: v / count for k, v in sums.items()}))
                    sums, count = {}, 0
        except KeyboardInterrupt:
            progress.close()
            print(f"\ninterrupted at step {self.step}; the last checkpoint (step {self.reported_step}) is "
                  f"{os.path.join(self.out, CHECKPOINT)}: continue with --resume --out {self.out}",
                  file=sys.stderr)
            return 130
        progress.close()
        where = {'samples': self.picture_name(), 'losses': 'losses.png', 'metrics': 'metrics.jsonl',
                 'checkpoint': CHECKPOINT}
        print(f"done: {self.step} steps in {clock(self.elapsed)}.", file=say)
        for what, name in where.items():
            print(f"  {what + ':':11s} {os.path.join(self.out, name)}", file=say)
        print(f"more samples: python -m minigan sample --checkpoint {os.path.join(self.out, CHECKPOINT)} "
              "--n 64 --out samples.png", file=say)
        return 0

    def describe_target(self):
        return (f"{self.target['steps']} steps" if 'steps' in self.target
                else f"{self.target['epochs']} epochs")

    # ---- what happens at the end of an epoch
    def picture_name(self, epoch=None):
        stem = 'points' if self.info.kind == 'points' else 'samples'
        return f"{stem}.png" if epoch is None else f"{stem}_e{epoch:03d}.png"

    def draw(self, path):
        outputs = self.recipe.generate(self.fixed)
        if self.info.kind == 'points':
            centers, sigma = data.mixture_geometry(self.data_name)
            viz.points_2d(outputs, path, centers, sigma, title=self.recipe.name)
        else:
            images, columns = self.recipe.layout(self.fixed, outputs)
            viz.image_grid(images, path, columns)

    def report(self, loss_means):
        """Pictures, a metrics line and a checkpoint; returns the line to print."""
        epoch = self.stream.drawn / self.stream.batches_per_epoch
        label = self.epochs_done if self.epochs_done == epoch else self.epochs_done + 1  # partial: next
        path = os.path.join(self.out, self.picture_name(label))
        with forked_rng(self.seed + PICTURE_SEED):
            self.draw(path)
        shutil.copyfile(path, os.path.join(self.out, self.picture_name()))
        viz.loss_curves(self.history, os.path.join(self.out, 'losses.png'),
                        title=f"{self.recipe.name} on {self.data_name}")
        metrics = {}
        if self.eval_every and (self.epochs_done % self.eval_every == 0 or self.finished()):
            with forked_rng(self.seed + METRICS_SEED):
                metrics = self.recipe.evaluate(self.evaluation)
        line = {'epoch': round(epoch, 4), 'step': self.step, 'seconds': round(self.elapsed, 2),
                **{k: round(v, 6) for k, v in loss_means.items()}, **metrics}
        with open(os.path.join(self.out, 'metrics.jsonl'), 'a') as f:
            f.write(json.dumps(line) + '\n')
        self.save()
        self.reported_step = self.step
        shown = ' '.join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in line.items()
                         if k not in ('epoch', 'step', 'seconds') and not isinstance(v, list))
        return f"epoch {epoch:.4g} (step {self.step}, {clock(self.elapsed)}): {shown}"

    def save(self):
        history = {name: Tensor(backend.asarray(values, dtype=backend.float64))
                   for name, values in self.history.items()}
        checkpoint.save({
            'format': RUN_FORMAT, 'variant': self.recipe.name,
            'data': {'name': self.info.name, 'kind': self.info.kind, 'shape': list(self.info.shape),
                     'n_classes': self.info.n_classes},
            'data_dir': self.data_dir, 'limit': self.limit, 'seed': self.seed,
            'settings': settings_dict(self.recipe.settings),
            'target': self.target, 'step': self.step, 'epochs_done': self.epochs_done,
            'elapsed': self.elapsed, 'stream': self.stream.state_dict(), 'rng': backend.get_rng_state(),
            'recipe': self.recipe.state_dict(), 'history': history}, os.path.join(self.out, CHECKPOINT))


def _target(args):
    for name in ('steps', 'epochs'):
        value = getattr(args, name)
        if value is not None:
            if value < 1:
                raise ArgumentError(f"--{name} must be a positive number, got {value}")
            return {name: value}
    return None
