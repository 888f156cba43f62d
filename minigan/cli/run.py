"""One training run: its folder, recipe, data stream, counters and history, and the loop itself.

    set the seed → load the data → build the recipe → [resume] →
    repeat: one step, all or nothing (advance); progress bar
            at the end of each epoch: pictures of samples from fixed inputs, the loss curves,
            a metrics line and a checkpoint (report)
    until the target number of steps or epochs is reached.

The loop knows no recipe's keys: it logs whatever dict ``step`` returns and draws what
``generate`` and ``layout`` give it.

Exact resume. A checkpoint holds the recipe's state (weights, buffers, optimizer moments,
schedules, EMA, history pools), the state of minigan's random generator, the data stream's
position (epoch, batch) and the loss history. Pictures and metrics draw their random numbers from
a fork of the generator (seeded, and restored afterwards) and use eval mode, so they change no
state: a run stopped after N steps and resumed to 2N steps is, bit for bit, the run that never
stopped.

All or nothing. A step is the recipe's step, the epoch's schedules when it ends an epoch, the
counters and the history: ``advance`` runs them inside ``Recipe.transaction()`` and puts the
stream, counters and history back too when anything fails, Ctrl-C included. So whenever the loop
is left, the run is at the end of a whole step -- which is what makes the checkpoint that Ctrl-C
saves (``interrupted``) resume exactly.
"""
import bisect
import contextlib
import json
import os
import shlex
import shutil
import sys
import time

from .. import backend, checkpoint, data, viz
from ..errors import ArgumentError, CheckpointError, MissingFileError
from ..gan import DataInfo, settings_dict
from ..gan.evaluation import Evaluation
from ..tensor import Tensor
from ..utils.data import TensorDataset
from . import options
from .files import CHECKPOINT, RUN_FORMAT, blamed_on, load_state, prepare_out_folder, read_run, \
    restore_rng, settings_of
from .progress import Progress, clock
from .stream import BatchStream
from .watch import PROFILE_FILE, StepWatch

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


def target_of(args):
    """{'steps': N} or {'epochs': N} from --steps / --epochs, or None when neither is given."""
    for name in ('steps', 'epochs'):
        value = getattr(args, name)
        if value is not None:
            if value < 1:
                raise ArgumentError(f"--{name} must be a positive number, got {value}")
            return {name: value}
    return None


