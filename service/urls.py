"""Where everything is, with no request needed: the public URLs, and the Site a document is
rendered from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from service.model import Publication
from service.store import Store

# What quote() leaves as it is: every id, slug and tag the store holds is made of these.
UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def segment(text: str) -> str:
    """The text quoted for a URL path; an id is its own quoting, and a list links hundreds."""
    return text if UNRESERVED.fullmatch(text) else quote(text)


@dataclass(frozen=True)
class Urls:
    """Every public URL, absolute, built from the base URL alone (never the request's Host)."""

    base: str

    def home(self) -> str:
        return f"{self.base}/"

    def issue(self, issue_id: str) -> str:
        return f"{self.base}/issues/{segment(issue_id)}"

    def article(self, issue_id: str, article_id: str) -> str:
        return f"{self.issue(issue_id)}#{segment(article_id)}"

    def tag(self, tag: str) -> str:
        return f"{self.base}/tags/{segment(tag)}"

    def page(self, path: str, **query: object) -> str:
        """Any other page or document of the site, e.g. page('/search', q='x')."""
        present = {key: value for key, value in query.items() if value is not None}
        return f"{self.base}{path}" + (f"?{urlencode(present)}" if present else "")

    def api_issue(self, issue_id: str) -> str:
        return f"{self.base}/api/v1/issues/{segment(issue_id)}"

    def api_article(self, issue_id: str, article_id: str) -> str:
        return f"{self.api_issue(issue_id)}/articles/{segment(article_id)}"

    def feed(self, name: str, extension: str) -> str:
        """A subscription feed: feed('issues', 'atom'), feed('tags/housing', 'rss')."""
        return f"{self.base}/feeds/{segment(name)}.{extension}"


@dataclass(frozen=True)
class Site:
    """What a document is rendered from: a store, its publication as shown, and its URLs."""

    store: Store
    publication: Publication
    urls: Urls

    @classmethod
    def of(cls, store: Store, publication: Publication) -> Site:
        """The site of a publication, its URLs built from its base_url."""
        return cls(store, publication, Urls(publication.base_url))
