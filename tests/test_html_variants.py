"""Correct HTML written another way passes: each variant is a lesson's solution in another student's style.

A variant is made like a mutant (the solution, copied, with a few edits) but is correct, so the whole lesson,
its earlier lessons' checks included, must pass, and in particular the checks named with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring import Edit, Mutant
from grader.course import Course
from grader.runner import grade

COURSE = Course.load()
NOT_FOUND = "Shelf couldn't find that page"


Variant = tuple[str, Mutant, list[str]]


def variant(lesson: str, name: str, checks: list[str], *edits: tuple[str, str, str]) -> Variant:
    """``edits`` are (file, old, new); ``checks`` are ids ("lessonN::test_x") that must be among those passing."""
    return lesson, Mutant(name=name, catches=(), edits=tuple(Edit(*edit) for edit in edits)), checks


def not_found_heading_from_a_variable(lesson: str, checks: list[str]) -> Variant:
    """The 404 heading passed to the template as a variable: Jinja escapes its apostrophe, couldn&#39;t."""
    code = "shelf/app.py" if int(lesson.removeprefix("lesson")) < 7 else "shelf/main.py"
    return variant(
        lesson, "404 heading passed to the template, so Jinja writes couldn&#39;t", checks,
        (code, 'return render_template("404.html"), 404',
         f'return render_template("404.html", heading="{NOT_FOUND}"), 404'),
        ("shelf/templates/404.html", f"<h1>{NOT_FOUND}</h1>", "<h1>{{ heading }}</h1>"),
    )


VARIANTS = [
    variant("lesson1", "item title in <em> inside the heading", ["lesson1::test_item_detail"],
            ("shelf/app.py", """return f"<h1>Item {item_id}: {escape(item['title'])}</h1>\"""",
             """return f"<h1>Item {item_id}: <em>{escape(item['title'])}</em></h1>\"""")),
    variant("lesson1", "item heading split over lines in a triple-quoted string", ["lesson1::test_item_detail"],
            ("shelf/app.py", """    return f"<h1>Item {item_id}: {escape(item['title'])}</h1>\"""",
             '''    return f"""
        <h1>
            Item {item_id}:
            {escape(item['title'])}
        </h1>
    """''')),
    variant("lesson2", "404 heading escaped with escape(), so it says couldn&#39;t",
            ["lesson2::test_html_not_found_page"],
            ("shelf/app.py", "app = Flask(__name__)\n", f'app = Flask(__name__)\nNOT_FOUND = "{NOT_FOUND}"\n'),
            ("shelf/app.py", f'return "<h1>{NOT_FOUND}</h1>', 'return f"<h1>{escape(NOT_FOUND)}</h1>')),
    not_found_heading_from_a_variable("lesson3", ["lesson2::test_html_not_found_page"]),
    not_found_heading_from_a_variable("lesson5", ["lesson2::test_html_not_found_page",
                                                  "lesson5::test_json_errors_for_json_clients"]),
    not_found_heading_from_a_variable("lesson7", ["lesson2::test_html_not_found_page",
                                                  "lesson5::test_json_errors_for_json_clients",
                                                  "lesson7::test_errors_for_every_url"]),
    not_found_heading_from_a_variable("lesson12", ["lesson2::test_html_not_found_page",
                                                   "lesson5::test_json_errors_for_json_clients"]),
    variant("lesson3", 'list items with a second class, class="item unread"',
            ["lesson3::test_item_list_template", "lesson3::test_empty_list"],
            ("shelf/templates/items/list.html", '<li class="item">', '<li class="item unread">')),
    variant("lesson3", "class in single quotes, class='item'", ["lesson3::test_item_list_template"],
            ("shelf/templates/items/list.html", '<li class="item">', "<li class='item'>")),
    variant("lesson3", "class without quotes, class=item", ["lesson3::test_item_list_template"],
            ("shelf/templates/items/list.html", '<li class="item">', "<li class=item>")),
    variant("lesson3", "<title> spread over three lines",
            ["lesson3::test_base_template", "lesson3::test_every_page_uses_the_layout"],
            ("shelf/templates/base.html", "  <title>{% block title %}{% endblock %} · Shelf</title>",
             "  <title>\n    {% block title %}{% endblock %} · Shelf\n  </title>")),
    variant("lesson3", "title separator typed as a hyphen, Home - Shelf",
            ["lesson3::test_base_template", "lesson3::test_every_page_uses_the_layout"],
            ("shelf/templates/base.html", "  <title>{% block title %}{% endblock %} · Shelf</title>",
             "  <title>{% block title %}{% endblock %} - Shelf</title>")),
    variant("lesson3", "hrefs without quotes",
            ["lesson3::test_base_template", "lesson3::test_every_page_uses_the_layout",
             "lesson3::test_links_follow_the_mount_point"],
            ("shelf/templates/base.html", """href="{{ url_for('static', filename='style.css') }}\"""",
             "href={{ url_for('static', filename='style.css') }}"),
            ("shelf/templates/base.html", """href="{{ url_for('item_list') }}\"""", "href={{ url_for('item_list') }}"),
            ("shelf/templates/base.html", """href="{{ url_for('about') }}\"""", "href={{ url_for('about') }}"),
            ("shelf/templates/items/list.html", """href="{{ url_for('item_detail', item_id=item.id) }}\"""",
             "href={{ url_for('item_detail', item_id=item.id) }}")),
    variant("lesson4", "search box written with single quotes, <input name='q'>", ["lesson4::test_search_and_filter"],
            ("shelf/templates/items/list.html",
             '<input type="search" name="q" value="{{ q }}" placeholder="Search titles">',
             "<input type='search' name='q' value='{{ q }}' placeholder='Search titles'>")),
    variant("lesson4", "page number in bold, Page <b>1</b> of 2", ["lesson4::test_pagination"],
            ("shelf/templates/items/list.html", "Page {{ page }} of {{ pages }}",
             "Page <b>{{ page }}</b> of {{ pages }}")),
    variant("lesson5", 'flash message with role="status"', ["lesson5::test_flash_after_create"],
            ("shelf/templates/base.html", '<div class="flash {{ category }}">',
             '<div class="flash {{ category }}" role="status">')),
    variant("lesson5", 'flash classes the other way round, class="success flash"', ["lesson5::test_flash_after_create"],
            ("shelf/templates/base.html", '<div class="flash {{ category }}">', '<div class="{{ category }} flash">')),
]


