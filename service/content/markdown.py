"""An article body: Markdown in; sanitised HTML, plain text and sub-headings out."""

from __future__ import annotations

import functools
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.ruler import RuleOptionsType
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# Raw HTML in Markdown is shown as text, never passed through; nh3 then keeps only this.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "q", "strong", "sub", "sup", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINKS = {"link_open": "href", "image": "src"}  # the tokens that carry an address, and where
# How deep quotes and lists may hold each other, a list and its item counting as a level each.
# markdown-it recurses once a level, and drops whatever lies deeper than this: a body that
# goes that deep is refused (body_problems) rather than published without that text.
MAX_NESTING = 20
CONTAINERS = {"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"}
TOO_DEEP = "Quotes and lists nested too deeply to show."
INCOMPLETE = (
    "The link {!r} is incomplete: write the whole address (https://host/path), or a path on"
    " this site (/issues/2011-01-12)."
)

# markdown-it-py takes from 1 to 40 µs a step of its parse (a rule tried at a place or on a
# line), and a body can make a few steps of each byte: every unclosed `[` is tried as a link
# label as deep as MAX_NESTING, so 2 MiB of `![` took 40 s to build, and a line each of `# a`
# 12 s. A body may have this many lines (each costs a step or more before anything is counted)
# and take this many steps, room for a megabyte of densely marked-up prose where the seed article
# has 15 lines and takes 20 steps; past them it is refused (body_problems), which holds the
# costliest body to a few seconds of build.
MAX_LINES = 50_000
MAX_STEPS = 200_000
TOO_COSTLY = (
    f"Markup too costly to read: past {MAX_STEPS} parsing steps by this paragraph (unclosed [ and"
    " ![ cost most); split the article."
)
STEPS, BLOCK_LINE = "briefing.steps", "briefing.line"  # kept in markdown-it's env as it parses


class TooCostly(Exception):
    """The parse of a body went past MAX_STEPS, at this line of it (from 0)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def count_step(env: MutableMapping[str, Any], line: int) -> None:
    env[STEPS] = env.get(STEPS, 0) + 1
    if env[STEPS] > MAX_STEPS:
        raise TooCostly(line)


def block_step(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A block rule that matches nothing: it counts the steps of the parse."""
    count_step(state.env, start_line)
    return False


def inline_step(state: StateInline, silent: bool) -> bool:
    """An inline rule that matches nothing: it counts the steps of the parse."""
    count_step(state.env, state.env.get(BLOCK_LINE, 0))
    return False


def counting_steps(parser: MarkdownIt) -> MarkdownIt:
    """The parser, counting each step it takes; the first rule tried, everywhere."""
    every_block: RuleOptionsType = {"alt": ["paragraph", "reference", "blockquote", "list"]}
    parser.block.ruler.before("code", "briefing_steps", block_step, every_block)
    parser.inline.ruler.before("text", "briefing_steps", inline_step)
    return parser


_markdown = counting_steps(MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING}))
_blocks = counting_steps(
    MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING}).disable("inline")
)


@dataclass(frozen=True)
class RenderedBody:
    html: str
    text: str
    headings: tuple[str, ...]


def render_body(markdown: str, site_url: str, page_url: str) -> RenderedBody:
    """Render a body shown on page_url, of the site at site_url, which its relative links
    are made absolute against."""
    tokens = _markdown.parse(markdown)
    html = nh3.clean(
        _markdown.renderer.render(tokens, _markdown.options, {}),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative=functools.partial(absolute_link, site_url=site_url, page_url=page_url),
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


def absolute_link(url: str, site_url: str, page_url: str) -> str | None:
    """A relative address in a body made absolute, since feed readers and mail clients show
    the body away from the site: a path from the root (`/issues/2011-01-12`) is one of the
    site's, below its base URL; any other (`#article-id`, `2011-01-26`) is read from the page.
    A scheme-relative one (`//host/...`) could lead anywhere: check refuses it, nh3 drops it."""
    if url.startswith("//"):
        return None
    if url.startswith("/"):
        return site_url + url
    return urljoin(page_url, url)


def body_problems(markdown: str) -> Iterator[tuple[int, str]]:
    """What `briefing check` refuses in a body, each with its line (from 0)."""
    if markdown.count("\n") >= MAX_LINES:
        yield MAX_LINES, f"Longer than {MAX_LINES} lines: split the article."
        return
    try:
        tokens = parse_by_block(markdown)
    except TooCostly as exc:
        yield exc.line, TOO_COSTLY
        return
    deep = [token.map[0] for token in tokens if too_deep(token) and token.map]
    if deep:
        yield deep[0], TOO_DEEP
    for url, line in addresses(tokens):
        if not whole_or_relative(url):
            yield line, INCOMPLETE.format(url)


def parse_by_block(markdown: str) -> list[Token]:
    """Parse as render_body does, the inline markup one block at a time, so that a parse
    that runs past MAX_STEPS names the block it was in."""
    env: dict[str, Any] = {}
    tokens = _blocks.parse(markdown, env)
    for token in tokens:
        if token.type == "inline":
            env[BLOCK_LINE] = token.map[0] if token.map else 0
            token.children = []
            _markdown.inline.parse(token.content, _markdown, env, token.children)
    return tokens


def too_deep(token: Token) -> bool:
    """A quote or list so deep that markdown-it drops the text inside it."""
    return token.type in CONTAINERS and token.level >= MAX_NESTING - 1


def addresses(tokens: Sequence[Token]) -> Iterator[tuple[str, int]]:
    """Every link and image address of a body, with the line (from 0) where it stands."""
    for block in tokens:
        if block.type != "inline" or not block.map:
            continue
        line = block.map[0]
        for child in block.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type in LINKS:
                yield str(child.attrGet(LINKS[child.type])), line


def whole_or_relative(url: str) -> bool:
    """A whole address, or a path relative to this site: not `//host/path` nor `https:path`,
    which browsers and feed readers resolve each their own way."""
    try:
        parts = urlsplit(url)
    except ValueError:  # such as an unclosed IPv6 host, http://[::1
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return not url.startswith("//")


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
