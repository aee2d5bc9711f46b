"""The write path fuzzed (part 7): schemathesis generates requests for every operation from the
OpenAPI document, sent with a write token, and runs every check it has, on SQLite and
PostgreSQL, with a bounded, derandomized number of examples. No answer may be a 5xx or stray
from the document.

`positive_data_acceptance` (a request the document calls valid must not be refused as
malformed) runs too. A valid request may still be refused, with a documented 4xx: 404 (no such
agreement or party), 409 and 412 (another write came first), 422 (refused by the domain's
rules: an English title is required, a date outside the years 1000 to 2200, an act the
agreement's state does not allow, a status table that contradicts itself), 401/403/429. A 400
(`invalid_request`) to a valid request is a failure, except for the three rules below, which an
OpenAPI 3.0 document cannot state (each is refused as documented, naming the field):

- bounds that depend on the log's size when the request arrives: `start` of /log/entries,
  `index` and `size` of /log/proof/inclusion, `first` and `second` of /log/proof/consistency;
- the names of an object's keys (the languages of `titles`, anywhere a key is text): OpenAPI
  3.0 has no `propertyNames`, so the character rule and the 1-40 length of a language code
  are not in the document;
- the text inside `treaty`, the free-form TREATY.json object of /imports/status.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from tests.api.conftest import Tokens
from tests.api.test_openapi import OPERATIONS

EXAMPLES = 12
ACCEPTANCE = "positive_data_acceptance"
REFUSALS = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429"]
LOG_BOUNDS = {
    "/api/v1/log/entries": {"start"},
    "/api/v1/log/proof/inclusion": {"index", "size"},
    "/api/v1/log/proof/consistency": {"first", "second"},
}
STATUS_IMPORT = "/api/v1/imports/status"
KEY_RULE = re.compile(r"^The text the key contains |^Length must be between 1 and 40\.$")


def checks_named(*, acceptance: bool) -> list:  # type: ignore[type-arg]
    load_all_checks()
    return [c for c in CHECKS.get_all() if (c.__name__ == ACCEPTANCE) == acceptance]


def leaves(errors: Any, path: str = "") -> list[tuple[str, str]]:
    """(field path, message) of every message in a problem's nested `errors`."""
    if isinstance(errors, list):
        return [(path, str(m)) for m in errors]
    found: list[tuple[str, str]] = []
    for key, value in errors.items():
        found += leaves(value, f"{path}.{key}" if path else str(key))
    return found


def refused_by_an_unstated_rule(path: str, response: Any) -> bool:
    """Whether a 400 names only the rules the module's docstring lists as unstatable."""
    if response.status_code != 400:
        return False
    problem = json.loads(response.text)
    found = leaves(problem.get("errors", {}))
    if not found:
        return False
    for field, message in found:
        if field in LOG_BOUNDS.get(path, ()):
            continue
        if KEY_RULE.search(message) or (
            path == "/api/v1/imports/status" and field[:7] == "treaty."
        ):
            continue
        return False
    return True


@pytest.mark.slow
def test_every_operation_with_a_write_token_passes_every_check(
    db_app: Flask, db_tokens: Tokens
) -> None:
    config = SchemathesisConfig.from_dict({"checks": {ACCEPTANCE: {"expected-statuses": REFUSALS}}})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", db_app, config=config)
    headers = {"Authorization": f"Bearer {db_tokens.write}"}
    checks, acceptance = checks_named(acceptance=False), checks_named(acceptance=True)
    statuses: Counter[tuple[str, int]] = Counter()
    unstated: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    for method, path in sorted(OPERATIONS):
        operation = schema[path][method.upper()]

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answer_conforms(case: schemathesis.Case) -> None:
            if case.query:
                # A cursor is opaque (only the server makes valid ones) and excludes `page`:
                # rules OpenAPI 3.0 cannot state, so the generator leaves cursors out.
                case.query.pop("cursor", None)
            response = case.call_and_validate(headers=headers, checks=checks)
            statuses[(case.method.lower(), response.status_code)] += 1
            if refused_by_an_unstated_rule(case.path, response):
                unstated[case.path] += 1
            else:
                case.validate_response(response, checks=acceptance)
                judged[case.method.lower()] += 1

        answer_conforms()
    assert not any(status >= 500 for _, status in statuses)
    assert sum(n for (method, _), n in statuses.items() if method == "post") > 0, statuses
    # The per-type event schemas let schemathesis write: some generated writes are accepted.
    assert any(m == "post" and s in (200, 201) for m, s in statuses), statuses
    # Generated writes are judged by the check, not only excused from it.
    assert judged["post"] > 0, (judged, unstated)
