"""Assertions that explain themselves: what was sent, what came back, what was expected.

A check says ``expect(response).status(200).contains("Welcome to Shelf")``; when that fails, the
student reads the request, the part of the response that matters, and the expectation, instead of
an assertion diff.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import weakref
from typing import Any, NoReturn

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from .remote import Response

EXCERPT = 240
# Elements whose content a reader never sees as text.
UNSEEN = ("script", "style", "template")
# Elements a browser starts on a line of their own: their text is apart from the text around them.
BLOCKS = ("address", "article", "aside", "blockquote", "br", "dd", "details", "dialog", "div", "dl", "dt",
          "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
          "li", "main", "nav", "ol", "option", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul")
# A selector simple enough to be shown as the start tag it asks for: li.item, input[name=q], div.flash.success.
SIMPLE_SELECTOR = re.compile(r"""(?P<tag>[a-z][a-z0-9]*)(?P<classes>(?:\.[\w-]+)*)"""
                             r"""(?P<attributes>(?:\[[\w-]+=(?:[\w-]+|"[^"]*"|'[^']*')\])*)""")


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


def _collapse(text: str) -> str:
    """Text as a reader sees it: each run of spaces and line breaks is one space."""
    return " ".join(text.split())


def _place(text: str, wanted: str) -> int | None:
    """Where an excerpt of ``text`` should be centred: on ``wanted`` in any case, else on its longest word."""
    lower = text.lower()
    for part in (wanted, *sorted(wanted.split(), key=len, reverse=True)):
        at = lower.find(part.lower())
        if at >= 0:
            return at
    return None


class Element:
    """One element of a page, in the form checks compare it, however the HTML was written: attribute values
    with any quotes (or none) and entities decoded, classes as a set, text as the reader sees it."""

    def __init__(self, node: Any) -> None:
        self._node = node  # an lxml.html element

    @property
    def tag(self) -> str:
        return self._node.tag

    @property
    def attributes(self) -> dict[str, str]:
        return dict(self._node.attrib)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._node.get(name, default)

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(self._node.get("class", "").split())

    @functools.cached_property
    def text(self) -> str:
        """Its text with entities decoded and whitespace collapsed, without what scripts and styles hold."""
        node = self._node
        if any(child is not node for child in node.iter(*UNSEEN)):
            node = copy.deepcopy(node)
            etree.strip_elements(node, *UNSEEN, with_tail=False)
        return _collapse(node.text_content())

    def select(self, selector: str) -> list[Element]:
        """The elements here that match a CSS selector, such as li.item, input[name=q] or a[href]."""
        return [Element(node) for node in _compiled(selector)(self._node)]

    @property
    def start_tag(self) -> str:
        """Its start tag as a check reads it: each attribute in double quotes, entities decoded."""
        return "<" + " ".join([self.tag, *(f'{name}="{value}"' for name, value in self._node.attrib.items())]) + ">"

    def __str__(self) -> str:
        text = shorten(self.text, width=80)
        return f"{self.start_tag} {quote(text)}" if text else self.start_tag


@functools.lru_cache(maxsize=512)
def _compiled(selector: str) -> CSSSelector:
    """A CSS selector made into the XPath query lxml runs, once per selector: checks ask the same ones of
    every page (what ``element.cssselect(selector)`` does on every call)."""
    return CSSSelector(selector, translator="html")


def _listed(elements: list[Element], most: int = 5) -> str:
    shown = "; ".join(str(element) for element in elements[:most])
    return shown + (f"; and {len(elements) - most} more" if len(elements) > most else "")


_documents: weakref.WeakKeyDictionary[Response, Element] = weakref.WeakKeyDictionary()


def _document(response: Response) -> Element:
    """The response's body parsed as HTML, once per response, since a check often asks several questions of one
    page. The parser mends a page as a browser does (a fragment gets its <html> and <body>), and a space goes
    where a browser breaks the line, so <li>a</li><li>b</li> reads "a b", not "ab". The work grows in step with
    the body, which the sandbox caps."""
    if response not in _documents:
        parser = lxml.html.HTMLParser(encoding="utf-8")
        try:
            root = lxml.html.document_fromstring(response.get_data(), parser=parser)
        except etree.ParserError:  # nothing but whitespace: an empty page
            root = lxml.html.document_fromstring(b"<html><body></body></html>", parser=parser)
        for block in root.iter(*BLOCKS):  # only whitespace changes, and every text read is collapsed
            block.text = " " + (block.text or "")
            block.tail = " " + (block.tail or "")
        _documents[response] = Element(root)
    return _documents[response]


def _describe(selector: str) -> str:
    """A selector in words a beginner reads: div.flash.success is <div class="flash success">."""
    simple = SIMPLE_SELECTOR.fullmatch(selector)
    if simple is None:
        return f"element matching the CSS selector {selector!r}"
    classes = simple["classes"].replace(".", " ").strip()
    attributes = [f'{name}="{value}"'
                  for name, value in re.findall(r"""\[([\w-]+)=["']?([^"'\]]*)["']?\]""", simple["attributes"])]
    return "<" + " ".join([simple["tag"], *([f'class="{classes}"'] if classes else []), *attributes]) + ">"


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

    def _head(self) -> list[str]:
        """The status line's part of a summary: status, type, and where a redirect points."""
        r = self.response
        parts = [r.status]
        if r.mimetype:
            parts.append(r.mimetype)
        if r.location:
            parts.append(f"Location: {r.location}")
        return parts

    def summary(self, around: int | None = None) -> str:
        parts = self._head()
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

    def select(self, selector: str) -> list[Element]:
        """The page's elements that match a CSS selector, for a check that reads them (titles, links, values)."""
        return _document(self.response).select(selector)

    def page_text(self) -> str:
        """The page's text as a reader sees it, the text that text_contains compares."""
        bodies = self.select("body")
        return (bodies[0] if bodies else _document(self.response)).text

    def text_contains(self, *texts: str) -> expect:
        """Each text is in the page as a reader sees it: tags dropped, entities decoded, whitespace collapsed.
        "Item 2: <em>PEP 3333</em>", a heading split over lines and couldn&#39;t all read as written."""
        seen = self.page_text()
        for text in texts:
            wanted = _collapse(text)
            if wanted in seen:
                continue
            near = seen.lower().find(wanted.lower())
            if near >= 0:
                note = "It is there, but with different upper/lower case."
            elif wanted in self._body_text():
                note = "It is in the page's HTML, but not in the text the page shows: inside a tag, an attribute, " \
                       "the <head> or a script."
            else:
                note = None
            text_part = f"the page's text: {quote(shorten(seen, _place(seen, wanted)))}" if seen else "no text in the page"
            fail(f"the page's text to contain {wanted!r}", got=" · ".join([*self._head(), text_part]),
                 sent=self.response.sent, note=note)
        return self

    def element(self, selector: str, *, text: str | None = None, endswith: str | None = None,
                count: int | None = None, note: str | None = None) -> expect:
        """An element matching a CSS selector is in the page (exactly ``count`` of them, when given), with this
        text or a text that ends so. Selectors match as HTML means them: li.item matches class="item unread" and
        class=item alike, and attributes the selector does not name may come too."""
        found = self.select(selector)
        matching = [element for element in found
                    if (text is None or element.text == _collapse(text))
                    and (endswith is None or element.text.endswith(endswith))]
        if (count is None and matching) or len(matching) == count:
            return self
        noun = _describe(selector)
        wanted = noun + (f" with the text {_collapse(text)!r}" if text is not None else "") \
            + (f" whose text ends with {endswith!r}" if endswith is not None else "")
        expected = f"exactly {count} {wanted} (found {len(matching)})" if count is not None \
            else ("an " if noun.startswith("element") else "a ") + wanted
        fail(expected, got=" · ".join([*self._head(), self._nearest(selector, found, noun)]),
             sent=self.response.sent, note=note)

    def _nearest(self, selector: str, found: list[Element], noun: str) -> str:
        """What the page has instead: the elements the selector finds, else those of its tag, else the page's text."""
        if found:
            return f"{len(found)} × {noun}: {_listed(found)}"
        tag = re.match(r"[a-z][a-z0-9]*", re.split(r"[\s>+~]+", selector.strip())[-1])
        same = self.select(tag.group()) if tag else []
        if same:
            return f"no {noun}; the page's <{tag.group()}> elements: {_listed(same)}"
        seen = self.page_text()
        return f"no {noun}; the page's text: {quote(shorten(seen))}" if seen else f"no {noun}, and no text"

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
