"""How views mark a response as cacheable: the caching contract every blueprint follows."""

from __future__ import annotations

import datetime as dt

from flask import Response


def cacheable(response: Response, max_age: int, last_modified: dt.datetime) -> Response:
    """Public for max_age seconds, last modified when its newest content was.

    The response cache (service.cache) keeps such responses and adds the ETag, Vary,
    gzip and the answers to conditional requests.
    """
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.last_modified = last_modified
    return response


def not_cacheable(response: Response) -> Response:
    response.cache_control.no_store = True
    return response
