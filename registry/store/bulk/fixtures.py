"""Fixture scripts: a flat list of steps, each one command on one agreement, in recorded order.

    {"steps": [
      {"agreement": "PK-KZ-2026-001", "type": "Drafted", "effective": "2026-02",
       "actor": "officer.islamabad", "source": "MOFA press release", "reason": null,
       "data": {...}},
      ...
    ]}

`effective` is reduced ISO 8601 (its precision is its length); `data` is exactly the wire data
of the event type. A script loads in one pass and stops at the first refused step, naming it;
steps already recorded stay recorded (each is its own signed event), so a script is written to
be loaded into a registry that does not yet hold its agreements.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.domain.dates import InvalidDate, PartialDate
from registry.store.application import Recorded, Registry
from registry.store.bulk.chunks import CHUNK, Loaded, Refused, load_in_chunks


class FixtureError(ValueError):
    """A malformed or refused step; the message names the file and step number."""


@dataclass(frozen=True)
class Step:
    agreement: str
    type: str
    effective: PartialDate
    actor: str
    source: str | None
    reason: str | None
    data: dict[str, Any]


_STEP_KEYS = {"agreement", "type", "effective", "actor", "source", "reason", "data"}


def read_steps(path: Path) -> list[Step]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FixtureError(f"{path}: cannot read a JSON fixture: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("steps"), list):
        raise FixtureError(f"{path}: a fixture is an object with a list of steps")
    return [_step(path, number, raw) for number, raw in enumerate(document["steps"], start=1)]


def _step(path: Path, number: int, raw: Any) -> Step:
    where = f"{path} step {number}"
    if not isinstance(raw, dict):
        raise FixtureError(f"{where}: a step is an object")
    missing = {"agreement", "type", "effective", "actor", "data"} - set(raw)
    unknown = set(raw) - _STEP_KEYS
    if missing or unknown:
        raise FixtureError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    try:
        effective = PartialDate.parse(raw["effective"])
    except InvalidDate as error:
        raise FixtureError(f"{where}: effective: {error}") from None
    if not isinstance(raw["data"], dict):
        raise FixtureError(f"{where}: data must be an object")
    return Step(
        agreement=str(raw["agreement"]),
        type=str(raw["type"]),
        effective=effective,
        actor=str(raw["actor"]),
        source=raw.get("source"),
        reason=raw.get("reason"),
        data=raw["data"],
    )


def load_steps(registry: Registry, steps: Iterable[Step], where: str = "") -> list[Recorded]:
    recorded = []
    for number, step in enumerate(steps, start=1):
        try:
            if step.type == "Drafted":
                result = registry.draft(
                    effective=step.effective,
                    actor=step.actor,
                    data=step.data,
                    source=step.source,
                    reason=step.reason,
                )
            else:
                result = registry.record(
                    step.agreement,
                    step.type,
                    effective=step.effective,
                    actor=step.actor,
                    data=step.data,
                    source=step.source,
                    reason=step.reason,
                )
        except Exception as error:
            raise FixtureError(
                f"{where} step {number} ({step.type} on {step.agreement}): {error}"
            ) from error
        recorded.append(result)
    return recorded


def load_script(
    registry: Registry,
    steps: Iterable[Step],
    where: str = "",
    *,
    chunk: int = CHUNK,
    workers: int | None = None,
) -> Loaded:
    """Record the steps `chunk` events per transaction; a rerun skips what is stored
    (`workers`: processes to share the work, see bulk.load_in_chunks)."""

    def describe(number: int, step: Step) -> str:
        return f"{where} step {number} ({step.type} on {step.agreement})"

    try:
        return load_in_chunks(registry, steps, describe, chunk=chunk, workers=workers)
    except Refused as error:
        raise FixtureError(str(error)) from error.__cause__
