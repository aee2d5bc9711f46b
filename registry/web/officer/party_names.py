"""Party names for the filters: "Pakistan (PK)" reads better than a bare code.

Names live in the signed events, not in the list's read model; each code's name is read from
one agreement that lists it (aggregates are cached, so this is one state per party).
"""

from __future__ import annotations

from sqlalchemy import select

from registry.store.application import Registry
from registry.store.events.tables import agreements


def party_names(registry: Registry) -> dict[str, str]:
    """{code: name} for every party of a listed agreement."""
    first: dict[str, str] = {}
    with registry.transaction() as session:
        for reference, listed in session.execute(
            select(agreements.c.reference, agreements.c.parties).order_by(agreements.c.reference)
        ):
            for code in listed.split(","):
                if code and code not in first:
                    first[code] = reference
    names: dict[str, str] = {}
    for reference in sorted(set(first.values())):
        for row in registry.state(reference).parties:
            names.setdefault(row.code, row.name)
    return {code: names.get(code, code) for code in first}
