"""The train command's options: the loop's common flags plus the chosen recipe's Settings fields.

A recipe's options are generated from its dataclass -- ``lambda_gp`` becomes ``--lambda-gp``, with
the field's default and help text -- so a hyperparameter is declared once, in its recipe, and so
is its domain (the Settings check it: ``--lr nan`` is refused before anything runs). An option of
some *other* recipe is refused with a message that says which recipes have it.

A wrong command line raises ArgumentError (``Parser.error``) instead of argparse's usage dump and
exit, so it ends, like every other mistake, in one line printed by ``main``.
"""
import argparse
import dataclasses
import re
import sys

from .. import data
from ..errors import ArgumentError
from ..gan import RECIPES
from ..gan.recipe import flag, value_type

NEGATIVE_NUMBER = re.compile(r'^-((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|inf(inity)?|nan)$', re.IGNORECASE)
PROFILE_STEPS = 5  # --profile alone: steps timed (a DCGAN step at B = 128 takes seconds on 2 cores)

# `python -m minigan train` with no variant: a cGAN on the shipped digits, a row of samples per
# class. A plain DCGAN on these 4,500 digits drops classes (ones and threes, in our runs); asking
# for every class is the surest cure. Half of DCGAN's width (32 filters) and batches of 32 make a
# step cheap: 2,500 steps take about 1:40 on the 2-core machine, where 1,500 steps of 64, a quarter
# more arithmetic, reached FD 28-30 and 82-87% read as the label asked for. The lr is constant for
# 1,250 steps and then falls linearly to 0: with a constant lr the FD fell to 16.5 but rose once on
# the way (18.87 -> 18.92 at epoch 17) and 87.4% were read as asked; with the fall it falls after
# every epoch, to 18.2, and 88.4% are read as asked. An EMA of G (0.999 from step 1,000) lagged: FD
# 23.0, 83.2%. cgan's own defaults are tuned for a longer run (40 epochs, projection, an EMA of G:
# 99% in about 4 CPU-minutes); the main job keeps the label maps the lesson draws and G itself.
# Options given on the command line come after these, so they win (argparse keeps the last value).
MAIN_JOB = ['cgan', '--width', '32', '--batch-size', '32', '--conditioning', 'maps', '--ema-decay', '0',
            '--lr-decay-steps', '1250']
MAIN_JOB_STEPS = 2500  # unless --steps or --epochs is given
MAIN_JOB_OUT = 'runs/main'


