"""Public URLs: each id, slug or tag quoted as a path segment, exactly as urllib quotes it."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from service.urls import Urls, segment


@given(st.text())
def test_a_segment_is_quoted_as_urllib_quotes_it(text: str) -> None:
    assert segment(text) == quote(text)


def test_ids_are_their_own_quoting_and_anything_else_is_quoted() -> None:
    urls = Urls("https://example.org")
    assert urls.article("2011-01-12", "big-society") == (
        "https://example.org/issues/2011-01-12#big-society"
    )
    assert urls.tag("café au lait") == "https://example.org/tags/caf%C3%A9%20au%20lait"
    assert urls.feed("tags/housing", "atom") == "https://example.org/feeds/tags/housing.atom"
