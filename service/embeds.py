"""Cards for partner sites to frame: the latest issue, or any one, small and self-contained.

    /embed/latest               the newest issue's card: it changes with each new issue
    /embed/issues/<issue-id>    one issue's card; `#<article-id>` brings that article to the top

A card is the issue's headline, date and standfirsts, with links out to the issue and to
/subscribe, each opening a new tab. No script; its one stylesheet comes from this site. Cards
are the only documents any site may frame (CARD_POLICY); every other page forbids it.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, Response, abort, render_template

from service.model import IssueSummary, Query
from service.pages import asset_url
from service.request import current_site
from service.responses import cacheable
from service.urls import Site

blueprint = Blueprint("embeds", __name__, url_prefix="/embed")
# The pages' policy (service.responses), but for frame-ancestors: any site may frame a card.
CARD_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' https:; frame-ancestors *;"
    " base-uri 'none'; form-action 'none'"
)


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)


@blueprint.get("/latest")
def latest() -> Response:
    site = current_site()
    newest = site.store.issues(Query(per_page=1)).items or abort(404)
    return card(site, newest[0], site.store.last_updated)


@blueprint.get("/issues/<issue_id>")
def issue(issue_id: str) -> Response:
    site = current_site()
    shown = site.store.issue(issue_id)
    return card(site, shown, shown.updated)


def card(site: Site, issue: IssueSummary, last_modified: dt.datetime) -> Response:
    html = render_template(
        "embed.html",
        publication=site.publication,
        urls=site.urls,
        issue=issue,
        stylesheet=asset_url(site.urls, "embed.css"),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CARD_POLICY
    return cacheable(response, last_modified, ignores_query=True)
