"""The registry instance an app serves, built in the factory (never at import time)."""

from __future__ import annotations

import atexit

from flask import Flask, current_app

from registry.store.public import Registry, Settings


def init_app(app: Flask, settings: Settings) -> None:
    registry = Registry(settings)
    app.extensions["registry"] = registry
    atexit.register(registry.close)


def get_registry() -> Registry:
    return current_app.extensions["registry"]
