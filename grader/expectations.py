"""Assertions that explain themselves: what was sent, what came back, what was expected.

A check says ``expect(response).status(200).contains("Welcome to Shelf")``; when that fails, the
student reads the request, the part of the response that matters, and the expectation, instead of
an assertion diff.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

from .remote import Response

EXCERPT = 240


class CheckFailure(AssertionError):
    """A check's expectation was not met; every field is shown to the student."""

    def __init__(self, expected: str, got: str | None = None, sent: str | None = None,
                 note: str | None = None) -> None:
        super().__init__(expected)
        self.expected = expected
        self.got = got
        self.sent = sent
        self.note = note


def fail(expected: str, got: str | None = None, sent: str | None = None, note: str | None = None) -> NoReturn:
    raise CheckFailure(expected, got, sent, note)


def quote(value: Any) -> str:
    """``value`` as a reader should see it: its repr, except that text never shows an apostrophe as ``\\'``
    (repr writes one when the text holds both kinds of quote, as most HTML pages do) and a set is sorted."""
    if isinstance(value, (set, frozenset)) and value:  # in sorted order: a set's order changes from run to run
        return "{" + ", ".join(sorted(quote(item) for item in value)) + "}"
    if not isinstance(value, str):
        return repr(value)
    inner = repr(value + '"')[1:-2]  # with a " in it, repr always quotes with ' and escapes every '
    inner = re.sub(r"\\(.)", lambda escape: escape.group(1) if escape.group(1) == "'" else escape.group(0), inner)
    mark = '"' if "'" in value and '"' not in value else "'"
    return f"{mark}{inner}{mark}"


