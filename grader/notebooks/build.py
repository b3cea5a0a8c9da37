"""The course's notebooks, made from the lessons: ``notebooks/<lesson id>.ipynb`` is generated, never edited.

A notebook holds, in order: how it works; a set-up cell; the starter's files the lesson does not
ask to change, collapsed; the lesson's text, a cell per section; after the exercise section, the
starter's files that carry TODOs, as ``%%writefile`` cells for the student to edit, and the check
cell; then the rest of the text.

Every file cell writes into ``work/<lesson id>/`` beside the notebook, which the set-up cell empties
first, so after a run from the top that folder holds exactly what the cells say, whatever ran before.
The output has no timestamps and stable cell ids, so a test can compare it byte for byte with the
committed notebooks.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ..course import Course, Lesson
from ..sandbox import IGNORED
from ..sandbox.notebook import CHECK_TAG
from .check_cell import WORKSPACE

FENCE = re.compile(r"\s*(```|~~~)")
EXERCISE = re.compile(r"## .*\bexercise\b", re.IGNORECASE)  # the section after which the student's cells go
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class NotebookSourceError(Exception):
    """A lesson's files cannot become a notebook (a file that is not text); the message says which."""


def workspace(lesson: Lesson) -> PurePosixPath:
    """Where the notebook's cells write the app, relative to the notebook's folder."""
    return PurePosixPath(WORKSPACE, lesson.id)


def sections(markdown: str) -> list[str]:
    """The Markdown cut before each ``## `` heading (never inside a fenced code block)."""
    parts: list[list[str]] = [[]]
    fenced = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        if not fenced and line.startswith("## ") and any(text.strip() for text in parts[-1]):
            parts.append([])
        parts[-1].append(line)
    return ["\n".join(part).strip() for part in parts if any(text.strip() for text in part)]


def app_files(folder: Path) -> dict[str, str]:
    """The app's text files by relative path, leaving out what the grader leaves out (caches, venvs)."""
    files: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or IGNORED(str(folder), list(relative.parts)):
            continue
        try:
            files[relative.as_posix()] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise NotebookSourceError(f"{path} is not UTF-8 text, so no notebook cell can hold it") from None
    return files


def _intro(lesson: Lesson) -> str:
    work = workspace(lesson)
    return (
        f"*Lesson {lesson.number} as a notebook: the lesson's text, Shelf's files as cells you edit, and a check "
        f"cell that grades them with the same checks as `grade {lesson.id}`.*\n\n"
        f"**How it works.** Run the set-up cell below first. Each cell that starts with `%%writefile` writes "
        f"one file of your app into `{work}/`, next to this notebook; the set-up cell empties that folder, so "
        f"after a run from the top it holds exactly what the cells say. Where the lesson says "
        f"`exercises/{lesson.id}/`, edit the cells instead, and where it says `grade {lesson.id}`, run the "
        f"check cell. To add a file, add a cell that starts with `%%writefile {work}/<path>`; to delete one, "
        f"delete its cell. The terminal grades `exercises/{lesson.id}/` and this notebook grades `{work}/`, "
        f"so neither overwrites the other.\n\n"
        f"**Handing it in.** Your instructor grades this notebook by running it from the top in a fresh "
        f"kernel (*Kernel → Restart Kernel and Run All Cells*) and grading the files it writes. Make sure "
        f"that run works: a cell that fails or never finishes means the app does not load."
    )


def _listed(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _setup(lesson: Lesson, folders: list[str], empty: list[str]) -> str:
    lines = [
        f"# Set-up: empty {workspace(lesson)}/, where the cells below write the app, and make its folders.",
        "import shutil",
        "from pathlib import Path",
        "",
        f'APP = Path("{workspace(lesson)}")',
        "shutil.rmtree(APP, ignore_errors=True)",
        f"for folder in [{_listed(folders)}]:",
        "    (APP / folder).mkdir(parents=True, exist_ok=True)",
    ]
    if empty:  # %%writefile refuses an empty cell
        lines += [f"for empty_file in [{_listed(empty)}]:", "    (APP / empty_file).touch()"]
    return "\n".join(lines)


def _file_cell(lesson: Lesson, name: str, text: str, cell_id: str, collapsed: bool) -> NotebookNode:
    metadata = {"jupyter": {"source_hidden": True}} if collapsed else {}
    return new_code_cell(f"%%writefile {workspace(lesson)}/{name}\n{text}", id=cell_id, metadata=metadata)


def build(course: Course, lesson: Lesson, app: Path | None = None) -> NotebookNode:
    """The notebook of ``lesson``, its file cells holding ``app`` (the starter unless told otherwise)."""
    files = app_files(app or lesson.exercise)
    folders = sorted({str(PurePosixPath(name).parent) for name in [*files, *app_files(lesson.solution)]} - {"."})
    empty = [name for name, text in files.items() if not text]
    todo = {name: text for name, text in files.items() if "TODO" in text}
    given = {name: text for name, text in files.items() if text and name not in todo}
    text = sections(lesson.text.read_text(encoding="utf-8"))
    exercise = next((i + 1 for i, part in enumerate(text) if EXERCISE.match(part)), len(text))

    cells = [new_markdown_cell(_intro(lesson), id="intro"), new_code_cell(_setup(lesson, folders, empty), id="setup")]
    if given:
        cells.append(new_markdown_cell(
            "The rest of the app, as you have it so far: run these cells, which this lesson does not ask you to "
            "change (click a cell's left edge to show its code).", id="given"))
        cells += [_file_cell(lesson, name, body, f"given-{i}", True) for i, (name, body) in enumerate(given.items())]
    cells += [new_markdown_cell(part, id=f"text-{i}") for i, part in enumerate(text[:exercise])]
    if todo:
        cells.append(new_markdown_cell(
            "### Your files\n\nDo the TODOs in these cells, and run each cell you change (Shift+Enter).", id="todo"))
        cells += [_file_cell(lesson, name, body, f"todo-{i}", False) for i, (name, body) in enumerate(todo.items())]
    cells.append(new_markdown_cell(
        f"### Check your work\n\nRun the cells above, then this one. It grades `{workspace(lesson)}/` with the "
        f"checks of `grade {lesson.id}`, in a separate process, and shows each check's verdict.", id="check-text"))
    cells.append(new_code_cell(f'from grader.notebooks import check\n\ncheck("{lesson.id}")', id="check",
                               metadata={"tags": [CHECK_TAG], "editable": False, "deletable": False}))
    cells += [new_markdown_cell(part, id=f"text-{i}") for i, part in enumerate(text) if i >= exercise]

    notebook = new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    notebook.nbformat_minor = 5
    return notebook


def render(notebook: NotebookNode) -> str:
    """The notebook's file contents, always the same for the same notebook."""
    return nbformat.writes(notebook, version=4) + "\n"


def generated(course: Course, folder: Path) -> dict[Path, str]:
    """Every lesson's notebook file in ``folder``, with the contents ``build`` makes for it."""
    return {folder / f"{lesson.id}.ipynb": render(build(course, lesson)) for lesson in course.lessons}


def _differs(path: Path, text: str) -> bool:
    return not path.is_file() or path.read_text(encoding="utf-8") != text


def stale(course: Course, folder: Path) -> list[Path]:
    """The notebooks in ``folder`` that are missing or differ from what ``build`` makes."""
    return [path for path, text in generated(course, folder).items() if _differs(path, text)]


def write(course: Course, folder: Path) -> list[Path]:
    """(Re)generate every stale notebook in ``folder``; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path, text in generated(course, folder).items():
        if _differs(path, text):
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
