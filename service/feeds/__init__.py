"""The feeds area: the briefing's feeds as Atom, RSS 2.0 and JSON Feed documents under /feeds/.

`routes` serves them; `catalogue` says which feeds there are (every issue, every article, the
articles of a tag); `model` describes a feed by its hooks and pages it into documents;
`formats` is the table of formats, whose writers are `atom_rss` and `jsonfeed`.
"""

from __future__ import annotations

from flask import Flask

from service import http_errors
from service.feeds.routes import PageNumber, blueprint


def init_app(app: Flask) -> None:
    app.url_map.converters["page"] = PageNumber
    app.register_blueprint(blueprint)
    http_errors.register(app, "/feeds/", http_errors.plain_text)
