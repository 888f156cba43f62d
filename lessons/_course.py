"""The course's framework: a lesson declares its exercises and their checks; running it says which pass.

A lesson (lessons/NN_name.py) is a script in ``# %%`` cells: explanations, exercise stubs with
their checks, and a demo. It declares

    lesson = Lesson('05_convolution', 'Convolution')

    @lesson.exercise(hint="One hint, shown while the exercise does not pass.")
    def im2col(x, kernel_size, stride=1, padding=0):
        '''What to compute, the formula, the shapes.'''
        raise NotImplementedError("lesson 5, exercise im2col: replace this line with your answer")

    @im2col.check
    def check_im2col(im2col):          # gets the answer to test; raises Mismatch if it is wrong
        ...                            # (helpers in _checks.py)

    @lesson.demo
    def demo():                        # runs once every exercise passes; saves figures
        lesson.save(fig, 'edges.png')  # -> lessons/out/05_convolution/edges.png

    if __name__ == '__main__':
        lesson.main()

Each run works out one of three states per exercise, from what its check did:
    todo  the answer raised NotImplementedError from a stub of this lesson (not written yet),
    fail  the check raised (a Mismatch, a GradcheckError, or the answer crashed),
    pass  the check returned.
There is no marker to delete: an exercise is done when its check passes.

Worked answers live in lessons/solutions/NN_name.py, one function per exercise under the same
name; ``--solutions`` runs the lesson with them swapped in (the checks and the demo call them
instead). Beside each worked answer the solutions file keeps plausible wrong answers,

    wrong = WrongAnswers()

    @wrong('im2col', "pads only the top and left")
    def _(x, kernel_size, stride=1, padding=0): ...

which tests/test_lessons.py feeds to the check: every one must fail it. They live with the
answers, not in the lesson, because a wrong answer one sign away from the right one gives the
exercise away.

Beside this file: _checks.py (what checks are written with), _report.py (what a run prints),
__main__.py (``python -m lessons``, the whole course at a glance). lessons/README.md says how to
work through the course and how to write a lesson.
"""
import argparse
import contextlib
import importlib.util
import io
import linecache
import os
import pathlib
import sys
import time
import warnings

import numpy as np

import _checks
import _report

HERE = pathlib.Path(__file__).resolve().parent
QUICK_ENV = 'MINIGAN_LESSONS_QUICK'   # =1: the small sizes CI runs the demos at


def interactive():
    """True inside Jupyter / VS Code's interactive window (figures show inline; no sys.exit)."""
    return 'ipykernel' in sys.modules


if not interactive():
    import matplotlib
    matplotlib.use('Agg')  # figures go to files; no window, no display needed


class Exercise:
    """One exercise: the learner's function, its hint and its check. Calling it calls ``impl``:
    the learner's function, or the worked answer once the lesson uses its solutions."""

    def __init__(self, lesson, fn, hint):
        self.lesson, self.name = lesson, fn.__name__
        self.check_fn = None
        self.use(fn, hint)

    def use(self, fn, hint):
        """(Re)define the learner's function: a notebook cell run twice updates the same exercise."""
        self.learner = self.impl = fn
        self.hint = hint
        self.__doc__, self.__wrapped__ = fn.__doc__, fn

    def __call__(self, *args, **kwargs):
        return self.impl(*args, **kwargs)

    def __repr__(self):
        return f"<exercise {self.name} of lesson {self.lesson.number}>"

    def check(self, fn):
        """Decorator: ``fn(answer)`` checks an answer, raising _checks.Mismatch if it is wrong."""
        self.check_fn = fn
        return fn

    @property
    def where(self):
        """file:line of the learner's function (editors open it on a click)."""
        code = self.learner.__code__
        if pathlib.Path(code.co_filename).resolve().parent != HERE:   # a notebook's cell
            return f"the cell that defines {self.name}"
        lines = range(code.co_firstlineno, code.co_firstlineno + 20)   # from the decorator to the def
        line = next((n for n in lines if linecache.getline(code.co_filename, n).lstrip().startswith('def ')),
                    code.co_firstlineno)
        return f"{_report.shown(code.co_filename)}:{line}"


class Result:
    """What one check said: state 'pass' | 'fail' | 'todo', and for a failure the details."""

    def __init__(self, exercise, state, detail='', error=None):
        self.exercise, self.state, self.detail, self.error = exercise, state, detail, error


