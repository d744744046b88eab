"""Subscriber counts: read from hosted readers' User-Agents, kept by feed and reader in /metrics.

In process; tests/test_serving.py checks the counts across the workers of a real server.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from service.metrics import SubscriberCounts
from service.store import Store
from service.subscribers import PATTERNS, Report, reported
from tests.factories import ContentTree

DAY = 24 * 3600


def feedly(count: int) -> str:
    return f"Feedly/1.0 (+http://www.feedly.com/fetcher.html; {count} subscribers; )"


@pytest.mark.parametrize(
    ("user_agent", "report"),
    [
        # Publishers' access logs (allinurl/goaccess#2094, popey.com, Buttondown's docs).
        (
            "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 1 subscribers; "
            "like FeedFetcher-Google)",
            Report("Feedly", 1),
        ),
        (
            "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 134 subscribers; )",
            Report("Feedly", 134),
        ),
        ("Feedly/1.0 (poller; 131 subscribers;)", Report("Feedly", 131)),
        ("Feedly/1.0 (+https://feedly.com/fetcher.html; 1 subscriber)", Report("Feedly", 1)),
        # inoreader.com/feed-fetcher, and logs (allinurl/goaccess#1870, Buttondown's docs).
        (
            "Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 3 subscribers; )",
            Report("Inoreader", 3),
        ),
        ("Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)", Report("Inoreader", 114)),
        # NewsBlur's Feed.user_agent: the count, the feed's permalink, a browser's agent.
        (
            "NewsBlur Feed Fetcher - 27 subscribers - https://www.newsblur.com/site/7704055/"
            'rendezvous-with-cassidoo ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) '
            'AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.1 Safari/605.1.15")',
            Report("NewsBlur", 27, "7704055"),
        ),
        (
            "NewsBlur Feed Fetcher - 1 subscriber - https://www.newsblur.com/site/12/x (Mozilla)",
            Report("NewsBlur", 1, "12"),
        ),
        ("NewsBlur Feed Fetcher - 0 subscribers - https://newsblur.com", Report("NewsBlur", 0)),
        # Feedbin's crawler ("Feedbin feed-id:#{@feed_id} - #{@subscribers} subscribers"), and
        # the older form in feedbin/support's subscriber-statistics.md.
        ("Feedbin feed-id:1306543 - 3 subscribers", Report("Feedbin", 3, "1306543")),
        ("Feedbin - 1 subscribers", Report("Feedbin", 1)),
        # Logs (allinurl/goaccess#1870, Buttondown's docs).
        (
            "Mozilla/5.0 (compatible; theoldreader.com; 1 subscribers; "
            "feed-id=cead6c3a837650eeefd8fe4a)",
            Report("The Old Reader", 1, "cead6c3a837650eeefd8fe4a"),
        ),
        ("Mozilla/5.0 (compatible; theoldreader.com; 2 subscribers)", Report("The Old Reader", 2)),
        (
            "Mozilla/5.0 (compatible; BazQux/2.4; +https://bazqux.com/fetcher; 1 subscribers)",
            Report("BazQux", 1),
        ),
        (
            "Dreamwidth Studios (webmaster@dreamwidth.org; for "
            "https://www.dreamwidth.org/users/vikingschoice_feed/; 2 readers)",
            Report("Dreamwidth", 2, "vikingschoice_feed"),
        ),
    ],
)
def test_hosted_readers_report_their_subscribers(user_agent: str, report: Report) -> None:
    assert reported(user_agent) == report


@pytest.mark.parametrize(
    "user_agent",
    [
        "Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)",
        "Mozilla/5.0 (compatible; theoldreader.com)",
        "Feedspot/1.0 (+https://www.feedspot.com/fs/fetcher; like FeedFetcher-Google)",
        "Mozilla/5.0 (compatible; Miniflux/2.2.3; +https://miniflux.app)",
        "NetNewsWire (RSS Reader; https://netnewswire.com/)",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    ],
)
def test_readers_that_send_no_count_report_nothing(user_agent: str) -> None:
    assert reported(user_agent) is None


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Evil/1.0 (1000000 subscribers)",  # not a known reader: no label of its making
        " " + feedly(42),  # each form is read from the header's start
        "Mozilla/5.0 " + feedly(42),
        "feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; )",
        feedly(1234567890),  # more than nine digits
        "Feedly/1.0 (+http://www.feedly.com/fetcher.html; -4 subscribers; )",
        "Feedly/1.0 (+http://www.feedly.com/fetcher.html; \u0664\u0662 subscribers; )",
        "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42\x00 subscribers; )",
        "Feedly/1.0 (" + "(" * 5000 + "; 42 subscribers; )",
        "Feedly/1.0 (" + "x" * 101 + "; 42 subscribers; )",
        "Feedly/1.0 " + "(; " * 2700,
        "Feedbin feed-id:" + "1" * 8000 + " - 3 subscribers",
        "Mozilla/5.0 (compatible; theoldreader.com; " + "9" * 8000,
        "NewsBlur Feed Fetcher - " + " - " * 2700,
    ],
)
def test_other_user_agents_report_nothing(user_agent: str) -> None:
    assert reported(user_agent) is None


def test_no_form_reads_past_its_first_160_characters() -> None:
    """Bounded repeats only: what a crafted header costs does not grow with its length."""
    assert max(re._parser.parse(pattern.pattern).getwidth()[1] for _, pattern in PATTERNS) <= 160


def test_what_follows_a_report_changes_nothing() -> None:
    report = "Feedbin feed-id:1306543 - 3 subscribers"
    assert reported(report + "x" * 8000) == reported(report) == Report("Feedbin", 3, "1306543")


def test_a_feed_id_too_long_to_be_one_is_no_feed_id() -> None:
    newsblur = "NewsBlur Feed Fetcher - 5 subscribers - https://www.newsblur.com/site/"
    assert reported(newsblur + "1" * 13 + "/x") == Report("NewsBlur", 5)


def by_feed_and_fetcher(app: Flask, name: str) -> dict[tuple[str, str], float]:
    """/metrics' samples of name as {(feed, fetcher): value}."""
    text = app.test_client().get("/metrics").get_data(as_text=True)
    return {
        (sample.labels["feed"], sample.labels["fetcher"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def subscribers(app: Flask) -> dict[tuple[str, str], float]:
    return by_feed_and_fetcher(app, "briefing_feed_subscribers")


@pytest.fixture
def tagged(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    request: pytest.FixtureRequest,
) -> str:
    """A store whose one issue has a tag of this test's own, so that its feeds' counts (kept
    by every app of the process) are this test's alone: the tag's Atom feed's path."""
    tag = request.node.name.removeprefix("test_").replace("_", "-")[:50].strip("-")
    content.issue("2011-01-12", tags=[tag])
    content.issue("2011-01-26", tags=[tag])
    build_store(content)
    return f"/feeds/tags/{tag}.atom"


def test_a_fetched_feed_shows_the_subscribers_its_reader_reported(app: Flask, tagged: str) -> None:
    app.test_client().get(tagged, headers={"User-Agent": feedly(42)})
    assert subscribers(app)[tagged, "Feedly"] == 42


def test_each_report_replaces_the_one_before(app: Flask, tagged: str) -> None:
    client = app.test_client()
    for count in (42, 43, 41):
        client.get(tagged, headers={"User-Agent": feedly(count)})
        assert subscribers(app)[tagged, "Feedly"] == count


def test_answers_from_the_response_cache_and_304s_keep_reports(app: Flask, tagged: str) -> None:
    client = app.test_client()
    etag = client.get(tagged, headers={"User-Agent": feedly(42)}).headers["ETag"]
    assert subscribers(app)[tagged, "Feedly"] == 42
    client.get(tagged, headers={"User-Agent": feedly(43)})  # from the response cache
    assert subscribers(app)[tagged, "Feedly"] == 43
    revalidated = client.get(tagged, headers={"User-Agent": feedly(44), "If-None-Match": etag})
    assert revalidated.status_code == 304
    assert subscribers(app)[tagged, "Feedly"] == 44
    client.head(tagged, headers={"User-Agent": feedly(45)})
    assert subscribers(app)[tagged, "Feedly"] == 45


def test_each_feed_and_reader_has_its_own_count(app: Flask, tagged: str) -> None:
    client = app.test_client()
    rss = tagged.replace(".atom", ".rss")
    inoreader = "Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 3 subscribers; )"
    client.get(tagged, headers={"User-Agent": feedly(42)})
    client.get(rss, headers={"User-Agent": feedly(7)})
    client.get(tagged, headers={"User-Agent": inoreader})
    found = subscribers(app)
    assert (found[tagged, "Feedly"], found[rss, "Feedly"], found[tagged, "Inoreader"]) == (42, 7, 3)


def test_subscriptions_of_one_reader_add_up(app: Flask, tagged: str) -> None:
    client = app.test_client()
    for feedbin in ("feed-id:1306543 - 3", "feed-id:2000935 - 13", "feed-id:1306543 - 4"):
        client.get(tagged, headers={"User-Agent": f"Feedbin {feedbin} subscribers"})
    assert subscribers(app)[tagged, "Feedbin"] == 17


def test_a_subscription_not_reported_for_a_week_while_others_are_is_left_out(
    app: Flask, tagged: str
) -> None:
    now = [0.0]
    kept = SubscriberCounts(clock=lambda: now[0])
    kept.record(tagged, "Feedbin feed-id:1 - 3 subscribers")
    now[0] = 6 * DAY
    kept.record(tagged, "Feedbin feed-id:2 - 13 subscribers")
    assert subscribers(app)[tagged, "Feedbin"] == 16
    now[0] = 8 * DAY
    kept.record(tagged, "Feedbin feed-id:2 - 13 subscribers")
    assert subscribers(app)[tagged, "Feedbin"] == 13


def test_the_time_of_each_readers_last_report_is_shown(app: Flask, tagged: str) -> None:
    SubscriberCounts(clock=lambda: 1_700_000_000.0).record(tagged, feedly(42))
    assert subscribers(app)[tagged, "Feedly"] == 42
    last_reports = by_feed_and_fetcher(
        app, "briefing_feed_subscribers_last_report_timestamp_seconds"
    )
    assert last_reports[tagged, "Feedly"] == 1_700_000_000.0


def test_a_flood_of_made_up_subscriptions_keeps_only_so_many(app: Flask, tagged: str) -> None:
    kept = SubscriberCounts(kept=5)
    for feed_id in range(1, 1001):
        kept.record(tagged, f"Feedbin feed-id:{feed_id} - 1 subscribers")
    kept.record(tagged, "Feedbin feed-id:3 - 10 subscribers")  # one kept goes on being updated
    assert subscribers(app)[tagged, "Feedbin"] == 4 + 10


def test_the_feed_is_named_as_routed(app: Flask, tagged: str) -> None:
    answer = app.test_client().get(
        f"{tagged}?utm_source=x",
        headers={"User-Agent": feedly(42)},
        environ_overrides={"PATH_INFO": f"//{tagged}"},
    )
    assert answer.status_code == 200
    assert subscribers(app)[tagged, "Feedly"] == 42
    assert [feed for feed, _ in subscribers(app) if tagged in feed] == [tagged]


def test_only_feed_documents_that_exist_keep_reports(app: Flask, tagged: str) -> None:
    client = app.test_client()
    missing = tagged.replace(".atom", "-not-a-tag.atom")
    assert client.get(missing, headers={"User-Agent": feedly(42)}).status_code == 404
    assert client.get(tagged + "x", headers={"User-Agent": feedly(42)}).status_code == 404
    assert client.post(tagged, headers={"User-Agent": feedly(42)}).status_code == 405
    assert not [feed for feed, _ in subscribers(app) if tagged.removesuffix(".atom") in feed]


def test_pages_api_answers_and_archive_pages_keep_no_reports(
    app: Flask, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.publication(feed_size=1)
    content.issue("2011-01-12", tags=["archived-only"])
    content.issue("2011-01-26", tags=["archived-only"])
    build_store(content)
    client = app.test_client()
    paths = ["/feeds/tags/archived-only/archive/1.atom", "/tags/archived-only", "/api/v1/issues"]
    for path in paths:
        assert client.get(path, headers={"User-Agent": feedly(42)}).status_code == 200
    assert not [feed for feed, _ in subscribers(app) if feed in paths]


def test_a_feed_fetched_without_a_user_agent_is_answered(app: Flask, tagged: str) -> None:
    assert app.test_client().get(tagged, headers={"User-Agent": ""}).status_code == 200
