"""The formats every feed comes in, in one table: the feeds' routes and writing, the pages'
autodiscovery links and feed lists, and WebSub's changed feeds all read it."""

from __future__ import annotations

from service.feeds.atom_rss import render_atom, render_rss
from service.feeds.jsonfeed import render_json
from service.feeds.model import FeedFormat

FORMATS = (
    FeedFormat("atom", "application/atom+xml", "Atom", render_atom),
    FeedFormat("rss", "application/rss+xml", "RSS", render_rss),
    FeedFormat("json", "application/feed+json", "JSON Feed", render_json),
)
BY_EXTENSION = {feed_format.extension: feed_format for feed_format in FORMATS}
EXTENSIONS = tuple(BY_EXTENSION)
