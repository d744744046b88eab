"""`briefing build`: a new store replaces the old one whole, or not at all."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from service.store import Store, open_store
from tests.factories import ContentTree


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


def test_store_records_schema_version_and_build_time(
    content: ContentTree, build_store: Callable[[ContentTree], Store], store_path: Path
) -> None:
    content.issue("2011-01-12")
    store = build_store(content)
    assert store.built_at.tzinfo is not None
    with sqlite3.connect(store_path) as db:
        meta = dict(db.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == "3"
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
