"""Settings read from the environment, the same for every command and the web app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ORIGIN = "127.0.0.1:8000/api/v1/log"  # the scheme-less URL of `make run`'s log prefix


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    log_origin: str
    keys_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        home = Path(env.get("REGISTRY_HOME") or "instance").resolve()
        url = env.get("REGISTRY_DATABASE_URL") or f"sqlite:///{home / 'registry.sqlite3'}"
        return cls(
            home=home,
            database_url=url,
            log_origin=env.get("REGISTRY_LOG_ORIGIN") or DEFAULT_ORIGIN,
            keys_dir=Path(env.get("REGISTRY_KEYS_DIR") or "keys").resolve(),
        )

    @property
    def private_keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
