"""The email edition's plain text: the issue in the emailed format that `briefing import-text`
reads back (service/content/textimport.py), then a signature holding its sources and the
footer, which import-text leaves out but for the sources."""

from __future__ import annotations

from service.content.textimport import ARTICLE_BREAK, MONTHS, SIGNATURE, date_line
from service.model import Article, EmailEdition, Issue
from service.urls import Site


def issue_text(site: Site, edition: EmailEdition, issue: Issue) -> str:
    """The issue as its emailed text: date line, then each article, then the signature."""
    lines = [date_line(issue.date)]
    for position, article in enumerate(issue.articles):
        if position:
            lines += ["", "", ARTICLE_BREAK]
        lines += article_lines(article)
    lines += ["", SIGNATURE, *source_lines(issue.articles), *footer_lines(site, edition, issue)]
    return "\n".join(lines) + "\n"


def article_lines(article: Article) -> list[str]:
    """Headline, standfirst and a line for each paragraph, each after a blank line."""
    lines = ["", one_line(article.headline), "", one_line(article.standfirst)]
    for paragraph in paragraphs(article.body_text):
        lines += ["", paragraph]
    return lines


def paragraphs(body_text: str) -> list[str]:
    """Each line of a body's text; blank ones, which the emailed format cannot hold, left out."""
    return [line for line in body_text.split("\n") if line.strip()]


def one_line(text: str) -> str:
    """Text the emailed format holds on one line: a line break in it becomes a space."""
    return text.replace("\n", " ")


def source_lines(articles: tuple[Article, ...]) -> list[str]:
    """The sources of each article under its headline, as import-text reads them back: every
    article of a headline that cites any, so that each list finds its own when two agree."""
    cited = {article.headline for article in articles if article.sources}
    if not cited:
        return []
    lines = ["Sources"]
    for article in (article for article in articles if article.headline in cited):
        lines += ["", f"{one_line(article.headline)}:"]
        lines += [f"- {one_line(source.title)} <{source.url}>" for source in article.sources]
    return [*lines, ""]


def footer_lines(site: Site, edition: EmailEdition, issue: Issue) -> list[str]:
    """Which issue this is, where to read and follow it, how to leave the list, and the rights."""
    publication, urls = site.publication, site.urls
    return [
        " · ".join(masthead(site, issue)),
        one_line(publication.subtitle),
        "",
        f"Read it on the web: {urls.issue(issue.id)}",
        f"Every issue in a feed reader: {urls.feed('issues', 'atom')}",
        f"Every feed, and the API: {urls.page('/subscribe')}",
        f"Unsubscribe: {' or '.join(edition.unsubscribe)}",
        "",
        one_line(publication.rights),
    ]


def masthead(site: Site, issue: Issue) -> list[str]:
    """The publication, the issue's number if it has one, and its date, as the footer says them."""
    date = f"{issue.date.day} {MONTHS[issue.date.month - 1]} {issue.date.year}"
    number = [f"No. {issue.number}"] if issue.number else []
    return [one_line(site.publication.title), *number, date]
