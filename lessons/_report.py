"""What a run of the course prints: one line per exercise, and for one that does not pass, why.

A failure is explained in a few lines, never a wall of traceback:

    ✗ im2col  (fail)
        called   im2col(array (2, 3, 7, 6) float64, 3, stride=1, padding=0)   (inputs drawn with seed 0)
        raised   ValueError: matmul: Input operand 1 has a mismatch in its core dimension 0 ...
                 at lessons/05_convolution.py:139:  return x.reshape(x.shape[0], -1) @ w
        hint: ...

The line quoted is the innermost one of the learner's own file (or of a solutions file), not of
NumPy or minigan, because that is the line to fix.
"""
import os
import pathlib
import sys
import traceback

import _checks

HERE = pathlib.Path(__file__).resolve().parent

for _stream in (sys.stdout, sys.stderr):   # a console that cannot show σ or ∂ gets '?', not a crash
    try:
        _stream.reconfigure(errors='replace')
    except (AttributeError, ValueError):
        pass


def marks():
    """(pass, fail, todo) marks the terminal can print."""
    try:
        '✓✗·'.encode(getattr(sys.stdout, 'encoding', None) or 'ascii')
        return '✓', '✗', '·'
    except (UnicodeEncodeError, LookupError):
        return '+', 'x', '-'


def shown(path):
    """A path as the learner would type it: relative to the repository when it is inside."""
    path = pathlib.Path(path).resolve()
    return str(path.relative_to(HERE.parent)) if path.is_relative_to(HERE.parent) else str(path)


def indent(text, n):
    return '\n'.join(' ' * n + line for line in str(text).splitlines())


def lesson_report(lesson, results, traceback_too=False):
    """Print a lesson's results: a mark per exercise, each failure's details and hint, "k of N
    done", and the next exercise to work on with its hint."""
    ok, bad, todo = marks()
    print(f"Lesson {lesson.number} · {lesson.title}   ({shown(lesson.path)})")
    for r in results:
        mark = {'pass': ok, 'fail': bad, 'todo': todo}[r.state]
        print(f"  {mark} {r.exercise.name}" + ('' if r.state == 'pass' else f"  ({r.state})"))
        if r.state == 'fail':
            print(indent(r.detail, 6))
            if traceback_too and r.error is not None:
                print(indent(''.join(traceback.format_exception(type(r.error), r.error,
                                                                r.error.__traceback__)).rstrip(), 6))
            print(indent(f"hint: {r.exercise.hint}", 6))
    print(f"  {sum(r.state == 'pass' for r in results)} of {len(results)} done")
    first = next((r for r in results if r.state != 'pass'), None)
    if first is not None:
        print(f"next: lesson {lesson.number}, exercise {first.exercise.name} ({first.state}) "
              f"at {first.exercise.where}")
        if first.state == 'todo':   # a failure showed its hint above
            print(indent(f"hint: {first.exercise.hint}", 6))
    elif lesson.solutions is None:
        print(f"All done. Compare your answers with {shown(lesson.solution_path)}.")


# ----------------------------------------------------------------------------- explaining a failure
def _called():
    call = _checks.last_call()
    return [f"called   {call}   (inputs drawn with seed {_checks.SEED})"] if call else []


def explain_mismatch(error):
    """A check's comparison failed: what was called, then the check's own message."""
    return '\n'.join(_called() + [str(error) or type(error).__name__])


def _innermost_lesson_frame(error):
    """(file, line, source) of the innermost frame in a lesson or solution file, else the innermost."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if pathlib.Path(f.filename).parent in (HERE, HERE / 'solutions')
            and not pathlib.Path(f.filename).name.startswith('_')]
    frame = (ours or frames)[-1]
    return shown(frame.filename) if os.path.exists(frame.filename) else frame.filename, frame.lineno, frame.line


def explain_error(error):
    """The answer (or a demo) crashed: what was called, the error, and the line it came from."""
    filename, line, source = _innermost_lesson_frame(error)
    lines = _called() + [f"raised   {type(error).__name__}: {error}",
                         f"         at {filename}:{line}" + (f":  {source}" if source else '')]
    return '\n'.join(lines)