class WrongAnswers:
    """The plausible wrong answers of a solutions file: ``@wrong(exercise_name, why)``."""

    def __init__(self):
        self.entries = []  # (exercise name, why it is wrong, function)

    def __call__(self, exercise, why):
        def register(fn):
            self.entries.append((exercise, why, fn))
            return fn
        return register


class Lesson:
    """A numbered lesson: its exercises in order, their checks, its demo and where figures go."""

    def __init__(self, name, title):
        self.name, self.title = name, title
        self.number = lesson_number(name)
        self.exercises = {}       # name -> Exercise, in the order the lesson declares them
        self.demo_fn = None
        self.out_root = HERE / 'out'
        self.solutions = None     # the solutions module, once in use

    # ---- declaring
    def exercise(self, hint):
        """Decorator for an exercise stub; ``hint`` is shown while the exercise does not pass."""
        if not hint or not hint.strip():
            raise ValueError("every exercise needs a hint")

        def declare(fn):
            if fn.__name__ in self.exercises:
                self.exercises[fn.__name__].use(fn, hint)
            else:
                self.exercises[fn.__name__] = Exercise(self, fn, hint)
            return self.exercises[fn.__name__]
        return declare

    def demo(self, fn):
        """Decorator for the demo: it runs once every exercise passes."""
        self.demo_fn = fn
        return fn

    # ---- sizes and output
    @property
    def quick(self):
        """True when CI runs the lesson at its quick size (--quick, or MINIGAN_LESSONS_QUICK=1)."""
        return os.environ.get(QUICK_ENV, '') not in ('', '0')

    def size(self, learner, quick):
        """The learner's size by default, the quick one in CI: ``epochs = lesson.size(20, quick=1)``."""
        return quick if self.quick else learner

    @property
    def out(self):
        """The folder this lesson's figures go to (lessons/out/NN_name/ unless --out says otherwise)."""
        folder = pathlib.Path(self.out_root) / self.name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def save(self, fig, filename):
        """Save a matplotlib figure into the lesson's output folder and say where."""
        path = self.out / filename
        fig.savefig(path, dpi=110, bbox_inches='tight')
        print(f"  saved {_report.shown(path)}")
        if not interactive():
            import matplotlib.pyplot as plt
            plt.close(fig)
        return path

    # ---- files
    @property
    def path(self):
        return HERE / f"{self.name}.py"

    @property
    def solution_path(self):
        return HERE / 'solutions' / f"{self.name}.py"

    def load_solutions(self):
        """The solutions module (worked answers and wrong answers), loaded once."""
        if self.solutions is None:
            self.solutions = load_module(self.solution_path, f"solutions_{self.name}")
        return self.solutions

    def use_solutions(self):
        """From now on every exercise calls its worked answer."""
        module = self.load_solutions()
        for ex in self.exercises.values():
            answer = getattr(module, ex.name, None)
            if not callable(answer):
                raise AttributeError(f"{_report.shown(self.solution_path)} has no function {ex.name}")
            ex.impl = answer

    def wrong_answers(self):
        """[(exercise, why, function)] kept beside the worked answers."""
        wrong = getattr(self.load_solutions(), 'wrong', None)
        return [] if wrong is None else [(self.exercises[name], why, fn) for name, why, fn in wrong.entries]

    # ---- checking
    def run_check(self, ex, answer=None):
        """The Result of ex's check on ``answer`` (default: what the exercise calls now)."""
        if ex.check_fn is None:
            raise RuntimeError(f"lesson {self.number}: exercise {ex.name} has no check")
        _checks.start(ex.name)
        try:
            with warnings.catch_warnings(), np.errstate(all='ignore'):
                warnings.simplefilter('ignore')  # overflow warnings: the check reports the inf/nan
                ex.check_fn(ex.impl if answer is None else answer)
        except NotImplementedError as error:
            if self._raised_by_a_stub(error):
                return Result(ex, 'todo', str(error), error)
            return Result(ex, 'fail', _report.explain_error(error), error)
        except AssertionError as error:
            return Result(ex, 'fail', _report.explain_mismatch(error), error)
        except Exception as error:  # the answer crashed: say where, without a wall of traceback
            return Result(ex, 'fail', _report.explain_error(error), error)
        return Result(ex, 'pass')

    def _raised_by_a_stub(self, error):
        tb = error.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        return any(tb.tb_frame.f_code is ex.learner.__code__ for ex in self.exercises.values())

    def chosen(self, names=()):
        """The named exercises (all when none are named); a ValueError lists the names there are."""
        unknown = [n for n in names if n not in self.exercises]
        if unknown:
            raise ValueError(f"lesson {self.number} has no exercise {', '.join(unknown)}; "
                             f"its exercises: {', '.join(self.exercises)}")
        return [self.exercises[n] for n in names] or list(self.exercises.values())

    def check(self, *names):
        """Check the named exercises (all when none are named), print the report, return the Results.

        In a notebook: ``lesson.check('im2col')``."""
        results = [self.run_check(ex) for ex in self.chosen(names)]
        self.report(results)
        return results

    def report(self, results, traceback_too=False):
        _report.lesson_report(self, results, traceback_too)

    def run_demo(self):
        """Run the demo; True when it ran through (an error is printed in a few lines)."""
        if self.demo_fn is None:
            return True
        print(f"demo of lesson {self.number} (figures in {_report.shown(self.out)}/)")
        start = time.perf_counter()
        try:
            self.demo_fn()
        except Exception as error:
            print(_report.indent(f"the demo failed: {_report.explain_error(error)}", 2))
            return False
        print(f"  demo took {time.perf_counter() - start:.1f} s")
        return True

    # ---- the command line: python lessons/NN_name.py [EXERCISE ...] [--solutions] [--quick] ...
    def main(self, argv=None):
        """Check the lesson (or the named exercises), run the demo when all pass; exit 0 iff all pass."""
        parser = argparse.ArgumentParser(prog=f"python {_report.shown(self.path)}",
                                         description=f"Lesson {self.number}: {self.title}")
        parser.add_argument('exercises', nargs='*', help="check only these exercises (no demo)")
        add_common_options(parser)
        parser.add_argument('--no-demo', action='store_true', help="do not run the demo")
        args = parser.parse_args([] if argv is None and interactive() else argv)
        apply_common_options(args, [self])
        if args.solutions:
            self.use_solutions()
        try:
            chosen = self.chosen(args.exercises)
        except ValueError as error:
            parser.error(str(error))
        results = [self.run_check(ex) for ex in chosen]
        self.report(results, traceback_too=args.traceback)
        status = 0 if all(r.state == 'pass' for r in results) else 1
        if status == 0 and not args.exercises and not args.no_demo:
            status = 0 if self.run_demo() else 1
        if interactive():
            return status
        sys.exit(status)