def shorten(text: str, around: int | None = None, width: int = EXCERPT) -> str:
    """A one-line excerpt of ``text``, centred on ``around`` when given."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= width:
        return text
    start = 0 if around is None else max(0, min(around - width // 3, len(text) - width))
    return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")


def expect_equal(actual: Any, expected: Any, what: str, note: str | None = None) -> None:
    """``actual == expected``, or a failure that names ``what`` was compared."""
    if actual != expected:
        fail(f"{what} == {quote(expected)}", got=f"{what} == {quote(actual)}", note=note)


class expect:  # lower case: it reads as a sentence, expect(response).status(200)
    """Fluent expectations on one response; each returns ``self`` so they chain."""

    def __init__(self, response: Response) -> None:
        self.response = response

    def _body_text(self) -> str:
        return self.response.get_data(as_text=True)

    def _shown_body(self, around: int | None) -> tuple[str, int | None]:
        """The body as an excerpt should show it: an HTML page from its <body> on, unless the
        place of interest (``around``) is before that."""
        body = self._body_text()
        start = body.find("<body")
        if start <= 0 or (around is not None and around < start):
            return body, around
        return body[start:], None if around is None else around - start

    def summary(self, around: int | None = None) -> str:
        r = self.response
        parts = [r.status]
        if r.mimetype:
            parts.append(r.mimetype)
        if r.location:
            parts.append(f"Location: {r.location}")
        body, around = self._shown_body(around)
        standard = re.search(r"<title>(\d{3} [^<]+)</title>\s*<h1>", body)
        if standard:
            parts.append(f"Flask's standard “{standard.group(1)}” page")
        else:
            parts.append(f"body: {quote(shorten(body, around))}" if body.strip() else "empty body")
        return " · ".join(parts)

    def _fail(self, expected: str, note: str | None = None, around: int | None = None) -> NoReturn:
        fail(expected, got=self.summary(around), sent=self.response.sent, note=note)

    def _routes_note(self) -> str | None:
        if self.response.status_code not in (404, 405):
            return None
        try:
            routes = self.response.app.routes()
        except Exception:  # noqa: BLE001 - the note is a courtesy; the failure stands without it
            return None
        shown = [f"{' '.join(m for m in r['methods'] if m not in ('HEAD', 'OPTIONS'))} {r['rule']}"
                 for r in routes if r["endpoint"] != "static"]
        return "Your app's routes: " + (", ".join(shown) if shown else "none yet")

    def status(self, *codes: int) -> expect:
        if self.response.status_code not in codes:
            wanted = " or ".join(str(code) for code in codes)
            self._fail(f"status {wanted}", note=self._routes_note())
        return self

    def mimetype(self, mimetype: str) -> expect:
        if self.response.mimetype != mimetype:
            self._fail(f"Content-Type {mimetype}")
        return self

    def contains(self, *texts: str) -> expect:
        body = self._body_text()
        for text in texts:
            if text not in body:
                near = body.lower().find(text.lower())
                note = "It is there, but with different upper/lower case." if near >= 0 else None
                self._fail(f"the body to contain {quote(text)}", note=note, around=near if near >= 0 else None)
        return self

    def lacks(self, *texts: str) -> expect:
        body = self._body_text()
        for text in texts:
            if text in body:
                self._fail(f"the body NOT to contain {quote(text)}", around=body.find(text))
        return self

    def count(self, text: str, times: int) -> expect:
        found = self._body_text().count(text)
        if found != times:
            self._fail(f"{quote(text)} exactly {times} time(s) in the body (found {found})")
        return self

    def header(self, name: str, value: str | None = None, *, contains: str | None = None,
               endswith: str | None = None) -> expect:
        actual = self.response.headers.get(name)
        if actual is None:
            self._fail(f"a header {name}: … in the response")
        assert actual is not None
        if value is not None and actual != value:
            self._fail(f"{name}: {value} (got {name}: {actual})")
        if contains is not None and contains.lower() not in actual.lower():
            self._fail(f"{name} to contain {quote(contains)} (got {name}: {actual})")
        if endswith is not None and not actual.endswith(endswith):
            self._fail(f"{name} to end with {quote(endswith)} (got {name}: {actual})")
        return self

    def no_header(self, name: str) -> expect:
        if name in self.response.headers:
            self._fail(f"no {name} header (got {name}: {self.response.headers[name]})")
        return self

    def json(self, expected: Any) -> expect:
        if not self.response.is_json:
            self._fail(f"a JSON response (Content-Type application/json) equal to {json.dumps(expected)}")
        actual = self.response.get_json(silent=True)
        if actual != expected:
            self._fail(f"JSON equal to {json.dumps(expected, sort_keys=True)}",
                       note=f"got JSON {json.dumps(actual, sort_keys=True)}")
        return self

    def json_includes(self, **expected: Any) -> expect:
        if not self.response.is_json:
            self._fail(f"a JSON response with {expected!r}")
        actual = self.response.get_json(silent=True)
        if not isinstance(actual, dict):
            self._fail(f"a JSON object with {expected!r}")
        for key, value in expected.items():
            if key not in actual or actual[key] != value:
                self._fail(f'JSON with "{key}": {json.dumps(value)}',
                           note=f'got "{key}": {json.dumps(actual.get(key))}' if key in actual else f'no key "{key}"')
        return self

    def json_error(self, status: int, message: str | None = None, not_json_note: str | None = None) -> expect:
        """A JSON answer {"error": "..."} with this status (and this message, when given)."""
        self.status(status)
        data = self.response.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("error"), str) or not data["error"]:
            self._fail(f'a JSON body with an "error" message, such as {{"error": "{message or "what is wrong"}"}}',
                       note=None if self.response.is_json else not_json_note)
        if message is not None and data["error"] != message:
            fail(f'{{"error": "{message}"}}', got=f"JSON {self.response.get_data(as_text=True).strip()}",
                 sent=self.response.sent)
        return self

    def redirects_to(self, location: str, codes: tuple[int, ...] = (302, 303)) -> expect:
        self.status(*codes)
        if self.response.location != location:
            self._fail(f"a redirect to {location}")
        return self

    def body(self, expected: bytes) -> expect:
        if self.response.data != expected:
            self._fail(f"the body to be exactly {expected!r}")
        return self
