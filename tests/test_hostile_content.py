"""Hostile content: nothing an editor writes reaches a reader as something that runs.

Every vector goes into every place an editor can write text. Each case is either refused by
`briefing check`, as `file:line: field: message`, or built and served harmless by every
output: the JSON API, the Atom, RSS and JSON feeds, and the HTML pages. What is served is
parsed as a reader would parse it, HTML inside feeds and JSON included, and searched for
elements that run, event-handler attributes and addresses with a scheme that runs. Text that
shows a vector escaped, as the words it is, is what a build should make of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import lxml.html
import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from tests.factories import PUBLICATION, ContentTree

BASE = "https://briefing.test"
ISSUE = "2011-01-12"
ARTICLE_FILE = f"issues/{ISSUE}/01-hostile.md"
ISSUE_FILE = f"issues/{ISSUE}/issue.toml"
OUTPUTS = (
    f"/api/v1/issues/{ISSUE}",
    f"/api/v1/issues/{ISSUE}/articles/hostile",
    "/api/v1/issues",
    "/api/v1/articles",
    "/api/v1/search?q=alert",
    *(
        f"/feeds/{name}.{ext}"
        for name in ("issues", "articles", "tags/hostile")
        for ext in "atom rss json".split()
    ),
    "/",
    f"/issues/{ISSUE}",
    "/tags/hostile",
    "/search?q=alert",
    "/subscribe",
)

# Markup, whole elements and attributes, for every place that holds text.
MARKUP = {
    "script": "<script>alert(1)</script>",
    "script-src-uppercase": "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "style": "<style>*{background:url(javascript:alert(1))}</style>",
    "style-attribute": '<p style="background:url(javascript:alert(1))">alert</p>',
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "form": '<form action="javascript:alert(1)"><button>alert</button></form>',
    "onerror": "<img src=x onerror=alert(1)>",
    "ontoggle": "<details open ontoggle=alert(1)>",
    "onmouseover-mixed-case": '<a href="https://example.org/" OnMouseOver="alert(1)">x</a>',
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-xlink-href": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "math-style-img": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "base": '<base href="https://evil.example/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/alert.css">',
    "href-javascript": '<a href="javascript:alert(1)">x</a>',
    "href-entities": '<a href="&#106;avascript&#x3A;alert(1)">x</a>',
    "href-tab-in-scheme": '<a href="  java\tscript:alert(1)">x</a>',
    "attribute-breakout": '"><script>alert(1)</script>',
    "title-breakout": "</title><script>alert(1)</script>",
    "cdata-breakout": "]]><script>alert(1)</script>",
    "comment-breakout": "--><script>alert(1)</script><!--",
}

# Addresses, for every place that holds one: schemes that run, obfuscated as browsers forgive,
# and http addresses carrying markup.
URLS = {
    "javascript": "javascript:alert(1)",
    "mixed-case": "JaVaScRiPt:alert(1)",
    "decimal-entity": "&#106;avascript:alert(1)",
    "hex-entities": "&#x6A;&#x61;vascript&#x3A;alert(1)",
    "named-entity-colon": "javascript&colon;alert(1)",
    "leading-whitespace": " \t javascript:alert(1)",
    "tab-in-scheme": "java\tscript:alert(1)",
    "tab-entity-in-scheme": "java&#x09;script:alert(1)",
    "newline-entity-in-scheme": "java&#10;script:alert(1)",
    "control-character": "\x01javascript:alert(1)",
    "nul-in-scheme": "java\x00script:alert(1)",
    "vbscript": "VBScript:msgbox(1)",
    "data-html": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data-svg": "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "data-png": "data:image/png;base64,iVBORw0KGgo=",
    "https-markup": 'https://example.org/"><script>alert(1)</script>',
    "https-attribute": 'https://example.org/"onmouseover="alert(1)"',
}
FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f]")


def write_case(
    tree: ContentTree,
    *,
    publication: dict[str, Any] | None = None,
    issue: dict[str, Any] | None = None,
    article: dict[str, Any] | None = None,
    body: str = "A paragraph about alert levels.",
) -> None:
    """A one-issue, one-article tree with every field an editor can write, some replaced."""
    tree.publication(**(publication or {}))
    tree.write(ISSUE_FILE, f'date = {ISSUE}\ntags = ["policy"]\n')
    if issue:
        tree.write(ISSUE_FILE, f"date = {ISSUE}\n" + "\n".join(toml_lines(issue)) + "\n")
    fields = {
        "id": "hostile",
        "headline": "Alert levels",
        "standfirst": "What the alert levels mean.",
        "tags": ["hostile"],
        "sources": [{"title": "The report", "url": "https://example.org/report"}],
        "authors": [{"name": "Ada Writer", "url": "https://example.org/ada"}],
        **(article or {}),
    }
    tree.article(ISSUE, "01-hostile.md", body=body, **fields)


def toml_lines(fields: dict[str, Any]) -> Iterator[str]:
    for key, value in fields.items():
        yield f"{key} = {json.dumps(value)}"  # a JSON string or array is a TOML one


def hostile_body(text: str) -> str:
    """Text as a block of its own, within a paragraph, and in a link's text, title and alt."""
    return (
        f"{text}\n\n"
        f'A paragraph with {text} inside, [a link {text}](https://example.org/ "{text}")'
        f" and ![an image {text}](https://example.org/i.png)\n"
    )