# ----------------------------------------------------------------------------- shared by both command lines
def add_common_options(parser):
    parser.add_argument('--solutions', action='store_true',
                        help="run with the worked answers of lessons/solutions/ instead of yours")
    parser.add_argument('--quick', action='store_true',
                        help=f"small demo sizes, as CI runs them (or set {QUICK_ENV}=1)")
    parser.add_argument('--out', metavar='DIR', help="put figures in DIR/NN_name/ (default lessons/out/)")
    parser.add_argument('--traceback', action='store_true',
                        help="show the full traceback when an answer crashes")


def apply_common_options(args, lessons):
    if args.quick:
        os.environ[QUICK_ENV] = '1'
    if args.out:
        for lesson in lessons:
            lesson.out_root = pathlib.Path(args.out)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_lesson(path, quiet=False):
    """The Lesson declared by the file at ``path`` (its name must be the file's). quiet: hide what
    the lesson's cells print as they run (the course runner shows only the checks)."""
    path = pathlib.Path(path)
    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        module = load_module(path, f"lesson_{path.stem}")
    found = [v for v in vars(module).values() if isinstance(v, Lesson)]
    if len(found) != 1 or found[0].name != path.stem:
        raise ValueError(f"{path.name} must declare one Lesson named {path.stem!r}")
    return found[0]


def lesson_number(name):
    """'05_convolution' -> '5'; a second part of a lesson has a letter: '17b_stylegan' -> '17b'."""
    return name.split('_')[0].lstrip('0') or '0'


def lesson_files():
    """The lesson files in course order: 01_..., 02_..., ..., 17_..., 17b_... (its second part), 18_..."""
    return sorted(HERE.glob('[0-9][0-9]*_*.py'))
