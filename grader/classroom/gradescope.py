"""A Gradescope autograder for one lesson: the zip to upload as the assignment's autograder.

It holds ``setup.sh`` (run once, when Gradescope builds the image), ``run_autograder`` (run for every
submission), ``requirements.txt`` (pinned: ``pins``), the grader and the checks of the lesson and the
earlier ones (no lesson texts, mutants or solutions). ``run_autograder`` finds the app in whatever
the student uploaded (``grade autograde``) and writes ``results.json``. ``AUTOGRADER_ROOT`` moves the
``/autograder`` root both scripts use, so a test can run them on a simulated layout.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..course import Course, Lesson
from .pins import pinned

GRADER = Path(__file__).resolve().parent.parent  # the grader package
EXECUTABLE = 0o100755 << 16  # a zip member's Unix mode, in its external attributes
UV = "uv==0.13.9"  # brings a standalone Python where the image's is older than 3.11

SETUP_SH = f"""\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu 20.04, 22.04 or 24.04):
# a virtual environment with Python 3.11 or newer, and the grader's pinned requirements in it.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
export DEBIAN_FRONTEND=noninteractive
PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        PYTHON="$candidate"
        break
    fi
done
rm -rf "$ROOT/venv"
if [ -n "$PYTHON" ]; then
    # Ubuntu 24.04's python3 is 3.12; Debian and Ubuntu keep venv's pip in a package of its own.
    if ! "$PYTHON" -m venv "$ROOT/venv"; then
        rm -rf "$ROOT/venv"
        apt-get update
        apt-get install -y --no-install-recommends "$PYTHON-venv"
        "$PYTHON" -m venv "$ROOT/venv"
    fi
else
    # Ubuntu 20.04 and 22.04 have Python 3.8 and 3.10: uv, from PyPI, brings a standalone Python 3.12.
    if ! python3 -m pip --version >/dev/null 2>&1; then
        apt-get update
        apt-get install -y --no-install-recommends python3-pip
    fi
    python3 -m pip install --quiet --target "$ROOT/uv" "{UV}"
    UV_PYTHON_INSTALL_DIR="$ROOT/python" "$ROOT/uv/bin/uv" venv --seed --python 3.12 "$ROOT/venv"
fi
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/source/requirements.txt"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: find the app in what the student uploaded, grade it with the
# hidden checks, into results.json. AUTOGRADER_ROOT (default /autograder) holds submission/, results/, source/.
set -u
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="$ROOT/venv/bin/python"
[ -x "$PYTHON" ] || PYTHON=python3
mkdir -p "$ROOT/results"
cd "$ROOT/source"
# Gradescope runs Linux: never fall back to the portable sandbox, which cannot hide the checks.
export GRADE_SANDBOX=linux
# Where the sandbox cannot confine the upload, grade refuses (exit 4, one line why) unless built --unconfined.
PYTHONPATH="$ROOT/source" "$PYTHON" -m grader autograde {lesson} "$ROOT/submission" --instructor{unconfined} \\
    --results "$ROOT/results/results.json"
status=$?
# 0 and 1 are verdicts (passed, failed): results.json says which. Anything else is an error of ours.
[ "$status" -le 1 ] || exit "$status"
"""


def _script(bundle: zipfile.ZipFile, name: str, text: str) -> None:
    member = zipfile.ZipInfo(name)
    member.external_attr = EXECUTABLE
    member.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(member, text)


def gradescope_autograder(course: Course, lesson: Lesson, out: Path, unconfined: bool = False) -> None:
    """Write the Gradescope autograder zip for ``lesson`` to ``out`` (ExportError if the versions cannot be pinned);
    ``unconfined``: grade even where the container refuses the sandbox's confinement."""
    header = "# The grader's requirements, exact versions as `grade export gradescope` found them installed"
    requirements = "".join(f"{line}\n" for line in [header, *pinned(course)])
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        _script(bundle, "setup.sh", SETUP_SH)
        accept = " --unconfined" if unconfined else ""
        _script(bundle, "run_autograder", RUN_AUTOGRADER.format(lesson=lesson.id, unconfined=accept))
        bundle.writestr("requirements.txt", requirements)
        for file in sorted(GRADER.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                bundle.write(file, f"grader/{file.relative_to(GRADER).as_posix()}")
        bundle.write(course.root / "lessons" / "course.toml", "lessons/course.toml")
        for each in course.up_to(lesson):
            for file in sorted(each.folder.rglob("*")):
                if file.is_file() and "__pycache__" not in file.parts and file.name not in ("lesson.md", "mutants.toml"):
                    bundle.write(file, f"lessons/{each.id}/{file.relative_to(each.folder).as_posix()}")
