"""GitHub Classroom's autograding: a workflow that trusts nothing in the student's repository but the work.

The workflow runs in the student's repository, where the student may change anything, the grader
and the checks included. So it takes them from elsewhere: it downloads a release of the course (an
archive at a URL, such as ``git archive`` of a tag), refuses it unless its sha256 is the one given at
export, installs the pinned requirements, and grades the repository's ``exercises/LESSON/`` (or
wherever the app is: ``grade autograde``) with that copy, which Python imports instead of anything in
the repository (``python -P``). Each visible check of a lesson is a test worth its points; one more
test per lesson, worth nothing but failing the run, is the earlier lessons' checks, which must still
pass. Hidden checks stay out: the student reads the workflow. The template itself ships no solutions.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from ..course import Course, Lesson
from ..report import CheckResult
from ..runner import sandbox_for, session
from ..sandbox import IGNORED, Limits
from .pins import ExportError, pinned

WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
HOME = "$HOME/.shelf"  # where the workflow puts the course archive and unpacks it, outside the repository
SHA256 = re.compile(r"[0-9a-f]{64}")
URL = re.compile(r"(https?|file)://\S+")
TEMPLATE = ("README.md", "pyproject.toml", "grader", "lessons", "exercises", "notebooks")  # never solutions/

INSTALL = """\
set -euo pipefail
home="{home}"
rm -rf "$home"
mkdir -p "$home/unpacked"
curl --fail --silent --show-error --location --retry 3 --output "$home/course.tar.gz" "$COURSE_URL"
if ! echo "$COURSE_SHA256  $home/course.tar.gz" | sha256sum --check --status; then
  echo "The course archive at $COURSE_URL is not the one this workflow was written for (its sha256 differs)." >&2
  exit 1
fi
tar -xzf "$home/course.tar.gz" -C "$home/unpacked"
course="$home/unpacked"
[ -f "$course/lessons/course.toml" ] || course=$(echo "$home"/unpacked/*)
if [ ! -f "$course/lessons/course.toml" ]; then
  echo "The course archive holds no lessons/course.toml, at its top or in its one folder." >&2
  exit 1
fi
mv "$course" "$home/course"
python -m pip install --quiet --disable-pip-version-check{pins}
"""


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


def _yaml(value: str) -> str:
    """A YAML scalar for any text (a JSON string is a valid double-quoted YAML scalar)."""
    return json.dumps(value, ensure_ascii=False)


def _grade(lesson: Lesson, option: str) -> str:
    """The command a test runs: the downloaded grader, never the repository's, on the app in the repository."""
    return f'PYTHONPATH="{HOME}/course" python -P -m grader autograde {lesson.id} "$PWD" {option}'


def _tests(course: Course, lesson: Lesson) -> list[tuple[str, str, str, float]]:
    """(step id, test name, command, points) for each test of ``lesson``: the earlier lessons' checks, then
    each visible check."""
    tests = []
    if lesson.number > 1:
        tests.append((f"{lesson.id}-earlier", f"{lesson.id}: the earlier lessons' checks still pass (no points)",
                      _grade(lesson, "--earlier"), 0.0))
    for check in checks_of(course, lesson):
        if not check.hidden:
            step = re.sub(r"[^a-z0-9]+", "-", check.id.lower()).strip("-")
            tests.append((step, check.title, _grade(lesson, f"--check {check.id}"), check.points))
    return tests


def classroom_workflow(course: Course, lessons: list[Lesson], url: str, sha256: str, timeout_minutes: int) -> str:
    """``.github/workflows/classroom.yml``: install the course from its archive, run each test, report the points."""
    pins = "".join(f" \\\n  '{pin}'" for pin in pinned(course))
    lines = [
        "# Written by `grade export github-classroom`: GitHub Classroom grades every push with it. The grader and",
        "# the checks come from the course archive below, checked against its sha256, never from this repository.",
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
        "      - name: Install the grader and the checks from the course archive",
        "        shell: bash",
        "        env:",
        f"          COURSE_URL: {_yaml(url)}",
        f"          COURSE_SHA256: {_yaml(sha256)}",
        "        run: |",
        *(f"          {line}" for line in INSTALL.format(home=HOME, pins=pins).splitlines()),
    ]
    tests = [test for lesson in lessons for test in _tests(course, lesson)]
    for step, name, command, points in tests:
        lines += [
            f"      - name: {_yaml(step)}",
            f"        id: {step}",
            "        uses: classroom-resources/autograding-command-grader@v1",
            "        with:",
            f"          test-name: {_yaml(name)}",
            '          setup-command: ""',
            f"          command: {_yaml(command)}",
            f"          timeout: {timeout_minutes}",
            f"          max-score: {points:g}",
        ]
    lines += ["      - name: Autograding Reporter",
              "        uses: classroom-resources/autograding-grading-reporter@v1",
              "        env:"]
    lines += [f"          {step.upper()}_RESULTS: \"${{{{steps.{step}.outputs.result}}}}\"" for step, *_ in tests]
    lines += ["        with:", f"          runners: {','.join(step for step, *_ in tests)}"]
    return "\n".join(lines) + "\n"


def archive_problem(url: str, sha256: str) -> str | None:
    """What is wrong with the course archive's URL or checksum, or None."""
    if not URL.fullmatch(url):
        return f"--course-url {url!r} is not an https:// (or file://) URL"
    if not SHA256.fullmatch(sha256.lower()):
        return f"--sha256 {sha256!r} is not a sha256 (64 hexadecimal digits, as sha256sum prints)"
    return None


def write_template(course: Course, out: Path) -> None:
    """Copy what students work with (exercises, lessons, notebooks, the grader) to ``out``, never solutions/."""
    out.mkdir(parents=True, exist_ok=True)
    for name in TEMPLATE:
        source = course.root / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=IGNORED, dirs_exist_ok=True)
        elif source.is_file():
            shutil.copy2(source, out / name)


def github_classroom(course: Course, lessons: list[Lesson], out: Path, url: str, sha256: str, *,
                     limits: Limits = Limits(), overwrite: bool = False, template: bool = False) -> list[Path]:
    """Write the workflow for ``lessons`` under ``out`` (and, with ``template``, the template's files); refuse
    to replace files unless ``overwrite``."""
    problem = archive_problem(url, sha256)
    if problem:
        raise ExportError(problem)
    workflow = out / WORKFLOW
    replaced = [workflow] + ([out / name for name in TEMPLATE] if template else [])
    existing = [path for path in replaced if path.exists()]
    if existing and not overwrite:
        raise ExportError(f"{existing[0]} exists already (use --force to replace it)")
    minutes = max(1, round(limits.submission_seconds / 60) + 1)
    text = classroom_workflow(course, lessons, url, sha256.lower(), minutes)
    if template:
        write_template(course, out)
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(text, encoding="utf-8")
    return [workflow, *(out / name for name in TEMPLATE if template and (out / name).exists())]
