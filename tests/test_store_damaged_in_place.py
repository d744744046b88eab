"""A store damaged in place while it serves (a `cp` over it): 503s, never a 500, until a good
store is renamed into place. In process, through the response cache and every area's errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from service import create_app
from service.errors import StoreError
from service.store import Store, open_store
from tests.factories import ContentTree
from tests.storefaults import truncated_in_place

ISSUE = "2011-01-12"
BROWSER = {"Accept": "text/html,*/*;q=0.8"}
# An address in each area, with the media type of its errors.
AREAS = {
    f"/api/v1/issues/{ISSUE}": "application/problem+json",
    f"/issues/{ISSUE}": "text/html",
    "/feeds/articles.atom": "text/plain",
}
Build = Callable[[ContentTree], Store]


@pytest.fixture
def built(content: ContentTree, build_store: Build) -> ContentTree:
    content.issue(ISSUE)
    content.issue("2011-01-26")
    build_store(content).close()
    return content


def test_a_read_of_a_store_damaged_under_it_is_the_store_error_of_its_file(
    built: ContentTree, store_path: Path
) -> None:
    store = open_store(store_path)
    truncated_in_place(store_path)
    with pytest.raises(StoreError) as raised:
        store.issues()
    assert raised.value.path == str(store_path)
    assert raised.value.reason.startswith("damaged store (")


def serving(store_path: Path, check_interval: int) -> Flask:
    return create_app({"STORE": str(store_path), "STORE_CHECK_INTERVAL": check_interval})


@pytest.mark.parametrize(
    "check_interval", [0, 3600], ids=["seen by the file check", "found by a request's read"]
)
def test_every_area_answers_503_with_retry_after_in_its_format(
    built: ContentTree, store_path: Path, check_interval: int
) -> None:
    client = serving(store_path, check_interval).test_client()
    truncated_in_place(store_path)
    for path, media_type in AREAS.items():
        response = client.get(path, headers=BROWSER)
        assert response.status_code == 503, path
        assert response.mimetype == media_type, path
        assert int(response.headers["Retry-After"]) >= 1, path
        assert str(store_path.parent).encode() not in response.data, path


def test_the_api_problem_and_readyz_say_the_store_in_service_is_damaged(
    built: ContentTree, store_path: Path
) -> None:
    client = serving(store_path, 3600).test_client()
    truncated_in_place(store_path)
    problem = client.get(f"/api/v1/issues/{ISSUE}").json
    assert problem["status"] == 503
    assert problem["detail"].startswith("damaged store (")
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["reason"].startswith("the store in service changed in place: damaged store")


def test_the_error_page_keeps_the_publications_look(built: ContentTree, store_path: Path) -> None:
    client = serving(store_path, 0).test_client()
    truncated_in_place(store_path)
    page = client.get(f"/issues/{ISSUE}", headers=BROWSER)
    assert page.status_code == 503
    assert b"<title>Service Unavailable \xc2\xb7 Test Briefing</title>" in page.data


def test_kept_responses_are_not_served_while_no_store_is(
    built: ContentTree, store_path: Path
) -> None:
    client = serving(store_path, 0).test_client()
    assert client.get("/feeds/issues.atom").status_code == 200  # kept by the response cache
    truncated_in_place(store_path)
    assert client.get("/feeds/issues.atom").status_code == 503


def test_a_good_store_renamed_into_place_is_served_again(
    built: ContentTree, build_store: Build, store_path: Path
) -> None:
    client = serving(store_path, 0).test_client()
    truncated_in_place(store_path)
    assert client.get("/readyz").status_code == 503
    build_store(built).close()
    assert client.get("/readyz").status_code == 200
    for path in AREAS:
        assert client.get(path).status_code == 200, path
