"""The email edition's HTML: one column that mail clients render alike, styled inline (many
drop a <style>), light by default and dark where the client asks, loading nothing."""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser

import jinja2
from markupsafe import Markup

from service.feeds.formats import FORMATS
from service.model import Article, EmailEdition, Issue
from service.urls import Site

SANS = "system-ui,-apple-system,Segoe UI,Roboto,Helvetica Neue,Arial,sans-serif"
INK, MUTED, ACCENT, RULE = "#1f2328", "#59636e", "#8c2f1b", "#d8d2c4"
# The inline style of each element a sanitised body may hold (service/content/markdown.py).
BODY_STYLES = {
    "p": "margin:0 0 16px;",
    "h2": f"margin:28px 0 8px;font:700 16px/1.35 {SANS};letter-spacing:0.02em;",
    "h3": f"margin:24px 0 8px;font:700 16px/1.35 {SANS};",
    "h4": f"margin:20px 0 8px;font:700 15px/1.35 {SANS};",
    "h5": f"margin:20px 0 8px;font:700 15px/1.35 {SANS};",
    "h6": f"margin:20px 0 8px;font:700 15px/1.35 {SANS};",
    "a": f"color:{ACCENT};",
    "blockquote": f"margin:16px 0;padding:0 0 0 16px;border-left:3px solid {RULE};",
    "ul": "margin:0 0 16px;padding:0 0 0 24px;",
    "ol": "margin:0 0 16px;padding:0 0 0 24px;",
    "li": "margin:0 0 6px;",
    "pre": "margin:0 0 16px;white-space:pre-wrap;font-size:14px;",
    "code": "font-size:0.9em;",
    "hr": f"border:0;border-top:1px solid {RULE};margin:24px 0;",
}
# The dark-mode rules key on these classes, so body elements carry them besides their style.
BODY_CLASSES = {"a": "link", "blockquote": "rule", "hr": "rule"}
VOID = {"br", "hr", "img"}
TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("service", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class EmailedArticle:
    """An article as the email shows it: its body styled inline."""

    article: Article
    body: Markup


def issue_html(site: Site, edition: EmailEdition, issue: Issue, subject: str) -> str:
    """The issue as the HTML part: every link absolute, built from the publication's base URL."""
    return TEMPLATES.get_template("email.html").render(
        publication=site.publication,
        urls=site.urls,
        issue=issue,
        # The web page first: with both, the mailto: one is "or by email".
        unsubscribe=sorted(edition.unsubscribe, key=lambda url: url.startswith("mailto:")),
        subject=subject,
        articles=[EmailedArticle(a, Markup(styled_body(a.body_html))) for a in issue.articles],
        formats=FORMATS,
        colours={"ink": INK, "muted": MUTED, "accent": ACCENT, "rule": RULE, "sans": SANS},
    )


def styled_body(body_html: str) -> str:
    """A sanitised body with each element's inline style, and each image as its alt text: an
    image would be loaded from elsewhere, and the issue page has it."""
    styler = BodyStyler()
    styler.feed(body_html)
    styler.close()
    return "".join(styler.written)


class BodyStyler(HTMLParser):
    """Writes the body back as it came, with a style on each element it knows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.written: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.written.append(html.escape(dict(attrs).get("alt") or ""))
            return
        extra = [("class", BODY_CLASSES[tag])] if tag in BODY_CLASSES else []
        extra += [("style", BODY_STYLES[tag])] if tag in BODY_STYLES else []
        written = "".join(
            f' {name}="{html.escape(value or "")}"' for name, value in [*attrs, *extra]
        )
        self.written.append(f"<{tag}{written}>")

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID:
            self.written.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.written.append(html.escape(data, quote=False))
