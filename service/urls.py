"""Where everything is, with no request needed: the public URLs, and the Site a document is
rendered from."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from service.model import Publication
from service.store import Store


@dataclass(frozen=True)
class Urls:
    """Every public URL, absolute, built from the base URL alone (never the request's Host)."""

    base: str

    def home(self) -> str:
        return f"{self.base}/"

    def issue(self, issue_id: str) -> str:
        return f"{self.base}/issues/{quote(issue_id)}"

    def article(self, issue_id: str, article_id: str) -> str:
        return f"{self.issue(issue_id)}#{quote(article_id)}"

    def tag(self, tag: str) -> str:
        return f"{self.base}/tags/{quote(tag)}"

    def page(self, path: str, **query: object) -> str:
        """Any other page or document of the site, e.g. page('/search', q='x')."""
        present = {key: value for key, value in query.items() if value is not None}
        return f"{self.base}{path}" + (f"?{urlencode(present)}" if present else "")

    def api_issue(self, issue_id: str) -> str:
        return f"{self.base}/api/v1/issues/{quote(issue_id)}"

    def api_article(self, issue_id: str, article_id: str) -> str:
        return f"{self.api_issue(issue_id)}/articles/{quote(article_id)}"

    def feed(self, name: str, extension: str) -> str:
        """A subscription feed: feed('issues', 'atom'), feed('tags/housing', 'rss')."""
        return f"{self.base}/feeds/{quote(name)}.{extension}"


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
