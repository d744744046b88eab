"""What an issue page says of itself in schema.org terms, as JSON-LD: the periodical, its
publisher, the issue, and each article as a NewsArticle, for search engines and social sites.

Each node names the others by `@id` (their URLs, and the home page's `#periodical` and
`#publisher`), and the publisher is written out whole wherever it is named, for readers that
follow no `@id`. The block is data, not script: the pages' policy runs none, and it needs none.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from service.model import Article, Issue, Person, Publication
from service.urls import Urls

Node = dict[str, Any]
# What could end the <script> element or open a comment in it, written as JSON escapes.
HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def issue_graph(publication: Publication, urls: Urls, issue: Issue, logo: str) -> Node:
    """The issue page's graph: the periodical, the issue and its articles; logo is an absolute
    URL of the publication's logo (or icon)."""
    publisher = publisher_node(publication, urls, logo)
    periodical: Node = {
        "@type": "Periodical",
        "@id": f"{urls.home()}#periodical",
        "name": publication.title,
        "description": publication.subtitle,
        "url": urls.home(),
        "inLanguage": publication.language,
        "publisher": publisher,
    }
    return {
        "@context": "https://schema.org",
        "@graph": [
            periodical,
            issue_node(publication, urls, issue, periodical),
            *(
                article_node(publication, urls, issue, article, publisher)
                for article in issue.articles
            ),
        ],
    }


def publisher_node(publication: Publication, urls: Urls, logo: str) -> Node:
    """The publication's author, who publishes it, with the logo search engines show for it."""
    return {
        "@type": "Organization",
        "@id": f"{urls.home()}#publisher",
        "name": publication.author.name,
        "url": publication.author.url or urls.home(),
        "logo": {"@type": "ImageObject", "url": logo},
    }


def issue_node(publication: Publication, urls: Urls, issue: Issue, periodical: Node) -> Node:
    node: Node = {
        "@type": "PublicationIssue",
        "@id": urls.issue(issue.id),
        "url": urls.issue(issue.id),
        "name": issue.title,
        "datePublished": issue.published.isoformat(),
        "dateModified": issue.updated.isoformat(),
        "inLanguage": publication.language,
        "isPartOf": {"@id": periodical["@id"]},
        "hasPart": [{"@id": urls.article(issue.id, article.id)} for article in issue.articles],
    }
    if issue.number is not None:
        node["issueNumber"] = issue.number
    return node


def article_node(
    publication: Publication, urls: Urls, issue: Issue, article: Article, publisher: Node
) -> Node:
    """An article: published with its issue, modified by its latest correction, written by its
    authors or else by the publication's author."""
    url = urls.article(issue.id, article.id)
    return {
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": article.headline,
        "description": article.standfirst,
        "datePublished": issue.published.isoformat(),
        "dateModified": article.updated.isoformat(),
        "inLanguage": publication.language,
        "author": [person_node(author) for author in article.authors] or [publisher],
        "publisher": publisher,
        "isPartOf": {"@id": urls.issue(issue.id)},
        "keywords": list(article.tags),
    }


def person_node(author: Person) -> Node:
    """An article's author, by name and, when given, URL (never the email address)."""
    node: Node = {"@type": "Person", "name": author.name}
    if author.url:
        node["url"] = author.url
    return node


def script_text(graph: Node) -> Markup:
    """The graph as the text of a <script type="application/ld+json">: JSON in which no `<`,
    `>` or `&` appears, so that no text of the content can close the element."""
    return Markup(json.dumps(graph, ensure_ascii=False).translate(HTML_SAFE))
