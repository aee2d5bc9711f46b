"""GET /agreements: a page of the registry as of a date, known at an instant, filtered.

The rows come from `Registry.list_as_of` (indexed SQL over the status intervals, the same
answers as each agreement's own state). The order is by reference, which never changes.

Two ways of paging: `page` (plain offsets) and `cursor`, which names the last reference
served and where it was. The query layer pages by offset only, so a cursor reads a window
around its old position and continues after its reference: agreements added in between
move the window but neither repeat nor skip an item. If more than `SLACK` were added before
it, the whole (cheap, SQL-only) list is read instead.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field, replace
from typing import Any

from marshmallow import ValidationError

from registry.store.public import AgreementPage, Filters, ListedAgreement, Registry

SLACK = 50
MAX_POSITION = 2**31


@dataclass(frozen=True)
class Page:
    items: tuple[ListedAgreement, ...]
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    next_cursor: str | None = None
    next_page: int | None = None
    prev_page: int | None = None


def page_of(registry: Registry, query: Filters) -> Page:
    limit = query.limit or 50
    if query.sort != "reference" and query.page is None:
        query = replace(query, page=1)  # any other order pages by number (see the schema)

    def listed(limit: int | None, offset: int) -> AgreementPage:
        return registry.list_agreements(replace(query, limit=limit), offset=offset)

    if query.page is not None:
        number = query.page
        found = listed(limit, (number - 1) * limit)
        return Page(
            found.agreements,
            found.total,
            _counts(found),
            next_page=number + 1 if number * limit < found.total else None,
            prev_page=number - 1 if number > 1 else None,
        )
    after, at = decode_cursor(query.cursor) if query.cursor is not None else ("", 0)
    start = max(0, at - SLACK)
    found = listed(at - start + limit + SLACK, start)
    rows = list(found.agreements)
    following = [i for i, row in enumerate(rows) if row.reference > after]
    saw_boundary = start == 0 or (bool(rows) and rows[0].reference <= after)
    enough = len(following) >= limit or start + len(rows) >= found.total
    if not (saw_boundary and enough):
        start, found = 0, listed(None, 0)
        rows = list(found.agreements)
        following = [i for i, row in enumerate(rows) if row.reference > after]
    chosen = following[:limit]
    items = tuple(rows[i] for i in chosen)
    position = start + chosen[-1] + 1 if chosen else found.total
    more = position < found.total
    cursor = encode_cursor(items[-1].reference, position) if more and items else None
    return Page(items, found.total, _counts(found), next_cursor=cursor)


def _counts(found: AgreementPage) -> dict[str, int]:
    return {status.value: count for status, count in sorted(found.counts.items(), key=str)}


def encode_cursor(reference: str, position: int) -> str:
    text = json.dumps({"after": reference, "at": position}, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(text).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        after, at = document["after"], document["at"]
    except (ValueError, UnicodeError, binascii.Error, KeyError, TypeError):
        raise ValidationError({"cursor": ["Not a cursor from this API."]}) from None
    if not isinstance(after, str) or type(at) is not int or not 0 <= at <= MAX_POSITION:
        raise ValidationError({"cursor": ["Not a cursor from this API."]})
    return after, at


def summary(agreement: ListedAgreement, url: str) -> dict[str, Any]:
    return {**agreement.to_dict(), "url": url}
