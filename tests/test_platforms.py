"""The course's checks packaged for Gradescope and GitHub Classroom, run as those platforms run them:
Gradescope's setup.sh and run_autograder on a simulated /autograder for every shape of upload, and the
GitHub Classroom workflow's own shell steps against a course archive made here."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest
import yaml
from gradescope_schema import RESULTS_SCHEMA

from grader.authoring import mutants
from grader.course import COURSE_ROOT, Course
from grader.notebooks.build import build
from grader.sandbox import IGNORED
from grader.sandbox.capabilities import Mechanism, linux_available, unconfined
from grader.submission import located

COURSE = Course.load()
LESSON3 = COURSE.find("lesson3")
HIDDEN_TITLE_START = "GET / renders index.html"


def grade(*args: str, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300,
                          check=False, **options)


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory) -> Path:
    """The course as a release would hold it, with lesson 3's first check hidden."""
    root = tmp_path_factory.mktemp("release") / "shelf-v1"
    for folder in ("lessons", "exercises", "grader"):
        shutil.copytree(COURSE_ROOT / folder, root / folder, ignore=IGNORED)
    for file in ("pyproject.toml", "README.md"):
        shutil.copy(COURSE_ROOT / file, root / file)
    checks = root / "lessons" / "lesson3" / "checks.py"
    checks.write_text(checks.read_text().replace("@check(points=2, hints=[", "@check(points=2, hidden=True, hints=[", 1))
    return root


# Gradescope ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def autograder(course_copy: Path) -> Path:
    """Lesson 3's autograder zip (where this machine cannot confine a sandbox, one that grades anyway)."""
    target = course_copy.parent / "autograder.zip"
    accept = [] if linux_available() and unconfined(Mechanism.LINUX) is None else ["--unconfined"]
    result = grade("--root", str(course_copy), "export", "gradescope", "lesson3", "-o", str(target), *accept)
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture(scope="module")
def gradescope(autograder: Path, tmp_path_factory) -> Path:
    """/autograder as Gradescope lays it out (source/ is the unzipped autograder), after setup.sh ran."""
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(autograder) as bundle:
        bundle.extractall(root / "source")
        modes = {member.filename: member.external_attr >> 16 for member in bundle.infolist()}
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True, timeout=600,
                          check=False, env={**os.environ, "AUTOGRADER_ROOT": str(root)})
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def run_autograder(root: Path, upload: Path) -> dict:
    """Put ``upload``'s contents in submission/ (as Gradescope unzips an upload), then run run_autograder."""
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
    shutil.copytree(upload, root / "submission", ignore=IGNORED)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "AUTOGRADER_ROOT": str(root)}, cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    return results


def test_gradescope_zip_holds_the_grader_the_checks_and_pinned_requirements(autograder):
    names = set(zipfile.ZipFile(autograder).namelist())
    assert {"setup.sh", "run_autograder", "requirements.txt", "grader/cli/__init__.py", "grader/pytest.ini",
            "lessons/course.toml", "lessons/lesson1/checks.py", "lessons/lesson3/probes.py"} <= names
    assert not any(name.startswith(("solutions/", "exercises/", "lessons/lesson4/")) for name in names)
    assert not any(name.endswith(("lesson.md", "mutants.toml", ".pyc")) for name in names)
    lines = [line for line in zipfile.ZipFile(autograder).read("requirements.txt").decode().splitlines()
             if not line.startswith("#")]
    assert all("==" in line for line in lines)
    names = {line.split("==")[0] for line in lines}
    assert {"flask", "pytest", "werkzeug", "jinja2", "nbclient"} <= names, "the course's requirements, and theirs"
    setup = zipfile.ZipFile(autograder).read("setup.sh").decode()
    assert "python3.11-venv" not in setup and "deadsnakes" not in setup
    assert '"$ROOT/uv/bin/uv" venv --seed --python 3.12' in setup, "where no Python 3.11+ is, uv brings one"


def test_run_autograder_grades_unconfined_only_if_built_to(course_copy, tmp_path):
    scripts = {}
    for accept in ([], ["--unconfined"]):
        target = tmp_path / f"autograder{len(accept)}.zip"
        built = grade("--root", str(course_copy), "export", "gradescope", "lesson3", "-o", str(target), *accept)
        assert built.returncode == 0, built.stderr
        scripts[bool(accept)] = zipfile.ZipFile(target).read("run_autograder").decode()
    assert "--unconfined" not in scripts[False].replace("unless built --unconfined", "")
    assert "--instructor --unconfined" in scripts[True]


