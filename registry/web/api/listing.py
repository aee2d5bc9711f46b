"""GET /agreements: states as of a date and known at an instant, filtered and paged.

States are replayed from the verified events, so the list says exactly what each agreement's
own page says for the same `as_of` and `known_at`. The order is by reference, which never
changes, so a cursor ("after this reference") stays valid while agreements are added.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError

from registry.domain.errors import NotYetRecorded
from registry.domain.state import AgreementState
from registry.store.application import Registry


@dataclass(frozen=True)
class Page:
    items: list[AgreementState]
    total: int
    next_cursor: str | None = None
    next_page: int | None = None
    prev_page: int | None = None


def matching_states(registry: Registry, query: dict[str, Any]) -> list[AgreementState]:
    as_of: date | None = query.get("as_of")
    known_at: datetime | None = query.get("known_at")
    found = []
    for agreement_id in registry.agreement_ids():
        try:
            state = registry.state(agreement_id, as_of=as_of, known_at=known_at)
        except NotYetRecorded:
            continue  # not yet in the registry at `known_at`
        if _matches(state, query):
            found.append(state)
    return sorted(found, key=lambda s: s.reference)


def _matches(state: AgreementState, query: dict[str, Any]) -> bool:
    if "kind" in query and state.kind.value != query["kind"]:
        return False
    if "status" in query and state.status.value != query["status"]:
        return False
    if "party" in query:
        wanted = query["party"].casefold()
        if not any(party.code.casefold() == wanted for party in state.parties):
            return False
    if "q" in query:
        words = query["q"].casefold().split()
        text = " ".join([state.reference, *state.titles.values()]).casefold()
        if not all(word in text for word in words):
            return False
    return True


def page_of(states: list[AgreementState], query: dict[str, Any]) -> Page:
    limit: int = query["limit"]
    if "page" in query:
        number: int = query["page"]
        start = (number - 1) * limit
        items = states[start : start + limit]
        return Page(
            items,
            len(states),
            next_page=number + 1 if start + limit < len(states) else None,
            prev_page=number - 1 if number > 1 else None,
        )
    after = decode_cursor(query["cursor"]) if "cursor" in query else None
    rest = [s for s in states if after is None or s.reference > after]
    items = rest[:limit]
    more = len(rest) > limit
    return Page(
        items, len(states), next_cursor=encode_cursor(items[-1].reference) if more else None
    )


def encode_cursor(reference: str) -> str:
    text = json.dumps({"after": reference}, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(text).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        after = document["after"]
    except (ValueError, UnicodeError, binascii.Error, KeyError, TypeError):
        raise ValidationError({"cursor": ["Not a cursor from this API."]}) from None
    if not isinstance(after, str):
        raise ValidationError({"cursor": ["Not a cursor from this API."]})
    return after


def summary(state: AgreementState, url: str) -> dict[str, Any]:
    titles = dict(state.titles)
    return {
        "id": str(state.id),
        "reference": state.reference,
        "title": titles.get("en") or next(iter(titles.values()), ""),
        "titles": titles,
        "kind": state.kind.value,
        "character": state.character.value,
        "status": state.status.value,
        "parties": [
            {"code": p.code, "name": p.name, "type": p.type.value, "status": p.status.value}
            for p in state.parties
        ],
        "version": max(state.versions),
        "url": url,
    }
