"""Terminal output for the CLI: tables and a progress bar (rich)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

PROGRESS_THRESHOLD = 2_000  # below this a bar only flickers


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _date(value: Any) -> str:
    if value is None:
        return ""
    precision = getattr(value, "precision", None)
    text = str(value)
    return text if precision is None or precision.value == "day" else f"{text} ({precision.value})"


def print_list(states: Sequence[Any], *, as_of: date | None, known_at: datetime | None) -> None:
    when = f"as of {as_of or 'today'}" + (
        f", as known at {known_at.isoformat()}" if known_at else ""
    )
    table = Table(title=f"Agreements {when}", title_justify="left")
    for column in ("reference", "title", "kind", "status", "parties"):
        table.add_column(column)
    for state in states:
        table.add_row(
            state.reference,
            dict(state.titles).get("en", ""),
            state.kind.value.replace("_", " "),
            state.status.value.replace("_", " "),
            ", ".join(p.code for p in state.parties),
        )
    _console().print(table)


def print_state(state: Any) -> None:
    console = _console()
    titles = dict(state.titles)
    console.print(f"[bold]{state.reference}[/bold]  {titles.get('en', '')}")
    for language, title in titles.items():
        if language != "en":
            console.print(f"  ({language}) {title}")
    console.print(
        f"{state.kind.value.replace('_', ' ')}, {state.character.value.replace('_', '-')}; "
        f"status: [bold]{state.status.value.replace('_', ' ')}[/bold]"
    )
    parties = Table(title="Status by party", title_justify="left")
    for column in ("party", "status", "signature", "consent", "in force", "withdrawal"):
        parties.add_column(column)
    for row in state.parties:
        parties.add_row(
            f"{row.name} ({row.code})",
            row.status.value.replace("_", " "),
            _joined(row.signature_type, row.signed),
            _joined(row.consent, row.consented),
            _date(row.in_force),
            _joined("takes effect", row.withdrawal_takes_effect),
        )
    console.print(parties)
    data = state.to_dict()
    for section in ("milestones", "amendments", "documents", "corrections"):
        items = data.get(section) or []
        if items:
            console.print(f"[bold]{section.capitalize()}[/bold]")
            for item in items:
                console.print("  " + "; ".join(f"{k}: {_cell(v)}" for k, v in item.items() if v))


def _joined(label: Any, when: Any) -> str:
    if when is None:
        return ""
    name = getattr(label, "value", label) or ""
    return f"{str(name).replace('_', ' ')} {_date(when)}".strip()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k} {_cell(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    return str(value)


@contextmanager
def progress_bar(total: int, *, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    if not enabled or total < PROGRESS_THRESHOLD:
        yield lambda done, _total: None
        return
    columns = (
        TextColumn("verifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("verify", total=total)
        yield lambda done, _total: progress.update(task, completed=done)
