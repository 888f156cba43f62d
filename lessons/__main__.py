"""The whole course at a glance: ``python -m lessons``.

Checks every lesson in order and prints "k of N done" per lesson and overall, then the file,
name, hint (and failure) of the first exercise that does not pass. The exit status is 0 only when
every exercise passes.

    python -m lessons                       your progress (checks only: a few seconds)
    python -m lessons 3 5                   lessons 3 and 5 only (17b: the second part of 17)
    python -m lessons --demos               also run the demo of every lesson that passes
    python -m lessons --solutions --demos   the whole course with the worked answers
"""
import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # the lessons import _course as files do

import _course  # noqa: E402
import _report  # noqa: E402


def chosen_files(selection):
    files = _course.lesson_files()
    if not selection:
        return files
    picked = []
    for wanted in selection:
        match = [f for f in files if wanted == f.stem or _course.lesson_number(f.stem) == _course.lesson_number(wanted)]
        if not match:
            raise SystemExit(f"no lesson {wanted!r}; the lessons are {', '.join(f.stem for f in files)}")
        picked += match
    return picked


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m lessons', description=__doc__.splitlines()[0])
    parser.add_argument('lessons', nargs='*', help="lesson numbers or names (default: all)")
    _course.add_common_options(parser)
    parser.add_argument('--demos', action='store_true', help="run the demo of each lesson that passes")
    args = parser.parse_args(argv)
    ok, bad, todo = _report.marks()
    marks = {'pass': ok, 'fail': bad, 'todo': todo}

    done = total = 0
    first = None       # (lesson, Result) of the first exercise that does not pass
    broken = []        # lessons that do not load, or whose demo failed
    for path in chosen_files(args.lessons):
        try:
            lesson = _course.load_lesson(path, quiet=True)
        except Exception as error:  # a learner's syntax error, say: name it and go on
            print(f"{path.name} does not load: {_report.explain_error(error)}")
            broken.append(path.stem)
            continue
        _course.apply_common_options(args, [lesson])
        if args.solutions:
            lesson.use_solutions()
        results = [lesson.run_check(ex) for ex in lesson.exercises.values()]
        passed = sum(r.state == 'pass' for r in results)
        done, total = done + passed, total + len(results)
        print(f"{''.join(marks[r.state] for r in results):<9} {passed} of {len(results)} done   "
              f"lesson {lesson.number}: {lesson.title}")
        if first is None:
            first = next(((lesson, r) for r in results if r.state != 'pass'), None)
        if args.demos and passed == len(results) and not lesson.run_demo():
            broken.append(path.stem)

    print(f"\n{done} of {total} exercises done")
    if first is not None:
        lesson, r = first
        print(f"next: {r.exercise.where}  lesson {lesson.number}, exercise {r.exercise.name} ({r.state})")
        if r.state == 'fail':
            print(_report.indent(r.detail, 6))
        print(_report.indent(f"hint: {r.exercise.hint}", 6))
    if broken:
        print(f"problems in: {', '.join(broken)}")
    return 0 if first is None and not broken and total else 1


if __name__ == '__main__':
    sys.exit(main())
