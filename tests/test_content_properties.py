"""Any content, however broken, is loaded as valid issues or refused as content errors.

Whatever stands in publication.toml, issue.toml, an article or an emailed briefing, the loader
and `import-text` answer with issues or with ContentErrors, each error one line of
`file:line: field: message`, and never raise anything else. What loads builds, and what is
built is served without a server error.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tomli_w
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import create_app
from service.build import build
from service.content.loader import Content, load_content
from service.content.textimport import import_briefing
from service.content.writer import write_issue
from service.errors import ContentErrors
from tests.factories import PUBLICATION

ISSUE = "2011-01-12"
ISSUE_FILE = f"issues/{ISSUE}/issue.toml"
ARTICLE_FILE = f"issues/{ISSUE}/01-a.md"
ISSUE_FIELDS = {"date": dt.date(2011, 1, 12), "title": "Title", "tags": ["policy"]}
ARTICLE_FIELDS = {
    "headline": "Headline",
    "standfirst": "Standfirst.",
    "id": "article",
    "tags": ["housing"],
    "sources": [{"title": "Report", "url": "https://example.org/report"}],
    "authors": [{"name": "Ada", "email": "ada@example.org", "url": "https://example.org/ada"}],
}
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SERVED = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ERROR_LINE = re.compile(r"[^\n]+:[1-9][0-9]*: [^\n]+: [^\n]+")


def mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """usual nine times in ten: enough trees load to build and serve, and the rest do not."""
    return st.integers(0, 9).flatmap(lambda draw: odd if draw == 9 else usual)


# Characters that have broken parsers, XML or terminals, among any that UTF-8 can carry.
AWKWARD = st.sampled_from(list("\x00\x07\x1b\r\n\x85\u2028\u202e\u2066\ufeff\ufffe\uffff"))
ANY_TEXT = st.text(AWKWARD | st.characters(codec="utf-8"), max_size=40)
PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
WORDS = st.text(PRINTABLE, min_size=1, max_size=40)
MARKDOWN = st.text(
    st.sampled_from(list("#*_[]()<>!`~-+=|.:/\\&;\n\t >1xé\u202e\u200f")) | PRINTABLE, max_size=200
)
SLUGS = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
URLS = mostly(
    WORDS.map(lambda path: f"https://example.org/{path}"),
    st.sampled_from(["javascript:alert(1)", "/relative", "", "https://example.org/#x"]) | ANY_TEXT,
)
ZONES = st.integers(-1439, 1439).map(lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)))
SCALARS = ANY_TEXT | st.integers() | st.floats() | st.booleans() | st.dates() | st.datetimes()
TEXT = mostly(WORDS, SCALARS)


def files(
    publication: dict[str, Any] | None = None,
    issue: dict[str, Any] | None = None,
    article: dict[str, Any] | None = None,
    body: str = "Body.",
) -> dict[str, bytes]:
    """A tree's files: the valid one, or one made of these fields."""
    front_matter = yaml.safe_dump(ARTICLE_FIELDS if article is None else article)
    return {
        "publication.toml": tomli_w.dumps(
            PUBLICATION if publication is None else publication
        ).encode(),
        ISSUE_FILE: tomli_w.dumps(ISSUE_FIELDS if issue is None else issue).encode(),
        ARTICLE_FILE: f"---\n{front_matter}---\n{body}".encode(),
    }


VALID = files()


def write_tree(root: Path, tree: dict[str, bytes]) -> None:
    for relative, data in tree.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def load_or_refuse(root: Path) -> Content | None:
    """The content loaded, or None once every error is checked to be one located line."""
    try:
        return load_content(root)
    except ContentErrors as errors:
        assert errors.errors
        for error in errors.errors:
            assert error.path.startswith(str(root)), error
            assert ERROR_LINE.fullmatch(str(error)), error
        return None


def assert_served(tree: dict[str, bytes]) -> None:
    """Load the tree; what loads must build, and every document of it must be served."""
    with tempfile.TemporaryDirectory() as folder:
        root, store = Path(folder) / "content", Path(folder) / "store.sqlite3"
        write_tree(root, tree)
        content = load_or_refuse(root)
        if content is None:
            return
        build(root, store)
        app = create_app({"TESTING": True, "STORE": str(store), "STORE_CHECK_INTERVAL": 0})
        client = app.test_client()
        for path in outputs(content):
            assert client.get(path).status_code == 200, path


def outputs(content: Content) -> Iterator[str]:
    """Every document a reader could ask for about the content."""
    yield from ("/", "/subscribe", "/search?q=a", "/api/v1/issues", "/api/v1/articles")
    for name in ("issues", "articles"):
        yield from (f"/feeds/{name}.{ext}" for ext in ("atom", "rss", "json"))
    for issue in content.issues:
        yield from (f"/issues/{issue.id}", f"/api/v1/issues/{issue.id}")
        for article in issue.articles:
            yield f"/api/v1/issues/{issue.id}/articles/{article.id}"
            for tag in {*article.tags, *issue.tags}:
                yield from (
                    f"/tags/{tag}",
                    *(f"/feeds/tags/{tag}.{ext}" for ext in ("atom", "rss", "json")),
                )