def hostile_links(url: str) -> str:
    """An address as a link, an image, an autolink and a reference, and in raw HTML."""
    return (
        f"A [link]({url}), an ![image]({url}), an autolink <{url}>, a [reference][r],"
        f' <a href="{url}">raw</a> and <img src="{url}">.\n\n'
        f"[r]: {url}\n"
    )


@dataclass(frozen=True)
class Place:
    """Somewhere an editor writes text, and the fields a refusal of what is written names."""

    name: str
    kind: str  # "text", "body", "slug" or "url": what the place may hold
    fields: set[str]
    case: Callable[[str], dict[str, Any]]  # a vector -> write_case's arguments
    file: str = ARTICLE_FILE

    def refusing_fields(self, vector: str) -> set[str]:
        """The fields a check names when it refuses vector here; empty when it builds."""
        if self.kind == "slug":
            return self.fields
        if FORBIDDEN_CHARACTER.search(vector):
            return {"file"} if self.kind == "body" else self.fields
        if self.kind == "url" and not vector.startswith("https://"):
            return self.fields
        return set()


def author(name: str, url: str = "https://example.org/ada") -> dict[str, Any]:
    return {"article": {"authors": [{"name": name, "url": url}]}}


def source(title: str, url: str = "https://example.org/report") -> dict[str, Any]:
    return {"article": {"sources": [{"title": title, "url": url}]}}


def publication(text: str = "", url: str = "") -> dict[str, Any]:
    """The publication's text fields, or else its addresses, holding the vector."""
    desk = cast(dict[str, str], PUBLICATION["author"])
    if text:
        fields = {"title": text, "subtitle": text, "rights": text, "author": {**desk, "name": text}}
    else:
        fields = {"icon": url, "logo": url, "author": {**desk, "url": url}}
    return {"publication": fields}


PUBLICATION_FILE = "publication.toml"
TEXT_PLACES = [
    Place("headline", "text", {"headline"}, lambda v: {"article": {"headline": v}}),
    Place("standfirst", "text", {"standfirst"}, lambda v: {"article": {"standfirst": v}}),
    Place("source-title", "text", {"sources[0].title"}, source),
    Place("author-name", "text", {"authors[0].name"}, author),
    Place("issue-title", "text", {"title"}, lambda v: {"issue": {"title": v}}, ISSUE_FILE),
    Place(
        "publication",
        "text",
        {"title", "subtitle", "rights", "author.name"},
        publication,
        PUBLICATION_FILE,
    ),
    Place("body", "body", {"body"}, lambda v: {"body": hostile_body(v)}),
    Place("article-tag", "slug", {"tags[1]"}, lambda v: {"article": {"tags": ["hostile", v]}}),
    Place("article-id", "slug", {"id"}, lambda v: {"article": {"id": v}}),
    Place("issue-tag", "slug", {"tags[0]"}, lambda v: {"issue": {"tags": [v]}}, ISSUE_FILE),
]
URL_PLACES = [
    Place("body-links", "body", {"body"}, lambda v: {"body": hostile_links(v)}),
    Place("source-url", "url", {"sources[0].url"}, lambda v: source("Report", v)),
    Place("author-url", "url", {"authors[0].url"}, lambda v: author("Ada", v)),
    Place(
        "publication-urls",
        "url",
        {"author.url", "icon", "logo"},
        lambda v: publication(url=v),
        PUBLICATION_FILE,
    ),
]
CASES = [
    pytest.param(where, vector, id=f"{where.name}-{name}")
    for places, vectors in ((TEXT_PLACES, MARKUP), (URL_PLACES, URLS))
    for where in places
    for name, vector in vectors.items()
]


