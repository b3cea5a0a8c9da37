"""Lesson text as HTML: Markdown with Pygments-highlighted code blocks.

One renderer for every place a lesson is shown as a web page (``grade read --html`` now; the
notebooks and the course web site use the same function).
"""

from __future__ import annotations

import markdown
from pygments.formatters import HtmlFormatter

from ..course import Lesson

EXTENSIONS = ["fenced_code", "codehilite", "tables", "toc", "sane_lists"]
EXTENSION_CONFIG = {"codehilite": {"guess_lang": False, "css_class": "highlight"}}


def markdown_to_html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIG)


def highlight_css() -> str:
    return HtmlFormatter(style="friendly").get_style_defs(".highlight")


def lesson_page(lesson: Lesson) -> str:
    """A complete, self-contained HTML page for one lesson."""
    body = markdown_to_html(lesson.text.read_text(encoding="utf-8"))
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>Lesson {lesson.number} · {lesson.title}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;line-height:1.55;"
        "padding:0 1rem}pre{padding:.8rem;overflow:auto;border-radius:6px}code{font-size:.92em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem}\n"
        f"{highlight_css()}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