class Parser(argparse.ArgumentParser):
    """argparse's parser, but a wrong command line raises ArgumentError: one line, no usage dump.

    argparse takes a word that starts with '-' for an option unless it looks like a negative
    number, and its idea of one is '-3' or '-.5' only: ``--lr -1e-3`` or ``--lr -inf`` would be
    "expected one argument". No option here looks like a number, so every float literal counts as
    one, and the value reaches the check that says what is wrong with it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER  # argparse's own attribute, read by parse_args

    def error(self, message):
        raise ArgumentError(f"{message} (see {self.prog} --help)") from None


def field_type(field):
    """(argparse type, nargs or None, is_bool) of a Settings field."""
    kind = value_type(field.type)
    if kind is bool:
        return None, None, True
    if kind is tuple:
        return float, len(field.default), False
    return kind, None, False


def describe_default(value):
    if isinstance(value, tuple):
        return ' '.join(str(v) for v in value)
    return 'none' if value is None else str(value)


def add_recipe_options(parser, recipe):
    group = parser.add_argument_group(f"{recipe.name} options (its published defaults)")
    for field in dataclasses.fields(recipe.Settings):
        kind, nargs, is_bool = field_type(field)
        help_text = field.metadata['help']
        if field.default is not None:  # a None default is explained by the help text itself
            help_text += f" (default: {describe_default(field.default)})"
        extra = {'choices': field.metadata['choices']} if 'choices' in field.metadata else {}
        if is_bool:
            group.add_argument(flag(field.name), action=argparse.BooleanOptionalAction,
                               default=argparse.SUPPRESS, help=help_text)
        else:
            metavar = ('BETA1', 'BETA2') if nargs == 2 else {int: 'N', float: 'X'}.get(kind, 'VALUE')
            group.add_argument(flag(field.name), type=kind, nargs=nargs, default=argparse.SUPPRESS,
                               metavar=metavar, help=help_text, **extra)


def add_common_options(parser):
    group = parser.add_argument_group("run options (every variant)")
    group.add_argument('--data', choices=sorted(data.CATALOG), default=None,
                       help="data set: " + "; ".join(f"{name}: {entry.about}" for name, entry in
                                                     data.CATALOG.items()) + " (default: the variant's)")
    group.add_argument('--data-dir', default=None, metavar='DIR',
                       help="folder of your MNIST IDX files, for --data mnist (plain or .gz)")
    length = group.add_mutually_exclusive_group()
    length.add_argument('--epochs', type=int, default=None, metavar='N',
                        help="train for N passes over the data (default: the variant's, see the list)")
    length.add_argument('--steps', type=int, default=None, metavar='N',
                        help="train for N steps (one G update each) instead of whole epochs")
    group.add_argument('--limit', type=int, default=None, metavar='N',
                       help="train on N examples only, spread evenly over the data set (quick "
                            "experiments; default: all)")
    group.add_argument('--device', choices=('cpu', 'cuda'), default='cpu',
                       help="where to train; cuda needs CuPy and a GPU (default: cpu)")
    group.add_argument('--seed', type=int, default=None,
                       help="seed of every random number of the run (default: 0)")
    group.add_argument('--eval-every', type=int, default=1, metavar='N',
                       help="measure the model (FD, accuracy, modes... see minigan/gan/evaluation.py) "
                            "every N epochs and at the end; 0: never (default: 1)")
    group.add_argument('--out', default=None, metavar='DIR',
                       help="folder for the run's pictures, metrics, config and checkpoint "
                            "(default: runs/VARIANT-DATA; runs/main for the main job)")
    group.add_argument('--resume', action='store_true',
                       help="continue the run in --out from its last checkpoint, exactly where it "
                            "stopped (also after Ctrl-C, which saves one); --steps/--epochs may set "
                            "a new end")
    group.add_argument('--detect-anomaly', action='store_true',
                       help="check every op of every training step for NaN and inf "
                            "(minigan.detect_anomaly): the first one stops the run with the op and "
                            "the line of code that made it; the step is undone (slower: for debugging)")
    group.add_argument('--profile', type=int, nargs='?', const=PROFILE_STEPS, default=0, metavar='N',
                       help=f"time N steps op by op (minigan.profile; N = {PROFILE_STEPS} if not "
                            "given), from the second step of this invocation (the first pays one-time "
                            "costs) and at most to the end of its epoch; prints the table and writes it "
                            "to OUT/profile.txt; training goes on unchanged")


def variant_list():
    lines = [f"  {name:9s} {recipe.about} (default data {recipe.default_data}, "
             f"{recipe.default_epochs} epochs)" for name, recipe in RECIPES.items()]
    return "variants:\n" + "\n".join(lines)


def recipe_story(recipe):
    """The recipe's module docstring: the paper, the step as formulas, the published defaults."""
    return sys.modules[recipe.__module__].__doc__ or ''


def train_parser(recipe=None):
    """The parser of ``train [VARIANT]``; with a recipe, its options too."""
    name = recipe.name if recipe else '[VARIANT]'
    parser = Parser(
        prog=f'python -m minigan train {name}', formatter_class=argparse.RawDescriptionHelpFormatter,
        description=("Train a GAN, with a progress bar; after every epoch it writes a sample grid, loss "
                     "curves, a metrics line and a checkpoint into --out."
                     if recipe else
                     "Train a GAN of the course. Without a variant it runs the main job: "
                     f"python -m minigan train {' '.join(MAIN_JOB)} --steps {MAIN_JOB_STEPS} --out "
                     f"{MAIN_JOB_OUT}: a conditional GAN on the shipped digits, a row of samples per "
                     "digit, in about three minutes on two cores."),
        epilog=(recipe_story(recipe) if recipe else '') + (
            '' if recipe else variant_list() + "\n\n`python -m minigan train VARIANT --help` lists "
                                               "the variant's own options and their defaults."))
    add_common_options(parser)
    if recipe is not None:
        add_recipe_options(parser, recipe)
    return parser


def owners_of(option):
    """The variants that have ``option`` ('--lambda-gp')."""
    return [name for name, recipe in RECIPES.items()
            if any(flag(f.name) == option or f'--no-{flag(f.name)[2:]}' == option
                   for f in dataclasses.fields(recipe.Settings))]


def parse_train(parser, recipe, argv):
    """Parse ``argv`` for ``recipe``; an option of another recipe is an error that says so."""
    args, unknown = parser.parse_known_args(argv)
    for token in unknown:
        option = token.split('=')[0]
        if option.startswith('--'):
            owners = owners_of(option)
            if owners:
                parser.error(f"{option} does not apply to {recipe.name}; it is an option of "
                             f"{', '.join(owners)}")
        parser.error(f"unrecognized argument {token!r}")
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(recipe.Settings)
             if hasattr(args, f.name)}
    for name, value in given.items():
        if isinstance(value, list):
            given[name] = tuple(value)
    return args, given