@pytest.mark.parametrize(("where", "vector"), CASES)
def test_hostile_content_is_refused_or_served_harmless(
    where: Place,
    vector: str,
    content: ContentTree,
    run_cli: Callable[..., Result],
    store_path: Path,
    app: Flask,
) -> None:
    write_case(content, **where.case(vector))
    result = run_cli("check", content.root)
    refusing = where.refusing_fields(vector)
    if refusing:
        assert result.exit_code == 1, result.output
        assert_refused(content, where.file, refusing, result.output)
        return
    assert result.exit_code == 0, result.output
    assert run_cli("build", content.root, "--store", store_path).exit_code == 0
    client = app.test_client()
    assert_every_output_harmless(client)
    if where.kind == "text":  # kept as the words it is, not lost
        published = [client.get(path).json for path in (OUTPUTS[0], "/feeds/articles.json")]
        assert any(vector in text for text in strings(published))


def strings(value: Any) -> Iterator[str]:
    """Every string in decoded JSON."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for nested in value:
            yield from strings(nested)
    elif isinstance(value, str):
        yield value


def assert_refused(tree: ContentTree, file: str, fields: set[str], output: str) -> None:
    """Every error is `file:line: field: message`, naming the line of the field or item."""
    errors = output.splitlines()[:-1]
    assert errors
    lines = (tree.root / file).read_text("utf-8").split("\n")
    for error in errors:
        found = re.fullmatch(rf"{re.escape(str(tree.root / file))}:(\d+): (\S+): \S.*", error)
        assert found, error
        line, field = int(found.group(1)), found.group(2)
        assert field in fields, error
        key = re.sub(r"\[\d+\]", "", field).rpartition(".")[2]
        item = field.endswith("]") and lines[line - 1].lstrip().startswith("- ")
        assert key == "file" or item or re.search(rf"\b{key}\b", lines[line - 1]), error


# What a reader would run: elements, attributes, and addresses with schemes other than these.
SAFE_SCHEMES = {"http", "https", "mailto"}
RUNNABLE = {
    "applet", "audio", "base", "bgsound", "embed", "frame", "frameset", "iframe", "marquee",
    "math", "noscript", "object", "portal", "script", "select", "source", "style", "svg",
    "template", "textarea", "track", "video",
}  # fmt: skip
PAGE_CHROME = {"form", "input", "button", "label", "link", "meta"}  # the templates' own only
URL_ATTRIBUTES = {
    "action", "archive", "background", "cite", "classid", "codebase", "data", "dynsrc",
    "formaction", "href", "icon", "longdesc", "lowsrc", "manifest", "ping", "poster",
    "profile", "src", "srcset", "usemap", "xlink:href",
}  # fmt: skip
HANDLER_LIKE = {"style", "srcdoc", "formaction"}
SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
JSON_URL_KEYS = {
    "url", "icon", "favicon", "avatar", "image", "banner_image", "@id", "mainEntityOfPage",
}  # fmt: skip
FEED_NAMESPACES = {
    None,
    "http://www.w3.org/2005/Atom",
    "http://purl.org/syndication/history/1.0",
    "http://purl.org/rss/1.0/modules/content/",
}
FEED_HTML = {"description", "encoded"}  # RSS's <description>s and <content:encoded>
FEED_URLS = {"uri", "icon", "logo", "link", "docs", "comments", "url"}


def runs(url: str) -> bool:
    """Whether a browser would follow url into a scheme other than the safe ones.

    As a browser reads it: tabs and line breaks anywhere dropped, controls and spaces trimmed.
    """
    cleaned = re.sub("[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    scheme = SCHEME.match(cleaned)
    return scheme is not None and scheme.group(1).lower() not in SAFE_SCHEMES


def assert_every_output_harmless(client: FlaskClient) -> None:
    for path in OUTPUTS:
        response = client.get(path)
        assert response.status_code == 200, path
        assert list(hazards(path, response.data)) == [], path


def hazards(path: str, body: bytes) -> Iterator[str]:
    if path.startswith("/api/") or path.endswith(".json"):
        yield from json_hazards(json.loads(body))
    elif path.startswith("/feeds/"):
        yield from feed_hazards(body)
    else:
        yield from html_hazards(lxml.html.document_fromstring(body), page=True)


def json_hazards(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for name, nested in value.items():
            yield from json_hazards(nested, name)
    elif isinstance(value, list):
        for nested in value:
            yield from json_hazards(nested, key)
    elif isinstance(value, str):
        if key.endswith("_html"):
            yield from html_hazards(fragment(value), page=False)
        elif (key in JSON_URL_KEYS or key.endswith("_url")) and runs(value):
            yield f"{key}: {value!r}"


def feed_hazards(body: bytes) -> Iterator[str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for element in etree.fromstring(body, parser).iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element)
        if name.namespace not in FEED_NAMESPACES:
            yield f"foreign element {name}"
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname.lower()
            if local.startswith("on") or (local in ("href", "src", "url") and runs(value)):
                yield f"{name.localname}@{local}={value!r}"
        if element.get("type") in ("html", "xhtml") or name.localname in FEED_HTML:
            yield from html_hazards(fragment(element.text or ""), page=False)
        elif name.localname in FEED_URLS and runs(element.text or ""):
            yield f"{name.localname}: {element.text!r}"


def fragment(html: str) -> Any:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def html_hazards(root: Any, page: bool) -> Iterator[str]:
    """What runs in an HTML tree; on a page, the search form and <head> are the site's own."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if page and tag == "script" and element.get("type") == "application/ld+json":
            yield from linked_data_hazards(element)
        elif tag in RUNNABLE or (tag in PAGE_CHROME and not (page and chrome(element))):
            yield f"<{tag}>"
        for attribute, value in element.attrib.items():
            name = attribute.lower()
            if name.startswith("on") or name in HANDLER_LIKE:
                yield f"<{tag} {name}>"
            if name in URL_ATTRIBUTES and any(runs(url) for url in addresses(name, value)):
                yield f"<{tag} {name}={value!r}>"
        if tag == "meta" and element.get("property") in ("og:url", "og:image"):
            if runs(element.get("content", "")):
                yield f"<meta {element.get('property')}>"


