"""``python -m minigan train``: parse the command line, start or resume a run, train it.

    python -m minigan train                       the main job (options.MAIN_JOB)
    python -m minigan train VARIANT [options]     a new run of one recipe
    python -m minigan train [VARIANT] --resume    the run in --out, from its checkpoint

Every option is checked before anything is written or loaded: the recipe's Settings check their
values (``--lr nan`` names --lr and nan), the run checks its own (--steps, --seed, --limit,
--profile...), and files.py the folder. The run itself -- the loop, exact resume, steps that
happen all or nothing, Ctrl-C -- is run.py's.
"""
import shlex
import sys

from ..errors import ArgumentError
from ..gan import RECIPES
from . import options
from .files import read_run
from .run import Run, saved_run_path
from .watch import StepWatch

MAX_SEED = 2 ** 63


def split_variant(argv):
    if argv and not argv[0].startswith('-'):
        if argv[0] not in RECIPES:
            raise ArgumentError(f"train: unknown variant {argv[0]!r}; expected one of {', '.join(RECIPES)} "
                                "(or none, for the main job)")
        return argv[0], argv[1:]
    return None, argv


def check_run_options(args):
    """The run's own options (the recipe's are checked by its Settings)."""
    if args.seed is not None and not 0 <= args.seed < MAX_SEED:
        raise ArgumentError(f"--seed must be in [0, 2**63), got {args.seed}")
    if args.limit is not None and args.limit < 1:
        raise ArgumentError(f"--limit {args.limit}: expected a positive number of examples")
    if args.eval_every < 0:
        raise ArgumentError(f"--eval-every must be >= 0, got {args.eval_every}")
    if args.profile < 0:
        raise ArgumentError(f"--profile must be a number of steps >= 1 (or 0: off), got {args.profile}")


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
            resume_out = options.MAIN_JOB_OUT if common.out is None else common.out
            variant = read_run(saved_run_path(resume_out), '--resume')['variant']
        else:  # the main job: its options first, so that the user's win
            variant, main_job = options.MAIN_JOB[0], True
            length = [] if common.steps or common.epochs else ['--steps', str(options.MAIN_JOB_STEPS)]
            out = [] if common.out is not None else ['--out', options.MAIN_JOB_OUT]
            rest = options.MAIN_JOB[1:] + length + out + rest
    recipe_class = RECIPES[variant]
    args, given = options.parse_train(options.train_parser(recipe_class), recipe_class, rest)
    args.out = resume_out if args.out is None else args.out
    check_run_options(args)
    if main_job:
        print(f"the main job: python -m minigan train {shlex.join([variant] + rest)}  (a row of samples "
              "per digit)", file=say)
    run = Run.resume(recipe_class, args, given) if args.resume else Run.start(recipe_class, args, given, rest)
    run.eval_every = args.eval_every
    run.watch = StepWatch(anomaly=args.detect_anomaly, profile_steps=args.profile)
    return run.train(say)
