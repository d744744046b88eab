"""An article body: Markdown in; sanitised HTML, plain text and sub-headings out."""

from __future__ import annotations

from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Raw HTML in Markdown is shown as text, never passed through; nh3 then keeps only this.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "q", "strong", "sub", "sup", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# How deep quotes and lists may hold each other, a list and its item counting as a level each.
# markdown-it recurses once a level, and drops whatever lies deeper than this: a body that
# goes that deep is refused (too_deeply_nested) rather than published without that text.
MAX_NESTING = 20
CONTAINERS = {"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"}

_markdown = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
_blocks = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING}).disable("inline")


@dataclass(frozen=True)
class RenderedBody:
    html: str
    text: str
    headings: tuple[str, ...]


def render_body(markdown: str) -> RenderedBody:
    tokens = _markdown.parse(markdown)
    html = nh3.clean(
        _markdown.renderer.render(tokens, _markdown.options, {}),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    blocks = [
        block_text(token) for token in tokens if token.type in ("inline", "fence", "code_block")
    ]
    headings = tuple(
        block_text(tokens[index + 1])
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    )
    return RenderedBody(html=html, text="\n\n".join(b for b in blocks if b), headings=headings)


def too_deeply_nested(markdown: str) -> int | None:
    """The line (from 0) of a quote or list so deep that its text would be dropped, if any."""
    for token in _blocks.parse(markdown):
        if token.type in CONTAINERS and token.level >= MAX_NESTING - 1 and token.map:
            return token.map[0]
    return None


def block_text(token: Token) -> str:
    """The words of one block as a reader sees them, without markup."""
    if token.type != "inline":
        return token.content.rstrip("\n")
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)
