"""The OpenAPI document states the date formats, the paging rule and the server's 414 and 431
(finding 10)."""

from __future__ import annotations

import re

from flask import Flask

from registry.web.api.openapi_extras import PARTIAL_DATE_PATTERN


def test_dates_paging_and_server_limits_are_documented(app: Flask) -> None:
    spec = app.test_client().get("/api/openapi.json").get_json()
    listing = spec["paths"]["/api/v1/agreements"]["get"]
    parameters = {p["name"]: p for p in listing["parameters"]}
    assert "not both" in parameters["cursor"]["description"]
    assert "never with one" in parameters["page"]["description"]
    assert parameters["as_of"]["schema"]["format"] == "date"
    assert parameters["known_at"]["schema"]["format"] == "date-time"
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            assert {"414", "431"} <= set(operation["responses"])
    effective = spec["components"]["schemas"]["DraftRequest"]["properties"]["effective"]
    assert effective["pattern"] == PARTIAL_DATE_PATTERN
    for good in ("2026", "2026-02", "2026-02-03", "2026-04-30", "2024-02-29", "2000-02-29"):
        assert re.match(PARTIAL_DATE_PATTERN, good), good
    for bad in ("26", "2026-13", "2026-02-32", "2026-2-3", "0000", "2026-02-30", "2026-04-31"):
        assert not re.match(PARTIAL_DATE_PATTERN, bad), bad
    for not_leap in ("2025-02-29", "1900-02-29", "2100-02-29"):
        assert not re.match(PARTIAL_DATE_PATTERN, not_leap), not_leap
