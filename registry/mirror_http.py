"""The mirror's source over HTTP(S): a registry's API, or a log's tiles, read with the standard
library only (registry/mirror.py verifies what it returns)."""

from __future__ import annotations

import gzip
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from typing import Any

RATE_LIMITED_RETRIES = 5


class SourceError(Exception):
    """The source could not be read; nothing was written."""


class HttpSource:
    """A registry's API over HTTP(S), with the standard library only."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {
            "Accept": "application/json, text/plain",
            "Accept-Encoding": "gzip, identity",
            "User-Agent": "registry-mirror/1",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, headers=headers)
        for attempt in range(RATE_LIMITED_RETRIES + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = bytes(response.read())
                    if response.headers.get("Content-Encoding") == "gzip":
                        body = gzip.decompress(body)
                    return body
            except urllib.error.HTTPError as error:
                wait = _retry_after(error) if attempt < RATE_LIMITED_RETRIES else None
                if wait is None:
                    detail = _problem_detail(error.read())
                    raise SourceError(f"GET {url}: {error.code} {detail}") from None
                time.sleep(wait)  # rate limited: a follower of many tiles waits its turn
            except (urllib.error.URLError, OSError, EOFError, zlib.error) as error:
                raise SourceError(f"GET {url}: {error}") from None
        raise AssertionError("unreachable")


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    """Seconds to wait before retrying a 429 that says so (at most a minute), else None."""
    if error.code != 429:
        return None
    try:
        seconds = float(error.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 60 else None


def _problem_detail(body: bytes) -> str:
    try:
        return str(json.loads(body).get("detail", ""))
    except (ValueError, AttributeError):
        return ""