def solution_upload(tmp_path: Path, shape: str) -> Path:
    """Lesson 3's solution, uploaded in one of the shapes students use."""
    upload = tmp_path / shape
    if shape == "top":
        shutil.copytree(LESSON3.solution, upload, ignore=IGNORED)
    elif shape == "one folder":
        shutil.copytree(LESSON3.solution, upload / "shelf-lesson3", ignore=IGNORED)
        (upload / "notes.txt").write_text("my notes")
    elif shape == "repository":
        shutil.copytree(LESSON3.solution, upload / "exercises" / "lesson3", ignore=IGNORED)
        shutil.copytree(COURSE.find("lesson2").solution, upload / "exercises" / "lesson2", ignore=IGNORED)
        (upload / "README.md").write_text("my course")
    else:
        upload.mkdir()
        nbformat.write(build(COURSE, LESSON3, app=LESSON3.solution), upload / "lesson3.ipynb")
    return upload


@pytest.mark.parametrize("shape", ["top", "one folder", "repository", "notebook"])
def test_run_autograder_finds_the_app_in_every_shape_of_upload(gradescope, tmp_path, shape):
    results = run_autograder(gradescope, solution_upload(tmp_path, shape))
    assert all(test["status"] == "passed" for test in results["tests"]), results
    assert results["score"] == sum(test["max_score"] for test in results["tests"]) > 0
    hidden = [test for test in results["tests"] if test["visibility"] == "after_published"]
    assert len(hidden) == 1 and hidden[0]["max_score"] == 2 and hidden[0]["name"].startswith(HIDDEN_TITLE_START)


def test_run_autograder_explains_a_buggy_submission(gradescope, tmp_path):
    mutants(LESSON3)[0].apply(LESSON3.solution, tmp_path / "buggy")
    results = run_autograder(gradescope, tmp_path / "buggy")
    failed = [test for test in results["tests"] if test["status"] == "failed"]
    assert failed and all(test["score"] == 0 and "expected" in test["output"] for test in failed)
    assert results["score"] < sum(test["max_score"] for test in results["tests"])


def test_an_upload_without_the_app_says_what_to_upload_not_what_to_type(gradescope, tmp_path):
    upload = tmp_path / "wrong"
    (upload / "src").mkdir(parents=True)
    (upload / "src" / "app.py").write_text("print('hello')")
    (upload / "report.pdf").write_bytes(b"%PDF")
    results = run_autograder(gradescope, upload)
    assert results["score"] == 0 and all(test["status"] == "failed" for test in results["tests"])
    assert "No shelf/ folder or notebook found" in results["output"]
    assert "report.pdf, src" in results["output"] and "--path" not in json.dumps(results)


@pytest.mark.parametrize(("files", "found"), [
    (["shelf/app.py"], "."),
    (["shelf.py", "notes.txt"], "."),
    (["README.md", "exercises/lesson2/shelf/app.py", "exercises/lesson3/shelf/app.py"], "exercises/lesson3"),
    (["ann-lesson3/shelf/app.py", "notes.txt"], "ann-lesson3"),
    (["outer/inner/exercises/lesson3/shelf/app.py"], "outer/inner/exercises/lesson3"),
    (["lesson3.ipynb", "notes.txt"], "lesson3.ipynb"),
    (["lesson2.ipynb", "lesson3.ipynb"], "lesson3.ipynb"),
    (["work.zip"], "work.zip"),
    (["src/app.py", "docs/notes.txt"], None),
    (["a.ipynb", "b.ipynb"], None),
])
def test_the_app_is_found_in_what_was_uploaded(tmp_path, files, found):
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "__pycache__").mkdir(exist_ok=True)
    where = located(tmp_path, LESSON3)
    assert where == (None if found is None else (tmp_path / found).resolve()), where


