"""The course tests itself: every stub comes out todo, every lesson passes with its worked answers
(demo included, at the quick size), every wrong answer kept beside a worked answer is rejected by
its check, every exercise has a hint, and the lessons use only minigan's public API."""
import ast
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
LESSONS = ROOT / 'lessons'
sys.path.insert(0, str(LESSONS))

import _course  # noqa: E402  -- the lessons' framework, imported as the lessons import it

FILES = _course.lesson_files()
LOADED = {}


def lesson_of(path):
    if path not in LOADED:
        LOADED[path] = _course.load_lesson(path, quiet=True)
    return LOADED[path]


def run(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{_course.QUICK_ENV: '1'})
    done = subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding='utf-8', timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_there_are_lessons_and_each_has_a_solutions_file():
    assert len(FILES) >= 8
    for path in FILES:
        assert (LESSONS / 'solutions' / path.name).exists(), f"{path.name} has no solutions file"


@pytest.mark.parametrize('path', FILES, ids=lambda p: p.stem)
def test_every_exercise_has_a_hint_a_docstring_a_check_an_answer_and_a_wrong_answer(path):
    lesson = lesson_of(path)
    assert lesson.exercises, f"{path.name} declares no exercise"
    answers = lesson.load_solutions()
    wrong = {ex.name for ex, _, _ in lesson.wrong_answers()}
    for ex in lesson.exercises.values():
        assert len(ex.hint) > 20, f"{ex.name}: the hint is too short to help"
        assert ex.__doc__ and len(ex.__doc__) > 40, f"{ex.name}: the docstring must say what to compute"
        assert ex.check_fn is not None, f"{ex.name} has no check"
        assert callable(getattr(answers, ex.name, None)), f"{ex.name} has no worked answer"
        assert ex.name in wrong, f"{ex.name} has no wrong answer for its check to reject"


@pytest.mark.parametrize('path', FILES, ids=lambda p: p.stem)
def test_every_stub_is_todo_and_names_its_lesson_and_exercise(path):
    lesson = lesson_of(path)
    for ex in lesson.exercises.values():
        result = lesson.run_check(ex)
        assert result.state == 'todo', f"{ex.name}: the stub came out {result.state}: {result.detail}"
        assert f"lesson {lesson.number}" in result.detail and ex.name in result.detail, result.detail


@pytest.mark.parametrize('path', FILES, ids=lambda p: p.stem)
def test_an_unsolved_lesson_exits_nonzero_naming_the_first_exercise_and_its_hint(path):
    lesson = lesson_of(path)
    first = next(iter(lesson.exercises.values()))
    status, output = run(path)
    assert status == 1, output
    assert 'Traceback' not in output, output
    assert f"next: lesson {lesson.number}, exercise {first.name} (todo)" in output, output
    assert first.hint.split()[0] in output, output
    assert f"0 of {len(lesson.exercises)} done" in output, output


@pytest.mark.parametrize('path', FILES, ids=lambda p: p.stem)
def test_a_lesson_passes_with_its_solutions_and_its_demo_saves_figures(path, tmp_path):
    lesson = lesson_of(path)
    status, output = run(path, '--solutions', '--out', tmp_path)
    n = len(lesson.exercises)
    assert status == 0, output
    assert f"{n} of {n} done" in output, output
    figures = list((tmp_path / path.stem).glob('*.png'))
    assert figures and all(f.stat().st_size > 5000 for f in figures), output


WRONG = [(path, ex.name, why) for path in FILES for ex, why, _ in lesson_of(path).wrong_answers()]


@pytest.mark.parametrize('path, name, why', WRONG, ids=lambda v: v.stem if isinstance(v, pathlib.Path) else v)
def test_each_wrong_answer_is_rejected_by_its_check(path, name, why):
    lesson = lesson_of(path)
    (answer,) = [fn for ex, w, fn in lesson.wrong_answers() if ex.name == name and w == why]
    result = lesson.run_check(lesson.exercises[name], answer)
    assert result.state == 'fail', f"{name}'s check accepts a wrong answer that {why}"
    # rejected by a comparison, not because the wrong answer crashed
    assert isinstance(result.error, AssertionError), result.detail


def test_checking_one_exercise_checks_only_that_one():
    path = FILES[0]
    last = list(lesson_of(path).exercises)[-1]
    status, output = run(path, last, '--solutions')
    assert status == 0, output
    assert '1 of 1 done' in output and 'demo' not in output, output
    status, output = run(path, 'no_such_exercise')
    assert status == 2 and 'no exercise no_such_exercise' in output, output


def test_the_course_runner_picks_lessons_by_number_or_name_and_a_second_part_by_its_letter():
    runner = _course.load_module(LESSONS / '__main__.py', 'lessons_runner')
    picked = lambda *wanted: [f.stem for f in runner.chosen_files(wanted)]  # noqa: E731
    assert picked('5') == picked('05') == picked('05_convolution') == ['05_convolution']
    assert picked('17') == ['17_biggan'] and picked('17b') == ['17b_stylegan']
    assert [f.stem for f in FILES].index('17b_stylegan') == [f.stem for f in FILES].index('17_biggan') + 1
    with pytest.raises(SystemExit, match="no lesson '17c'"):
        runner.chosen_files(['17c'])


def test_the_course_runner_shows_progress_and_the_first_exercise_to_do():
    status, output = run('-m', 'lessons')
    total = sum(len(lesson_of(p).exercises) for p in FILES)
    first = next(iter(lesson_of(FILES[0]).exercises.values()))
    assert status == 1 and f"0 of {total} exercises done" in output, output
    assert f"lesson 1, exercise {first.name} (todo)" in output and first.hint in output, output
    status, output = run('-m', 'lessons', '--solutions')
    assert status == 0 and f"{total} of {total} exercises done" in output, output


# ----------------------------------------------------------------------------- what the lessons may use
PUBLIC = {'minigan', 'minigan.nn', 'minigan.functional', 'minigan.optim', 'minigan.data',
          'minigan.utils', 'minigan.utils.data',
          # the training layer, for the GAN lessons: models, metrics, the digit scorer, pictures
          'minigan.gan', 'minigan.gan.models', 'minigan.gan.metrics', 'minigan.gan.classifier',
          'minigan.viz',
          'minigan.backend'}  # xp_of: device-generic array code, the GPU lesson's subject


SUPPORT = sorted(LESSONS.glob('_*.py'))   # the framework and the demos' ready-made building blocks


@pytest.mark.parametrize('path', FILES + sorted((LESSONS / 'solutions').glob('[0-9]*.py')) + SUPPORT,
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_lessons_and_answers_use_only_the_public_api(path):
    tree = ast.parse(path.read_text(encoding='utf-8'))
    for node in ast.walk(tree):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            if name and name.split('.')[0] == 'minigan':
                assert name in PUBLIC, f"{path.name} imports {name}, which is not public API"
            assert not (name and 'solutions' in name), f"{path.name} imports a solutions file"
        if isinstance(node, ast.Attribute) and node.attr in ('ops', 'backend', 'autograd', 'function'):
            assert not (isinstance(node.value, ast.Name) and node.value.id in ('mg', 'minigan')), \
                f"{path.name}:{node.lineno} reaches into minigan.{node.attr}"


@pytest.mark.parametrize('path', FILES, ids=lambda p: p.stem)
def test_a_lesson_opens_with_an_explanation_cell_and_is_cut_into_cells(path):
    text = path.read_text(encoding='utf-8')
    assert text.startswith('# %% [markdown]\n# # Lesson '), "a lesson opens with its explanation"
    assert text.count('\n# %%') >= 5
