"""Run the course's checks on the platforms instructors already use.

- Gradescope: an autograder zip (``setup.sh``, ``run_autograder``, the grader and the lesson's
  checks). ``run_autograder`` grades ``/autograder/submission`` with the hidden checks and writes
  ``/autograder/results/results.json`` in Gradescope's schema; ``AUTOGRADER_ROOT`` moves that root
  (a test runs it on a simulated layout).
- GitHub Classroom: the workflow that runs on every push, one test per check with its points, and
  the same tests as ``.github/classroom/autograding.json`` for classrooms set up the older way.
"""

from __future__ import annotations

import json
import re
import tomllib
import zipfile
from pathlib import Path

from ..course import Course, Lesson
from ..report import CheckResult
from ..runner import sandbox_for, session
from ..sandbox import Limits

GRADER = Path(__file__).resolve().parent.parent  # the grader package
EXECUTABLE = 0o100755 << 16  # a zip member's Unix mode, in its external attributes

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image: Python 3.11 or newer and the
# grader's requirements, in a virtual environment of their own.
set -euo pipefail
apt-get update
apt-get install -y python3 python3-venv
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11
fi
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/pip install -r /autograder/source/requirements.txt
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade it, hidden checks included, into results.json.
# AUTOGRADER_ROOT (default /autograder) is where submission/, results/ and source/ are.
set -u
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="$ROOT/venv/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
mkdir -p "$ROOT/results"
cd "$ROOT/source"
# Gradescope runs Linux: never fall back to the portable sandbox, which cannot hide the checks.
export GRADE_SANDBOX=linux
PYTHONPATH="$ROOT/source" "$PYTHON" -m grader {lesson} --path "$ROOT/submission" --instructor \\
    --results "$ROOT/results/results.json"
status=$?
# 0 and 1 are verdicts (passed, failed): results.json says which. Anything else is an error of ours.
[ "$status" -le 1 ] || exit "$status"
"""


class ExportError(Exception):
    """An export cannot be written; the message says why in one line."""


def _requirements(course: Course) -> str:
    """The grader's runtime requirements, as its pyproject.toml declares them."""
    project = course.root / "pyproject.toml"
    if not project.is_file():
        raise ExportError(f"{project} not found: the requirements come from the course's pyproject.toml")
    dependencies = tomllib.loads(project.read_text(encoding="utf-8"))["project"]["dependencies"]
    return "".join(f"{dependency}\n" for dependency in dependencies)


def gradescope_autograder(course: Course, lesson: Lesson, out: Path) -> None:
    """Write the Gradescope autograder zip for ``lesson`` to ``out``."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER.format(lesson=lesson.id))):
            member = zipfile.ZipInfo(name)
            member.external_attr = EXECUTABLE
            member.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(member, text)
        bundle.writestr("requirements.txt", _requirements(course))
        for file in sorted(GRADER.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                bundle.write(file, f"grader/{file.relative_to(GRADER).as_posix()}")
        bundle.write(course.root / "lessons" / "course.toml", "lessons/course.toml")
        for each in course.up_to(lesson):
            for file in sorted(each.folder.rglob("*")):
                if file.is_file() and "__pycache__" not in file.parts and file.name not in ("lesson.md", "mutants.toml"):
                    bundle.write(file, f"lessons/{each.id}/{file.relative_to(each.folder).as_posix()}")


def checks_of(course: Course, lesson: Lesson) -> list[CheckResult]:
    """Every check ``lesson`` adds, hidden ones too, with its points, without running any.

    They are read from the report of a submission refused before it ran: each check listed, failed.
    """
    sandbox = sandbox_for(course, lesson, course.root, Limits())
    sandbox.refuse({"title": "listing the checks", "detail": ""})
    reports = []
    try:
        session(course, lesson, lambda run: reports.append(run(sandbox)), include_hidden=True, regression=False)
    finally:
        sandbox.close()
    return reports[0].checks


def _step_id(check: CheckResult) -> str:
    return re.sub(r"[^a-z0-9]+", "-", check.id.lower()).strip("-")


def _command(check: CheckResult) -> str:
    return f"grade {check.id.replace('::', ' --check ')}" + (" --instructor" if check.hidden else "")


def _yaml(value: str) -> str:
    """A YAML scalar for any text (a JSON string is a valid double-quoted YAML scalar)."""
    return json.dumps(value, ensure_ascii=False)


def classroom_workflow(checks: list[CheckResult], timeout_minutes: int) -> str:
    """``.github/workflows/classroom.yml``: install the course, run each check as a test, report the points."""
    lines = [
        "# Written by `grade export github-classroom`: GitHub Classroom grades every push with it.",
        "name: Autograding Tests",
        '"on": [push, repository_dispatch, workflow_dispatch]',  # quoted: YAML 1.1 reads a bare on as true
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    env:",
        "      GRADE_SANDBOX: linux  # the Linux sandbox, never the portable one",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
        "      - name: Set up Python",
        "        uses: actions/setup-python@v5",
        "        with:",
        '          python-version: "3.12"',
        "      - name: Install the course",
        "        run: pip install -e .",
    ]
    for check in checks:
        lines += [
            f"      - name: {_yaml(check.id)}",
            f"        id: {_step_id(check)}",
            "        uses: classroom-resources/autograding-command-grader@v1",
            "        with:",
            f"          test-name: {_yaml(check.title)}",
            '          setup-command: ""',
            f"          command: {_yaml(_command(check))}",
            f"          timeout: {timeout_minutes}",
            f"          max-score: {check.points:g}",
        ]
    lines += ["      - name: Autograding Reporter",
              "        uses: classroom-resources/autograding-grading-reporter@v1",
              "        env:"]
    lines += [f"          {_step_id(check).upper()}_RESULTS: \"${{{{steps.{_step_id(check)}.outputs.result}}}}\""
              for check in checks]
    lines += ["        with:", f"          runners: {','.join(_step_id(check) for check in checks)}"]
    return "\n".join(lines) + "\n"


def classroom_tests(checks: list[CheckResult], timeout_minutes: int) -> dict:
    """``.github/classroom/autograding.json``: the same tests, in the older autograding format."""
    return {"tests": [{"name": check.title, "setup": "pip install -e ." if index == 0 else "",
                       "run": _command(check), "input": "", "output": "", "comparison": "included",
                       "timeout": timeout_minutes, "points": check.points}
                      for index, check in enumerate(checks)]}


def github_classroom(course: Course, lessons: list[Lesson], out: Path, *, limits: Limits = Limits(),
                     overwrite: bool = False) -> list[Path]:
    """Write the GitHub Classroom files for ``lessons`` under ``out``; refuse to replace files unless ``overwrite``."""
    workflow = out / ".github" / "workflows" / "classroom.yml"
    tests = out / ".github" / "classroom" / "autograding.json"
    existing = [path for path in (workflow, tests) if path.exists()]
    if existing and not overwrite:
        raise ExportError(f"{existing[0]} exists already (use --force to replace it)")
    checks = [check for lesson in lessons for check in checks_of(course, lesson)]
    minutes = max(1, round(limits.submission_seconds / 60) + 1)
    workflow.parent.mkdir(parents=True, exist_ok=True)
    tests.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(classroom_workflow(checks, minutes), encoding="utf-8")
    tests.write_text(json.dumps(classroom_tests(checks, minutes), indent=2) + "\n", encoding="utf-8")
    return [workflow, tests]
