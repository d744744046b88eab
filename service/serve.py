"""Running the app under gunicorn: the only module that knows gunicorn."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from service import create_app


class BriefingServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with settings from the command line; each worker builds its own app."""

    def __init__(self, app_config: dict[str, Any], settings: dict[str, Any]) -> None:
        self.app_config = app_config
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app(self.app_config)


def serve(store: str, bind: str, workers: int) -> None:
    settings = {
        "bind": [bind],
        "workers": workers,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "briefing",
        "graceful_timeout": 10,
        # One fixed socket path per user would make a second instance on the machine clash.
        "control_socket_disable": True,
    }
    BriefingServer({"STORE": store}, settings).run()
