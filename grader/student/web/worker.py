"""Grade one lesson for the course web site, in a process of its own.

The site's server answers requests on threads, while grading forks sandboxes and, as pytest runs,
swaps ``sys.stdout``: so every check gets a fresh process, ``python -m grader.student.web.worker ROOT LESSON``.
It grades like ``grade LESSON`` (recording progress) and prints one JSON object: the report as
``--json`` gives it and its HTML fragment, or an error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ...course import Course
from ...reports.html import report_html
from ...runner import CourseError
from ...sandbox import BadSubmission
from ..progress import grade_exercise


def check(root: Path, lesson_id: str) -> dict[str, Any]:
    course = Course.load(root)
    lesson = course.find(lesson_id)
    try:
        report, warning = grade_exercise(course, lesson)
    except (BadSubmission, CourseError) as error:
        return {"error": str(error)}
    return {"report": report.to_json(), "html": report_html(course, lesson, report), "warning": warning}


def main() -> None:
    result = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else printed goes to stderr, so stdout holds just the result
    root, lesson_id = sys.argv[1:]
    json.dump(check(Path(root), lesson_id), result)
    result.close()


if __name__ == "__main__":
    main()
