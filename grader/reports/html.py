"""How a report looks as HTML: the same verdicts as the terminal, as one self-contained fragment.

Jupyter's check cell and the course's web page show this fragment as it is: its CSS is inline and
scoped to ``.shelf-report``, and every piece of text is escaped, since much of it (what the app
returned, what it printed) comes from the student's code. The root element carries the score as
``data-`` attributes, so a page script or a test can read the result without parsing the text.
"""

from __future__ import annotations

from html import escape

from ..causes import Entry, entries, first_cause
from ..course import Course, Lesson
from ..report import CheckResult, Report

STYLE = """<style>
.shelf-report{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.45;max-width:60rem}
.shelf-report h3{margin:.2rem 0 .6rem;font-size:1.05rem}
.shelf-report ul{list-style:none;margin:0;padding:0}
.shelf-report li{margin:.15rem 0}
.shelf-report .line{display:flex;gap:.5rem;align-items:baseline}
.shelf-report .mark{font-weight:bold;width:1rem;flex:none}
.shelf-report .title{flex:1}
.shelf-report .points{opacity:.65;white-space:nowrap}
.shelf-report .pass .mark{color:#1a7f37}
.shelf-report .fail .mark,.shelf-report .bad{color:#cf222e}
.shelf-report table.rows{border-collapse:collapse;margin:.2rem 0 .7rem 1.5rem;width:auto;table-layout:auto;
font-size:inherit;border:none}
.shelf-report table.rows tr:nth-child(n){background:transparent}
.shelf-report table.rows th{text-align:right;font-weight:normal;opacity:.65;padding:.05rem .8rem .05rem 0;
vertical-align:top;border:none}
.shelf-report table.rows td{text-align:left;vertical-align:top;padding:.05rem 0;white-space:pre-wrap;
overflow-wrap:anywhere;border:none}
.shelf-report table.rows tr.expected td{color:#9a6700}
.shelf-report table.rows tr.hint td{color:#0969da}
.shelf-report table.rows tr.printed td{opacity:.7}
.shelf-report pre{margin:.3rem 0 .3rem 1.5rem;white-space:pre-wrap}
.shelf-report details{margin:0 0 .7rem 1.5rem}
.shelf-report ul.same{margin:0 0 .2rem 1.5rem;opacity:.7}
.shelf-report .summary{font-weight:bold;margin-top:.7rem}
.shelf-report .note{opacity:.7}
.shelf-report .next{font-weight:bold}
.shelf-report .next.done{color:#1a7f37}
</style>"""


def _points(value: float) -> str:
    return f"{value:g}"


def _rows(entry: Entry) -> str:
    rows = "".join(f'<tr class="{escape(label)}"><th>{escape(label)}</th><td>{escape(text)}</td></tr>'
                   for label, text in entry.rows)
    more = "".join(f"<li>{escape(hint)}</li>" for hint in entry.check.hints[1:]) if len(entry.checks) == 1 else ""
    hints = f"<details><summary>More hints</summary><ul>{more}</ul></details>" if more else ""
    return f'<table class="rows">{rows}</table>{hints}'


def _entries(entries: list[Entry], details: bool) -> str:
    items = []
    for entry in entries:
        check = entry.check
        points = "" if check.regression else f"{_points(check.score)}/{_points(check.max_score)}"
        state, mark = ("pass", "✓") if check.passed else ("fail", "✗")
        line = (f'<div class="line"><span class="mark">{mark}</span><span class="title">{escape(entry.title)}</span>'
                f'<span class="points">{points}</span></div>')
        titles = "".join(f"<li>· {escape(each.title)}</li>" for each in entry.checks) if len(entry.checks) > 1 else ""
        body = (f'<ul class="same">{titles}</ul>' if titles else "") + (_rows(entry) if details and entry.rows else "")
        checks = " ".join(each.id for each in entry.checks)
        items.append(f'<li class="{state}" data-check="{escape(checks)}">{line}{body}</li>')
    return f"<ul>{''.join(items)}</ul>"


def _load_error(info: dict) -> str:
    parts = [f'<p class="bad"><b>✗ Your app did not load:</b> {escape(info["title"])}</p>']
    where = info.get("where")
    if where:
        lines = [f"{where['file']}, line {where['line']}:"]
        if where.get("code"):
            lines.append(f"    {where['code']}")
            if where.get("offset"):
                lines.append(" " * (3 + where["offset"]) + "^")
        text = "\n".join(lines)
        parts.append(f"<pre>{escape(text)}</pre>")
    if info.get("detail"):
        parts.append(f"<p>{escape(info['detail'])}</p>")
    return "".join(parts)


def _earlier(earlier: list[CheckResult], broken: list[Entry]) -> str:
    if not broken:
        return f'<p class="pass"><span class="mark">✓</span> All {len(earlier)} checks from earlier lessons still pass</p>'
    failing = sum(len(entry.checks) for entry in broken)
    return (f'<p class="bad"><b>Earlier lessons: {failing} of {len(earlier)} checks no longer pass</b></p>'
            f"{_entries(broken, details=True)}")


def _next_step(course: Course, lesson: Lesson, report: Report) -> str:
    if report.load_error:
        return '<p class="next">Next: fix the error above, then check again.</p>'
    cause = first_cause(report)
    if cause is not None:
        failing = cause.lead
        where = "an earlier lesson's check" if failing.regression else "the first failing check"
        same = f" ({len(cause.checks)} checks fail the same way: {cause.mistake})" if len(cause.checks) > 1 else ""
        return f'<p class="next">Next: fix {where}, “{escape(failing.title)}”{escape(same)}, then check again.</p>'
    later = [other for other in course.lessons if other.number == lesson.number + 1]
    if later:
        return (f'<p class="next done">Lesson {lesson.number} passes! Next: lesson {later[0].number}, '
                f"“{escape(later[0].title)}”.</p>")
    return '<p class="next done">Every lesson passes: you have built Shelf. Well done!</p>'


def problem_html(message: str) -> str:
    """A problem that stopped grading before any verdict (a missing folder, a broken course), in the same style."""
    return f'<div class="shelf-report" data-passed="false">{STYLE}<p class="bad"><b>Not graded:</b> {escape(message)}</p></div>'


def report_html(course: Course, lesson: Lesson, report: Report) -> str:
    """The report as an HTML fragment: title, each check with its points, why a check failed, the score."""
    own, broken = entries(report)
    earlier = [check for check in report.checks if check.regression]
    parts = [f"<h3>Lesson {lesson.number} · {escape(lesson.title)}</h3>"]
    if report.load_error:
        parts.append(_load_error(report.load_error))
    parts.append(_entries(own, details=report.load_error is None))
    if earlier and report.load_error is None:
        parts.append(_earlier(earlier, broken))
    counted, but = report.tally()
    but = f', <span class="bad">{escape(but)}</span>' if but else ""
    parts.append(f'<p class="summary">Score {_points(report.score)}/{_points(report.max_score)} · '
                 f'{escape(counted)}{but} <span class="note">({report.seconds:.2f} s)</span></p>')
    if report.hidden_not_run:
        parts.append(f'<p class="note">{report.hidden_not_run} hidden check(s) run when your instructor grades.</p>')
    parts.append(_next_step(course, lesson, report))
    state = "true" if report.passed else "false"
    return (f'<div class="shelf-report" data-lesson="{escape(lesson.id)}" data-passed="{state}" '
            f'data-score="{_points(report.score)}" data-max-score="{_points(report.max_score)}">'
            f"{STYLE}{''.join(parts)}</div>")
