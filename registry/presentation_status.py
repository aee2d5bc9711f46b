"""Terminal output of `registry import-status` and `registry party` (rich tables)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_outcome(outcome: Any) -> None:
    console = _console()
    summary = outcome.summary()
    plan = outcome.plan
    verb = "would record" if outcome.dry_run else "recorded"
    if not plan.acts:
        console.print(f"{outcome.reference}: nothing new to record")
    else:
        counts = ", ".join(f"{n} {label}" for label, n in sorted(summary["acts"].items()))
        console.print(f"{outcome.reference}: {verb} {len(plan.acts)} events ({counts})")
    if outcome.dry_run:
        table = Table(title="By participant", title_justify="left")
        for column in ("party", "name", "acts"):
            table.add_column(column)
        names = {row.participant.code: row.participant.name for row in plan.table.rows}
        for code in plan.by_party():
            table.add_row(code, names.get(code, ""), "; ".join(summary["parties"][code]) or "-")
        console.print(table)
    if plan.notes_kept:
        console.print(f"{plan.notes_kept} footnotes read but not recorded (no footnote event)")
    for problem in plan.contradictions:
        console.print(f"contradiction: {problem} (not overwritten: correct it if needed)")


def print_party(found: Any) -> None:
    when = f"as of {found.as_of or 'today'}" + (
        f", as known at {found.known_at.isoformat()}" if found.known_at else ""
    )
    table = Table(title=f"{found.name} ({found.code}): agreements {when}", title_justify="left")
    for column in ("reference", "title", "standing", "signature", "consent", "in force",
                   "withdrawal"):  # fmt: skip
        table.add_column(column)
    for a in found.agreements:
        consent = f"{a.consent.replace('_', ' ')} {a.consented}" if a.consent else ""
        table.add_row(
            a.reference,
            a.title,
            a.party_status.value.replace("_", " "),
            a.signed or "",
            consent,
            a.in_force or "",
            a.withdrawal or "",
        )
    _console().print(table)