class Run:
    def __init__(self, recipe_class, out, data_name, data_dir, limit, settings, seed, target, device):
        self.recipe_class, self.out, self.data_name, self.data_dir = recipe_class, out, data_name, data_dir
        self.limit, self.seed, self.target, self.device = limit, seed, target, device
        backend.manual_seed(seed)
        with blamed_on(f"--data-dir {data_dir!r}" if data_dir is not None else f"--data {data_name}"):
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
        self.reported_step = 0  # the step of the last report: its loss means start after it
        self.saved_step = None  # the step of the checkpoint in --out, if there is one
        self.eval_every = 1
        self.watch = StepWatch()

    # ---- the two ways to begin
    @classmethod
    def start(cls, recipe_class, args, given, argv):
        """A new run; every option is checked before the folder is touched."""
        data_name = args.data or recipe_class.default_data
        if args.data_dir is not None and data_name != 'mnist':
            raise ArgumentError(f"--data-dir applies to --data mnist, not to {data_name!r}")
        kind = data.CATALOG[data_name].kind
        if kind not in recipe_class.kinds:
            raise ArgumentError(f"--data {data_name}: {recipe_class.name} cannot train on {data_name!r}, a "
                                f"data set of kind {kind!r}; it needs one of kind {' or '.join(recipe_class.kinds)}")
        target = target_of(args) or recipe_class.default_length(data_name)
        settings = recipe_class.Settings(**given)
        seed = 0 if args.seed is None else args.seed
        out = default_out(recipe_class, data_name) if args.out is None else args.out
        if os.path.exists(os.path.join(out, CHECKPOINT)):
            raise ArgumentError(f"--out {out!r} holds a run already: continue it with --resume, or choose "
                                "another --out (or delete the folder)")
        created = not os.path.exists(out)
        prepare_out_folder(out)
        try:
            run = cls(recipe_class, out, data_name, args.data_dir, args.limit, settings, seed, target,
                      args.device)
        except BaseException:
            if created:  # no empty folder left behind by a run that never began
                with contextlib.suppress(OSError):
                    os.rmdir(out)
            raise
        run.recipe.plan(run.planned_steps())  # settings that follow the run's length (lr decay on points)
        config = {'command': 'python -m minigan train ' + shlex.join([recipe_class.name] + argv),
                  'variant': recipe_class.name, 'data': data_name, 'limit': args.limit, 'seed': seed,
                  'target': target, 'settings': settings_dict(run.recipe.settings)}
        with open(os.path.join(out, 'config.json'), 'w') as f:
            json.dump(config, f, indent=2)
        return run

    @classmethod
    def resume(cls, recipe_class, args, given):
        """The run saved in --out, at the step it was saved."""
        out = default_out(recipe_class, args.data or recipe_class.default_data) if args.out is None else args.out
        path = saved_run_path(out)
        saved = read_run(path, '--resume', args.device)
        if saved['variant'] != recipe_class.name:
            raise ArgumentError(f"--resume: {out!r} holds a {saved['variant']} run, not {recipe_class.name}")
        for name, value, theirs in [('--data', args.data, saved['data']['name']),
                                    ('--limit', args.limit, saved['limit']),
                                    ('--seed', args.seed, saved['seed'])]:
            if value is not None and value != theirs:
                raise ArgumentError(f"--resume: {name} {value} differs from the run's {theirs}; a resumed "
                                    "run keeps its data and seed")
        _, settings = settings_of(saved, path, '--resume')
        for name, value in given.items():
            if getattr(settings, name) != value:
                raise ArgumentError(f"--resume: {options.flag(name)} {options.describe_default(value)} "
                                    f"differs from the run's {options.describe_default(getattr(settings, name))}; "
                                    "a resumed run keeps its settings (start a new run to change them)")
        target = target_of(args) or saved['target']
        run = cls(recipe_class, out, saved['data']['name'], saved['data_dir'], saved['limit'], settings,
                  saved['seed'], target, args.device)
        load_state(run.recipe, saved['recipe'], path, '--resume')
        restore_rng(saved['rng'], path, '--resume')
        position = saved['stream']
        if not (position['epoch'] >= 0 and 0 <= position['position'] <= run.stream.batches_per_epoch):
            raise CheckpointError(f"--resume: {path!r} holds the data position {position}, outside the "
                                  f"{run.stream.batches_per_epoch} batches of an epoch")
        run.stream.load_state_dict(position)
        run.step, run.epochs_done, run.elapsed = saved['step'], saved['epochs_done'], saved['elapsed']
        run.history = {name: [float(v) for v in backend.to_numpy(values.array)]
                       for name, values in saved['history'].items()}
        run.history['step'] = [int(s) for s in run.history['step']]
        run.reported_step, run.saved_step = saved.get('reported_step', run.step), run.step
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
        self.started, self.elapsed_before = time.perf_counter(), self.elapsed
        try:
            while not self.finished():
                self.watch.before_step()
                values, epoch_ended = self.advance()
                progress.update(self.stream.epochs_completed, values)
                profiled = self.watch.after_step(self.step, epoch_ended or self.finished())
                if profiled:
                    progress.write(self.watch.write(profiled, self.out)[0])
                if epoch_ended or self.finished():
                    self.clock()
                    progress.write(self.report())
        except KeyboardInterrupt:
            progress.close()
            return self.interrupted()
        except Exception:
            progress.close()
            saved = (f"the last checkpoint, {os.path.join(self.out, CHECKPOINT)}, is of step {self.saved_step}"
                     if self.saved_step is not None else "no checkpoint was written yet")
            print(f"the run stopped in step {self.step + 1}, which was undone; {saved}", file=sys.stderr)
            raise
        finally:
            self.watch.close()
        progress.close()
        if self.watch.profile_steps:  # the profile never opened: one step only
            print("--profile: this invocation ran a single step, which pays one-time costs; nothing was "
                  "timed (give more --steps)", file=say)
        self.finish_message(say)
        return 0

    def advance(self):
        """One step, all or nothing: the recipe's step (under --detect-anomaly if asked), the
        epoch's schedules if it ends one, the counters and the history. If anything raises, all
        of it is undone -- the recipe's state and random generator by Recipe.transaction(), the
        stream, counters and history here -- and the error propagates.
        Returns (the step's logged values, whether it ended an epoch)."""
        stream, counters = self.stream.state_dict(), (self.step, self.epochs_done)
        lengths = {name: len(values) for name, values in self.history.items()}
        try:
            with self.recipe.transaction():
                with self.watch.around_step():
                    values = self.recipe.step(self.stream)
                completed = self.stream.epochs_completed
                for _ in range(completed - self.epochs_done):
                    self.recipe.end_epoch()
                self.step, ended, self.epochs_done = self.step + 1, completed > self.epochs_done, completed
                self.history['step'].append(self.step)
                for name, value in values.items():
                    self.history.setdefault(name, []).append(value)
        except BaseException:
            self.stream.load_state_dict(stream)
            self.step, self.epochs_done = counters
            for name in list(self.history):
                if name in lengths:
                    del self.history[name][lengths[name]:]
                else:
                    del self.history[name]
            raise
        return values, ended

    def clock(self):
        self.elapsed = self.elapsed_before + time.perf_counter() - self.started

    def interrupted(self):
        """Ctrl-C: save the run as it is (at the end of its last whole step) and say how to go on."""
        self.clock()
        self.save()
        print(f"\ninterrupted at step {self.step}: the run is saved in {os.path.join(self.out, CHECKPOINT)} "
              f"(a step cut short is undone); continue it exactly where it stopped with\n"
              f"  python -m minigan train --resume --out {shlex.quote(self.out)}", file=sys.stderr)
        return 130

    def finish_message(self, say):
        where = {'samples': self.picture_name(), 'losses': 'losses.png', 'metrics': 'metrics.jsonl',
                 'checkpoint': CHECKPOINT}
        if self.watch.profile_written:
            where['profile'] = PROFILE_FILE
        print(f"done: {self.step} steps in {clock(self.elapsed)}.", file=say)
        for what, name in where.items():
            print(f"  {what + ':':11s} {os.path.join(self.out, name)}", file=say)
        print(f"more samples: python -m minigan sample --checkpoint {os.path.join(self.out, CHECKPOINT)} "
              "--n 64 --out samples.png", file=say)

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

    def loss_means(self):
        """The mean of each logged value over the steps since the last report (from the history,
        so a resumed run's first report averages the same steps as the run that never stopped)."""
        first = bisect.bisect_right(self.history['step'], self.reported_step)
        return {name: sum(values[first:]) / len(values[first:]) for name, values in self.history.items()
                if name != 'step' and len(values) > first}

    def report(self):
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
                **{k: round(v, 6) for k, v in self.loss_means().items()}, **metrics}
        with open(os.path.join(self.out, 'metrics.jsonl'), 'a') as f:
            f.write(json.dumps(line) + '\n')
        self.reported_step = self.step
        self.save()
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
            'reported_step': self.reported_step, 'elapsed': self.elapsed,
            'stream': self.stream.state_dict(), 'rng': backend.get_rng_state(),
            'recipe': self.recipe.state_dict(), 'history': history}, os.path.join(self.out, CHECKPOINT))
        self.saved_step = self.step


def saved_run_path(out):
    """The checkpoint of the run in ``out``, which must exist (for --resume)."""
    path = os.path.join(out, CHECKPOINT)
    if not os.path.isfile(path):
        raise MissingFileError(f"--resume: there is no {CHECKPOINT} in {out!r} to resume from")
    return path