BROKEN_BYTES = (
    st.binary(max_size=200)
    | ANY_TEXT.map(str.encode)
    | st.builds(lambda front, body: f"---\n{front}\n---\n{body}".encode(), ANY_TEXT, MARKDOWN)
    | st.builds(
        lambda valid, cut: valid[:cut], st.sampled_from(list(VALID.values())), st.integers(0, 80)
    )
)


@QUICK
@given(name=st.sampled_from(list(VALID)), data=BROKEN_BYTES)
def test_any_bytes_in_any_file_load_or_are_refused(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_tree(Path(folder), {**VALID, name: data})
        content = load_or_refuse(Path(folder))
        assert content is None or [issue.id for issue in content.issues] == [ISSUE]


def with_text(field: str, text: str) -> dict[str, bytes]:
    """The valid tree with one field, or the body, holding text."""
    file, _, key = field.partition(":")
    fields = {"publication": PUBLICATION, "issue": ISSUE_FIELDS, "article": ARTICLE_FIELDS}
    if file == "body":
        return files(body=text)
    changed = replaced(fields[file], key.split("."), text)
    return files(**{file: changed})


def replaced(fields: Any, keys: list[str], value: Any) -> Any:
    """A copy of nested fields with the value at the path of keys (a digit an index) replaced."""
    if not keys:
        return value
    key, *rest = keys
    if isinstance(fields, list):
        return [
            replaced(item, rest, value) if i == int(key) else item for i, item in enumerate(fields)
        ]
    return {**fields, key: replaced(fields.get(key), rest, value)}


PUBLICATION_KEYS = "title subtitle rights language base_url tag_authority icon logo hub"
ARTICLE_KEYS = "headline standfirst id tags.0 sources.0.title sources.0.url"
PERSON_KEYS = ("name", "email", "url")
TEXT_FIELDS = [
    *(f"publication:{key}" for key in PUBLICATION_KEYS.split()),
    *(f"publication:author.{key}" for key in PERSON_KEYS),
    "issue:title",
    "issue:tags.0",
    *(f"article:{key}" for key in ARTICLE_KEYS.split()),
    *(f"article:authors.0.{key}" for key in PERSON_KEYS),
    "body",
]


@SERVED
@given(field=st.sampled_from(TEXT_FIELDS), text=ANY_TEXT | MARKDOWN)
def test_any_text_in_any_field_is_refused_or_served(field: str, text: str) -> None:
    assert_served(with_text(field, text))


STRUCTURED = st.builds(
    files,
    publication=st.fixed_dictionaries(
        {},
        optional={
            "title": TEXT,
            "language": mostly(st.sampled_from(["en", "cy-GB"]), ANY_TEXT),
            "feed_size": mostly(st.integers(1, 100), st.integers()),
            "author": st.fixed_dictionaries({"name": TEXT}, optional={"email": st.emails() | TEXT}),
        },
    ).map(lambda fields: {**PUBLICATION, **fields}),
    issue=st.fixed_dictionaries(
        {"date": mostly(st.just(dt.date(2011, 1, 12)), st.dates() | st.datetimes())},
        optional={
            "number": mostly(st.integers(1, 1000), st.integers(min_value=-5, max_value=2**70)),
            "title": TEXT,
            "tags": st.lists(mostly(SLUGS, ANY_TEXT), max_size=4),
            "updated": st.datetimes(timezones=ZONES),
        },
    ),
    article=st.fixed_dictionaries(
        {"headline": TEXT, "standfirst": TEXT},
        optional={
            "id": mostly(SLUGS, ANY_TEXT),
            "tags": st.lists(mostly(SLUGS, ANY_TEXT), max_size=4),
            "sources": st.lists(st.fixed_dictionaries({"title": TEXT, "url": URLS}), max_size=2),
            "colour": SCALARS,  # an unknown field
        },
    ),
    body=MARKDOWN,
)


@SERVED
@given(tree=STRUCTURED)
def test_any_values_of_any_type_are_refused_or_served(tree: dict[str, bytes]) -> None:
    assert_served(tree)


EMAILED = mostly(
    st.builds(
        lambda request, date, lines: "\n".join([*request, date, *lines]).encode(),
        st.lists(st.just("Please send me the briefing") | WORDS, max_size=1),
        st.sampled_from(["January 12, 2011", "12 January 2011", "Wednesday, January 12, 2011"]),
        st.lists(
            mostly(WORDS, st.just("") | MARKDOWN | ANY_TEXT | st.just("HEAD – x")), max_size=8
        ),
    ),
    BROKEN_BYTES,
)


@QUICK
@given(data=EMAILED)
def test_any_emailed_text_imports_as_a_valid_issue_or_is_refused(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root, emailed = Path(folder) / "content", Path(folder) / "briefing.txt"
        emailed.write_bytes(data)
        try:
            imported = import_briefing(emailed)
        except ContentErrors as errors:
            assert all(ERROR_LINE.fullmatch(str(error)) for error in errors.errors), errors.errors
            return
        assert all(ERROR_LINE.fullmatch(str(warning)) for warning in imported.warnings)
        write_tree(root, {"publication.toml": VALID["publication.toml"]})
        write_issue(root, imported.issue)
        assert load_or_refuse(root) is not None, "an imported issue passes `briefing check`"
