"""Subscriber counts: read from hosted readers' User-Agents."""

from __future__ import annotations

import re

import pytest

from service.subscribers import PATTERNS, Report, reported


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
