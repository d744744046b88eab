"""Running a WSGI app under gunicorn: the only module that knows gunicorn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn with the settings below; each worker loads its own app."""

    def __init__(self, load_app: Callable[[], Any], settings: dict[str, Any]) -> None:
        self.load_app = load_app
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.load_app()


def serve(load_app: Callable[[], Any], bind: str, workers: int) -> None:
    """Serve until stopped. The benchmark's baselines run through here too, so they get
    exactly the service's settings."""
    settings = {
        "bind": [bind],
        "workers": workers,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "briefing",
        "graceful_timeout": 10,
        # Deliberate: every API string's maxLength keeps the longest valid request line
        # (q of 200 four-byte characters, every other string at its maximum) inside it.
        "limit_request_line": 4094,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        # One fixed socket path per user would make a second instance on the machine clash.
        "control_socket_disable": True,
    }
    Server(load_app, settings).run()
