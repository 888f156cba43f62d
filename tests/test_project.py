"""The project's own promises: CI runs exactly the README's test command."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def readme_test_command():
    readme = (ROOT / 'README.md').read_text()
    commands = re.findall(r'```bash\n(.*?)\n```', readme, flags=re.S)
    tests = [c for c in commands if 'pytest' in c]
    assert len(tests) == 1, "the README shows exactly one test command"
    return tests[0].strip()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / '.ci' / 'run').read_text().splitlines()
    assert readme_test_command() in [line.strip() for line in ci]