@pytest.mark.parametrize(("lesson_id", "submission", "checks"), VARIANTS,
                         ids=[f"{lesson}: {submission.name}" for lesson, submission, _ in VARIANTS])
def test_correct_variant_passes(lesson_id: str, submission: Mutant, checks: list[str], tmp_path: Path) -> None:
    lesson = COURSE.find(lesson_id)
    submission.apply(lesson.solution, tmp_path / "submission")
    report = grade(COURSE, lesson, tmp_path / "submission", include_hidden=True)
    results = {check.id: check for check in report.checks}
    for name in checks:
        assert name in results, f"{name} did not run"
        assert results[name].passed, f"{name} failed on a correct variant: {results[name].failure}"
    failing = {check.id: check.failure for check in report.checks if not check.passed}
    assert failing == {} and report.passed and report.score == report.max_score


@pytest.mark.parametrize(("lesson_id", "edit", "check", "expected", "shown"), [
    ("lesson4",
     ("shelf/templates/items/list.html", "Page {{ page }} of {{ pages }}", "Page <b>{{ page }}</b> / {{ pages }}"),
     "test_pagination", "the page's text to contain 'Page 1 of 2'", "(peps.python.org) Page 1 / 2 Next"),
    ("lesson5", ("shelf/app.py", 'flash("Item saved.", "success")', 'flash("Item saved.", "info")'),
     "test_flash_after_create", """exactly 1 <div class="flash success"> with the text 'Item saved.' (found 0)""",
     """the page's <div> elements: <div class="flash info"> 'Item saved.'"""),
], ids=["text", "element"])
def test_a_failure_shows_the_page_as_the_check_compares_it(lesson_id: str, edit: tuple[str, str, str], check: str,
                                                          expected: str, shown: str, tmp_path: Path) -> None:
    """What the page has is shown in the form it is compared in: its text, or the elements a selector finds."""
    lesson = COURSE.find(lesson_id)
    Mutant(name="a mistake", catches=(check,), edits=(Edit(*edit),)).apply(lesson.solution, tmp_path / "submission")
    report = grade(COURSE, lesson, tmp_path / "submission", include_hidden=True, regression=False)
    failure = next(result.failure for result in report.checks if result.id == f"{lesson_id}::{check}")
    assert failure is not None and failure["expected"] == expected
    assert shown in failure["got"] and "<b>" not in failure["got"]