def linked_data_hazards(script: Any) -> Iterator[str]:
    """A page's JSON-LD, a data block no browser runs: in <head>, with text that no HTML parser
    could end early, and addresses that run nothing."""
    if not any(parent.tag == "head" for parent in script.iterancestors()):
        yield "<script type=application/ld+json> outside <head>"
    text = script.text or ""
    if set(text) & set("<>&"):
        yield "<script type=application/ld+json> with markup in its text"
    yield from json_hazards(json.loads(text))


def addresses(attribute: str, value: str) -> list[str]:
    """The URLs in an attribute's value: srcset lists several, each before its size."""
    if attribute != "srcset":
        return [value]
    return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


def chrome(element: Any) -> bool:
    """The page's own: the search form and its controls, and <head>'s links and metadata."""
    tag = element.tag.lower()
    if tag in ("link", "meta"):
        in_head = any(parent.tag == "head" for parent in element.iterancestors())
        return in_head and "http-equiv" not in element.attrib
    forms = [element] if tag == "form" else list(element.iterancestors("form"))
    return bool(forms) and forms[0].get("action") == f"{BASE}/search"


def test_benign_content_builds_in_every_place(
    content: ContentTree, run_cli: Callable[..., Result], store_path: Path, app: Flask
) -> None:
    """The table's harness sees nothing in content with nothing hostile in it."""
    write_case(content)
    assert run_cli("build", content.root, "--store", store_path).exit_code == 0
    client = app.test_client()
    assert_every_output_harmless(client)


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<p>text &lt;script&gt;</p>", []),
        ("<script>alert(1)</script>", ["<script>"]),
        ('<a href=" java&#x09;script:x">x</a>', ["<a href=' java\\tscript:x'>"]),
        ('<a href="java%09script:x">x</a>', []),
        (
            '<img srcset="https://a.test/1.png 1x, data:x 2x">',
            ["<img srcset='https://a.test/1.png 1x, data:x 2x'>"],
        ),
        ('<b OnClick="x">b</b>', ["<b onclick>"]),
        ('<form action="https://briefing.test/search"></form>', ["<form>"]),
    ],
)
def test_the_harness_finds_what_runs(html: str, found: list[str]) -> None:
    assert list(html_hazards(fragment(html), page=False)) == found


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ('{"url": "https://a.test/", "headline": "\\u003c/script\\u003e"}', []),
        ('{"author": [{"url": "javascript:x"}]}', ["url: 'javascript:x'"]),
        ('{"headline": "</b>"}', ["<script type=application/ld+json> with markup in its text"]),
    ],
)
def test_the_harness_reads_a_pages_json_ld_as_data(data: str, found: list[str]) -> None:
    page = lxml.html.document_fromstring(
        f'<html><head><script type="application/ld+json">{data}</script></head><body></body></html>'
    )
    assert list(html_hazards(page, page=True)) == found
