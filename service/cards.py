"""What a partner site pastes to show the briefing: a card's address and the frame that holds it.

The same frame is the `html` of every oEmbed answer (service.oembed) and the snippet that
/subscribe shows; the cards themselves are service.embeds.
"""

from __future__ import annotations

from urllib.parse import quote

from markupsafe import escape

from service.urls import Urls

# The size a card is drawn for, in pixels, when a partner asks for no smaller: wide enough for
# a headline a line, high enough for the lead standfirst; the rest scrolls inside the card.
WIDTH = 480
HEIGHT = 360
# A card needs no script and reads nothing of the page around it; its links open a new tab,
# where the briefing is itself again (no sandbox).
SANDBOX = "allow-popups allow-popups-to-escape-sandbox"


def card_url(urls: Urls, issue_id: str | None = None) -> str:
    """The card of an issue; without one, the card of whichever issue is the latest."""
    if issue_id is None:
        return urls.page("/embed/latest")
    return urls.page(f"/embed/issues/{quote(issue_id)}")


def card_frame(src: str, title: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The <iframe> that shows the card at src, named by title for screen readers."""
    return (
        f'<iframe src="{escape(src)}" width="{width}" height="{height}"'
        f' title="{escape(title)}" sandbox="{SANDBOX}" style="border:0"></iframe>'
    )
