"""gunicorn, started from `registry serve` with the app factory."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class RegistryServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from registry.web import create_app

        return create_app()


def serve(*, host: str, port: int, workers: int) -> None:
    RegistryServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": "-",
            "timeout": 60,
            "forwarded_allow_ips": "127.0.0.1",
        }
    ).run()