def test_autograde_of_nothing_is_one_line_and_exit_2(tmp_path):
    result = grade("autograde", "lesson3", str(tmp_path / "missing"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "no such file or folder" in result.stderr


# GitHub Classroom ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def archive(course_copy: Path) -> tuple[Path, str]:
    """The course release as a .tar.gz with its one top folder (as `git archive --prefix` makes it), and its sha256."""
    target = course_copy.parent / "shelf-v1.tar.gz"
    with tarfile.open(target, "w:gz") as bundle:
        bundle.add(course_copy, arcname=course_copy.name)
    return target, hashlib.sha256(target.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def classroom(course_copy: Path, archive: tuple[Path, str], tmp_path_factory) -> tuple[Path, dict]:
    """A template repository for lesson 3, written by the export, and its workflow as YAML."""
    repo = tmp_path_factory.mktemp("classroom") / "template"
    result = grade("--root", str(course_copy), "export", "github-classroom", "lesson3", "--course-url",
                   archive[0].as_uri(), "--sha256", archive[1], "--template", "-o", str(repo))
    assert result.returncode == 0, result.stderr
    return repo, yaml.safe_load((repo / ".github" / "workflows" / "classroom.yml").read_text())


def steps(workflow: dict) -> list[dict]:
    return workflow["jobs"]["run-autograding-tests"]["steps"]


def runner_env(home: Path, **extra: str) -> dict[str, str]:
    """What a step's shell sees: `python` is the one set up (here, the one running these tests)."""
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    if not (bin_dir / "python").exists():
        (bin_dir / "python").symlink_to(sys.executable)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(home), **extra}


def install(workflow: dict, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the workflow's install step as GitHub runs it: its script, with its env, in bash."""
    [step] = [step for step in steps(workflow) if "run" in step]
    assert step["shell"] == "bash"
    return subprocess.run(["bash", "-e", "-c", step["run"]], capture_output=True, text=True, timeout=300, check=False,
                          env=runner_env(home, **{**step["env"], **env}))


def run_test(workflow: dict, step_id: str, repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """Run one test as autograding-command-grader does: its command in sh, in the repository, with PATH and HOME."""
    [step] = [step for step in steps(workflow) if step.get("id") == step_id]
    return subprocess.run(["sh", "-c", step["with"]["command"]], capture_output=True, text=True, timeout=300,
                          check=False, cwd=repo, env=runner_env(home))


def test_the_workflow_has_a_test_per_visible_check_and_one_for_earlier_lessons(classroom, course_copy, archive):
    repo, workflow = classroom
    assert workflow["on"] == ["push", "repository_dispatch", "workflow_dispatch"]
    [installing] = [step for step in steps(workflow) if "run" in step]
    assert installing["env"] == {"COURSE_URL": archive[0].as_uri(), "COURSE_SHA256": archive[1]}
    graders = [step for step in steps(workflow) if step.get("uses", "").startswith("classroom-resources/autograding-com")]
    solution = json.loads(grade("--root", str(course_copy), "lesson3", "--path", str(LESSON3.solution), "--json").stdout)
    own = [test for test in solution["tests"] if not test["regression"]]
    assert graders[0]["id"] == "lesson3-earlier" and graders[0]["with"]["max-score"] == 0
    assert [step["with"]["test-name"] for step in graders[1:]] == [test["name"] for test in own]
    assert [step["with"]["max-score"] for step in graders[1:]] == [test["max_score"] for test in own]
    assert not any(step["with"]["test-name"].startswith(HIDDEN_TITLE_START) for step in graders), "hidden stay out"
    assert all(step["with"]["command"].startswith('PYTHONPATH="$HOME/.shelf/course" python -P -m grader autograde')
               for step in graders)
    reporter = steps(workflow)[-1]
    assert reporter["with"]["runners"].split(",") == [step["id"] for step in graders]
    assert set(reporter["env"]) == {f"{step['id'].upper()}_RESULTS" for step in graders}
    assert (repo / "exercises" / "lesson3").is_dir() and (repo / "grader").is_dir()
    assert not (repo / "solutions").exists(), "the template ships no solutions"


def test_the_workflow_grades_with_the_archive_not_with_the_students_copy(classroom, tmp_path):
    repo, workflow = classroom
    student = tmp_path / "student"
    shutil.copytree(repo, student)
    # The student makes every lesson 3 check pass in their own copy of the checks, and breaks their grader.
    passing = "from grader import check\n" + "".join(
        f"\n@check(points=2)\ndef {name}():\n    \"\"\"{name}\"\"\"\n"
        for name in ("test_base_template", "test_every_page_uses_the_layout", "test_item_list_template"))
    (student / "lessons" / "lesson3" / "checks.py").write_text(passing)
    (student / "grader" / "__main__.py").write_text("raise SystemExit(0)\n")
    home = tmp_path / "home"
    done = install(workflow, home)
    assert done.returncode == 0, done.stderr
    starter = run_test(workflow, "lesson3-test-item-list-template", student, home)
    assert starter.returncode == 1 and "✗" in starter.stdout, starter.stdout + starter.stderr
    assert run_test(workflow, "lesson3-earlier", student, home).returncode == 0
    shutil.rmtree(student / "exercises" / "lesson3")
    shutil.copytree(LESSON3.solution, student / "exercises" / "lesson3", ignore=IGNORED)
    solved = run_test(workflow, "lesson3-test-item-list-template", student, home)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    app = student / "exercises" / "lesson3" / "shelf" / "app.py"
    app.write_text(app.read_text().replace('@app.get("/about")', '@app.get("/about/")'))  # breaks a lesson 1 check
    assert run_test(workflow, "lesson3-earlier", student, home).returncode == 1


def test_a_course_archive_with_another_checksum_is_refused(classroom, tmp_path):
    _, workflow = classroom
    home = tmp_path / "home"
    done = install(workflow, home, COURSE_SHA256="0" * 64)
    assert done.returncode != 0 and "sha256 differs" in done.stderr
    assert not (home / ".shelf" / "course").exists()


@pytest.mark.parametrize(("options", "message"), [
    ([], "--course-url URL and --sha256 HEX"),
    (["--course-url", "https://example.org/shelf.tar.gz"], "git archive"),
    (["--course-url", "https://example.org/shelf.tar.gz", "--sha256", "abc"], "is not a sha256"),
    (["--course-url", "example.org/shelf.tar.gz", "--sha256", "0" * 64], "is not an https://"),
])
def test_the_workflow_is_not_written_without_a_verifiable_course_archive(tmp_path, options, message):
    result = grade("export", "github-classroom", "lesson1", *options, "-o", str(tmp_path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / ".github").exists()
