"""`briefing build`: a new store replaces the old one whole, or not at all."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import re
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

from service.content.demo import write_demo_content
from service.store import Store, open_store
from tests.factories import ContentTree
from tests.servers import BRIEFING


def test_build_reports_what_it_built(
    content: ContentTree, run_cli: Callable[..., Result], store_path: Path
) -> None:
    content.issue("2011-01-12", articles=2)
    content.issue("2011-01-26")
    result = run_cli("build", content.root, "--store", store_path)
    assert result.exit_code == 0, result.output
    version = open_store(store_path).content_version
    assert result.output.startswith(
        f"built {store_path}: 2 issue(s), 3 article(s), content version {version} ("
    )


def test_build_creates_the_store_folder(
    content: ContentTree, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    content.issue("2011-01-12")
    store = tmp_path / "deep" / "er" / "store.sqlite3"
    assert run_cli("build", content.root, "--store", store).exit_code == 0
    assert open_store(store).issue_count == 1


def test_failing_build_leaves_the_old_store_byte_identical(
    content: ContentTree, run_cli: Callable[..., Result], store_path: Path
) -> None:
    content.issue("2011-01-12")
    assert run_cli("build", content.root, "--store", store_path).exit_code == 0
    before = store_path.read_bytes()
    content.write("issues/2011-01-26/issue.toml", 'date = "not a date"\n')
    content.article("2011-01-26", "01-a.md", headline="A new article")

    result = run_cli("build", content.root, "--store", store_path)

    assert result.exit_code == 1
    assert "issues/2011-01-26/issue.toml:1: date: Not a valid date." in result.output
    assert result.output.endswith(f"{store_path} is unchanged.\n")
    assert store_path.read_bytes() == before
    assert sorted(p.name for p in store_path.parent.iterdir()) == [store_path.name]


def test_failure_while_writing_leaves_no_trace(
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    run_cli: Callable[..., Result],
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    before = store_path.read_bytes()

    def disk_full(path: Path, *_: object) -> str:
        path.write_bytes(b"half a store")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("service.build.write_store", disk_full)
    content.issue("2011-01-26")
    result = run_cli("build", content.root, "--store", store_path)
    assert result.exit_code == 1
    assert result.output == (
        f"{store_path}: cannot write the new store ([Errno 28] No space left on device);"
        " it is unchanged.\n"
    )
    assert store_path.read_bytes() == before
    assert sorted(p.name for p in store_path.parent.iterdir()) == [store_path.name]


def test_what_a_build_killed_while_writing_leaves_is_cleared_by_the_next(
    content: ContentTree, run_cli: Callable[..., Result], store_path: Path, tmp_path: Path
) -> None:
    content.issue("2011-01-12")
    assert run_cli("build", content.root, "--store", store_path).exit_code == 0
    write_demo_content(tmp_path / "demo", issues=300)
    demo = [BRIEFING, "build", tmp_path / "demo", "--store", store_path, "--allow-removals"]
    build = subprocess.Popen(demo)
    while build.poll() is None and len(list(store_path.parent.iterdir())) == 1:
        time.sleep(0.001)  # until it has begun writing beside the store
    build.kill()
    build.wait()
    assert len(list(store_path.parent.iterdir())) == 2
    assert run_cli("build", content.root, "--store", store_path).exit_code == 0
    assert sorted(p.name for p in store_path.parent.iterdir()) == [store_path.name]
    assert open_store(store_path).issue_count == 1


def test_a_second_build_at_once_is_refused_and_changes_nothing(
    content: ContentTree, run_cli: Callable[..., Result], store_path: Path
) -> None:
    content.issue("2011-01-12")
    assert run_cli("build", content.root, "--store", store_path).exit_code == 0
    before = store_path.read_bytes()
    writing = store_path.with_name(f".{store_path.name}.tmp")
    with open(writing, "wb") as first_build:
        fcntl.flock(first_build, fcntl.LOCK_EX)
        first_build.write(b"half a store")
        content.issue("2011-01-26")
        result = run_cli("build", content.root, "--store", store_path)
    assert result.exit_code == 1
    assert result.output == (
        f"{store_path}: cannot write the new store ([Errno 11] another build is writing it:"
        f" '{writing}'); it is unchanged.\n"
    )
    assert store_path.read_bytes() == before
    assert writing.read_bytes() == b"half a store"


def test_reader_opened_before_a_rebuild_keeps_working(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12")
    old = build_store(content)
    content.issue("2011-01-26")
    new = build_store(content)
    assert [i.id for i in old.issues().items] == ["2011-01-12"]
    assert old.search("Article").total == 1
    assert [i.id for i in new.issues().items] == ["2011-01-26", "2011-01-12"]
    assert new.content_version != old.content_version


def test_identical_content_gives_the_same_content_version(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12")
    first = build_store(content).content_version
    assert build_store(content).content_version == first


def test_any_change_changes_the_content_version(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12")
    first = build_store(content).content_version
    content.article("2011-01-12", "01-article.md", headline="Article 1 of 2011-01-12", body="Now.")
    assert build_store(content).content_version != first


def test_store_counts_each_word_of_the_search_index(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    """How many articles have each word and how often it occurs: what a search for it costs."""
    content.issue("2011-01-12", articles=0)
    content.article(
        "2011-01-12", "01-a.md", headline="Grants", standfirst="Grants.", body="Grants, halls."
    )
    content.article("2011-01-12", "02-b.md", headline="Halls", standfirst="News.", body="Halls.")
    build_store(content)
    with contextlib.closing(sqlite3.connect(store_path)) as db:
        rows = db.execute(
            "SELECT word, articles, occurrences FROM index_words WHERE word IN ('grant', 'hall')"
        ).fetchall()
    assert sorted(rows) == [("grant", 1, 3), ("hall", 2, 3)]


def test_store_records_schema_version_and_build_time(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    content.issue("2011-01-12")
    store = build_store(content)
    assert store.built_at.tzinfo is not None
    with sqlite3.connect(store_path) as db:
        meta = dict(db.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == "7"
    assert meta["content_version"] == store.content_version


def test_article_tags_are_its_own_then_its_issues(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", articles=0, tags=["localism", "funding"])
    content.article("2011-01-12", "01-a.md", headline="A", tags=["funding", "housing"])
    article = build_store(content).issue("2011-01-12").articles[0]
    assert article.tags == ("funding", "housing", "localism")


def test_markdown_is_rendered_and_sanitised(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", articles=0)
    body = (
        "Intro with *emphasis* and a [link](https://example.org/report).\n\n"
        "## A section\n\n"
        "<script>alert(1)</script> [bad](javascript:alert(1))"
        ' ![x](https://example.org/x.png "t")\n'
    )
    content.article("2011-01-12", "01-a.md", headline="A", body=body)
    article = build_store(content).issue("2011-01-12").articles[0]
    assert article.body_html == (
        '<p>Intro with <em>emphasis</em> and a <a href="https://example.org/report"'
        ' rel="noopener noreferrer">link</a>.</p>\n'
        "<h2>A section</h2>\n"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; [bad](javascript:alert(1))"
        ' <img src="https://example.org/x.png" alt="x" title="t"></p>\n'
    )
    assert article.body_text == (
        "Intro with emphasis and a link.\n\nA section\n\n"
        "<script>alert(1)</script> [bad](javascript:alert(1)) x"
    )
    assert article.headings == ("A section",)


def article(front_matter: str = "", body: str = "") -> str:
    return f"---\nheadline: H\nstandfirst: S\n{front_matter}---\n{body}"


TAGS = ", ".join(f"t{index}" for index in range(10_000))
LAUGHS = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9))
REFUSED = {
    "invalid-utf8": b"---\nheadline: caf\xe9\nstandfirst: S\n---\n",
    "nul": article(body="Body\x00\n"),
    "escaped-nul": article('colour: "\\0"\n'),
    "noncharacter": article(body="Body \uffff\n"),
    "right-to-left-override": "---\nheadline: Invoice \u202egpj.exe\nstandfirst: S\n---\n",
    "ten-thousand-tags": article(f"tags: [{TAGS}]\n"),
    "nested-quotes": article(body=">" * 10_000 + " deep\n"),
    "python-tag": article("colour: !!python/object/apply:os.system [touch pwned]\n"),
    "billion-laughs": article("l0: &l0 [lol, lol]\n" + LAUGHS),
    "nested-front-matter": article("colour: " + "[" * 10_000 + "]" * 10_000 + "\n"),
    "larger-than-the-limit": article(body="word " * 500_000),
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_refused_content_leaves_the_old_store_in_service(
    text: str | bytes,
    content: ContentTree,
    build_store: Callable[[ContentTree], Store],
    run_cli: Callable[..., Result],
    store_path: Path,
) -> None:
    content.issue("2011-01-12")
    build_store(content)
    before = store_path.read_bytes()
    content.write("issues/2011-01-26/issue.toml", "date = 2011-01-26\n")
    article = content.write("issues/2011-01-26/01-a.md", text)

    result = run_cli("build", content.root, "--store", store_path)

    assert result.exit_code == 1
    assert re.fullmatch(
        rf"{re.escape(str(article))}:\d+: [\w .]+: \S.*", result.output.split("\n")[0]
    )
    assert result.output.endswith(f"1 error(s); nothing was built.\n{store_path} is unchanged.\n")
    assert store_path.read_bytes() == before
    assert sorted(p.name for p in store_path.parent.iterdir()) == [store_path.name]


def every_file(tree: ContentTree) -> list[Path]:
    return sorted(path for path in tree.root.rglob("*") if path.is_file())


def sample_issue(tree: ContentTree) -> None:
    """An issue with multi-line values in both formats and a body of several blocks."""
    tree.write(
        "issues/2011-01-12/issue.toml",
        'date = 2011-01-12\ntitle = """A title\nover two lines"""\ntags = ["localism"]\n',
    )
    tree.write(
        "issues/2011-01-12/01-a.md",
        "---\nheadline: Grants\nstandfirst: >\n  Folded\n  over lines.\nsources:\n"
        "- title: Report\n  url: https://example.org/r\n---\n\nIntro *here*.\n\n"
        "## Section\n\n- one\n- two\n\n    code\n\n> quoted\n> twice\n",
    )


@pytest.mark.parametrize("line_end", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_windows_and_old_mac_line_ends_build_identically(
    line_end: str, content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    sample_issue(content)
    unix = build_store(content).content_version
    for path in every_file(content):
        path.write_bytes(path.read_bytes().replace(b"\n", line_end.encode()))
    assert build_store(content).content_version == unix


def test_byte_order_mark_builds_as_if_absent(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    sample_issue(content)
    without = build_store(content)
    for path in every_file(content):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with_mark = build_store(content)
    assert with_mark.content_version == without.content_version
    assert with_mark.publication.title == "Test Briefing"


def test_megabyte_article_builds_whole(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", articles=0)
    paragraphs = [
        f"Paragraph {n} has *emphasis*, a [link](https://example.org/{n}) and `code`."
        for n in range(14_000)
    ]
    body = "\n\n".join(paragraphs)
    assert len(body.encode()) > 1_000_000
    content.article("2011-01-12", "01-a.md", headline="Long", body=body)
    article = build_store(content).issue("2011-01-12").articles[0]
    assert article.body_text.split("\n\n")[-1] == "Paragraph 13999 has emphasis, a link and code."
    assert article.body_html.count("<p>") == 14_000


def test_deeply_nested_inline_markdown_builds(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", articles=0)
    nested = [
        "*" * 10_000 + "emphasised" + "*" * 10_000,
        "[" * 10_000 + "bracketed" + "]" * 10_000,
        "![" * 10_000 + "pictured" + "](https://example.org/i.png)" * 10_000,
        "\n".join(">" * depth + " quoted" for depth in range(19)),
        "\n".join("  " * depth + "- listed" for depth in range(9)),
    ]
    content.article("2011-01-12", "01-a.md", headline="Deep", body="\n\n".join(nested))
    article = build_store(content).issue("2011-01-12").articles[0]
    assert "emphasised" in article.body_text and "bracketed" in article.body_text
    assert 'alt="pictured' in article.body_html
    assert article.body_text.count("quoted") == 19 and article.body_text.count("listed") == 9


def test_right_to_left_overrides_stay_in_the_body(
    content: ContentTree, build_store: Callable[[ContentTree], Store]
) -> None:
    content.issue("2011-01-12", articles=0)
    quotation = "\u202eolleh\u202c and \u2067مرحبا\u2069"
    content.article("2011-01-12", "01-a.md", headline="H", body=f"They said: {quotation}.")
    article = build_store(content).issue("2011-01-12").articles[0]
    assert article.body_text == f"They said: {quotation}."
    assert f"<p>They said: {quotation}.</p>" in article.body_html


def test_dates_at_the_ends_of_the_publishing_years_build_and_are_served(
    content: ContentTree, build_store: Callable[[ContentTree], Store], app: Flask
) -> None:
    content.issue(
        "1900-01-01", tags=["edge"], updated=dt.datetime.fromisoformat("1900-01-01T00:00-23:00")
    )
    content.issue(
        "2999-12-31", tags=["edge"], updated=dt.datetime.fromisoformat("2999-12-31T23:59+23:00")
    )
    build_store(content)
    client = app.test_client()
    for issue_id in ("1900-01-01", "2999-12-31"):
        assert client.get(f"/issues/{issue_id}").status_code == 200
        assert client.get(f"/api/v1/issues/{issue_id}").status_code == 200
    for name in ("issues", "articles", "tags/edge"):
        for extension in ("atom", "rss", "json"):
            assert client.get(f"/feeds/{name}.{extension}").status_code == 200
    assert b"<id>tag:briefing.test,1900:feed/issues</id>" in client.get("/feeds/issues.atom").data
    rss = client.get("/feeds/issues.rss").data
    assert b"<pubDate>Mon, 01 Jan 1900 00:00:00 +0000</pubDate>" in rss
    assert b"<pubDate>Tue, 31 Dec 2999 00:00:00 +0000</pubDate>" in rss
