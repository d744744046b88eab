"""Liveness and readiness, for process supervisors and load balancers."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from service.errors import StoreUnavailable
from service.live import current_store, live_store
from service.responses import not_cacheable

blueprint = Blueprint("ops", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process is alive and answering."""
    return not_cacheable(jsonify(status="ok"))


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready while a good store is open; its content version tells which one."""
    try:
        store = current_store()
    except StoreUnavailable as exc:
        return not_cacheable(jsonify(status="unavailable", reason=exc.reason)), 503
    body = {
        "status": "ready",
        "content_version": store.content_version,
        "built_at": store.built_at.isoformat(),
        "issues": store.issue_count,
    }
    if problem := live_store().problem:
        body["warning"] = f"{problem}; serving the last good store"
    return not_cacheable(jsonify(body)), 200
