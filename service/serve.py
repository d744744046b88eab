"""Running a WSGI app under gunicorn with the settings of service.gunicorn_conf."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from service import gunicorn_conf


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn with the settings given; each worker loads its own app."""

    def __init__(self, load_app: Callable[[], Any], settings: dict[str, Any]) -> None:
        self.load_app = load_app
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.load_app()


def serve(load_app: Callable[[], Any], bind: str, workers: int, **overrides: Any) -> None:
    """Serve until stopped. The benchmark's baselines and the preview run through here too, so
    they get exactly the service's settings (the preview overrides its logging alone)."""
    settings = {name: getattr(gunicorn_conf, name) for name in gunicorn_conf.__all__}
    Server(load_app, {**settings, "bind": [bind], "workers": workers, **overrides}).run()
