"""Importing a UN-style status table: one use case for the CLI, the API and the officers' form.

The table is read and checked (status_table), compared with what is recorded (status_plan),
and every new act runs through the agreement's own commands in memory, in the order the acts
took effect (status_plan), signed by the importing officer. A refusal by the domain is a
problem on the row's line; if there is any, nothing is written. Otherwise all the new events
are stored by one commit: one write transaction (with their log leaves, checkpoint and read
models), all or nothing. A writer who recorded on the same agreement meanwhile makes it a
VersionConflict: nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from registry.domain import commands
from registry.domain.agreement import Agreement
from registry.domain.codec import InvalidEventData
from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError
from registry.store.application import Recorded, Registry
from registry.store.bulk.status_plan import FOOTNOTE, Act, Plan, plan
from registry.store.bulk.status_table import ImportRefused, Problem, parse_status, parse_treaty
from registry.store.errors import AgreementNotFound

Progress = Callable[[int, int], None]  # (acts checked, acts in all)


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    recorded: Recorded | None  # None: a dry run, or nothing new
    dry_run: bool

    @property
    def reference(self) -> str:
        return self.plan.table.treaty.reference

    def summary(self) -> dict[str, Any]:
        """JSON-native: what was (or would be) recorded, and every contradiction."""
        return {
            "reference": self.reference,
            "dry_run": self.dry_run,
            "new_agreement": self.plan.new,
            "recorded": 0 if self.dry_run else len(self.plan.acts),
            "acts": self.plan.counts(),
            "participants": len(self.plan.table.rows),
            "footnotes_not_recorded": self.plan.notes_kept,
            "contradictions": [str(p) for p in self.plan.contradictions],
            "parties": {
                code: [f"{act.label} {act.effective.isoformat()}" for act in acts]
                for code, acts in self.plan.by_party().items()
            },
            "version": self.recorded.version if self.recorded else None,
        }


def import_status(
    registry: Registry,
    status: bytes,
    treaty: bytes,
    *,
    officer: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Check the table and record what it adds, or raise ImportRefused naming every problem."""
    table = parse_status(status, parse_treaty(treaty))
    reference = table.treaty.reference
    try:
        agreement: Agreement | None = registry.agreement(reference)
    except AgreementNotFound:
        agreement = None
    current = agreement.state if agreement is not None else None
    notes = _recorded_footnotes(agreement) if agreement is not None else ()
    made = plan(table, current, notes)
    agreement = _run(agreement, made.acts, officer, table.treaty.cited, progress)
    if dry_run or not made.acts:
        return Outcome(made, None, dry_run)
    assert agreement is not None
    return Outcome(made, registry.commit(agreement), dry_run)


def _run(
    agreement: Agreement | None,
    acts: list[Act],
    officer: str,
    source: str,
    progress: Progress | None,
) -> Agreement | None:
    problems: list[Problem] = []
    for done, act in enumerate(acts, start=1):
        effective = PartialDate.of(act.effective)
        try:
            if act.type == "Drafted":
                agreement = commands.draft_from_data(effective, officer, source, None, act.data)
            elif agreement is not None:
                commands.record(agreement, act.type, effective, officer, source, None, act.data)
        except (DomainError, InvalidEventData) as error:
            # A refused command triggers no event: the others are still checked.
            where = f"{act.label} of {act.party}" if act.party else act.label
            problems.append(Problem(act.line, f"{where}: {error}"))
            if act.type == "Drafted":
                break
        if progress is not None:
            progress(done, len(acts))
    if problems:  # named in the table's order, though the acts ran in effective order
        raise ImportRefused(sorted(problems, key=lambda p: (p.line is not None, p.line or 0)))
    return agreement


def _recorded_footnotes(agreement: Agreement) -> list[tuple[str | None, str, str]]:
    return [
        (getattr(e, "party", None), str(getattr(e, "mark", "")), str(getattr(e, "text", "")))
        for e in agreement.history
        if type(e).__name__ == FOOTNOTE
    ]
