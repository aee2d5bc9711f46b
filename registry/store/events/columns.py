"""Read-model columns added after an instance was created: added in place, then rebuilt.

`metadata.create_all` makes missing tables, never missing columns. A read model is derived
from the events, so an instance made before a column existed gets the column (nullable, added
with ALTER TABLE) and then its read models rebuilt from the verified log (intervals.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text

from registry.store.events.tables import metadata


def add_missing_columns(engine: Any) -> list[str]:
    """Add every nullable read-model column the database lacks; the names added."""
    added = []
    found = inspect(engine)
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if not found.has_table(table.name):
                continue
            present = {column["name"] for column in found.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    name, where = quote(column.name), quote(table.name)
                    connection.execute(text(f"ALTER TABLE {where} ADD COLUMN {name} {kind}"))
                    added.append(f"{table.name}.{column.name}")
    return added
