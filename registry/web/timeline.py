"""The agreement's history at a glance: a server-rendered SVG with one lane per party, one for
the agreement as a whole and one for milestones.

`build_timeline` lays out plain shapes from an AgreementState (coordinates in a fixed
viewBox that scales to the screen); the template draws them, with every text escaped. A date
known only to the month or year is drawn as a bracket spanning that period, so vague sources
show as vague.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from registry.domain.dates import PartialDate
from registry.domain.errors import spoken
from registry.domain.state import AgreementState
from registry.domain.values import MilestoneStatus

WIDTH = 960
LABEL_WIDTH = 170
RIGHT_PAD = 24
TOP = 34
LANE_HEIGHT = 40
MIN_SPAN_DAYS = 120


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    shape: str  # circle, diamond, square, triangle, cross
    css: str
    title: str  # tooltip and accessible name
    span: tuple[float, float] | None = None  # the period of a month or year date


@dataclass(frozen=True)
class Band:
    x1: float
    x2: float
    y: float
    css: str
    title: str


@dataclass(frozen=True)
class Lane:
    label: str
    y: float
    css: str = ""


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass
class Timeline:
    width: int
    height: int
    plot_left: int
    plot_right: int
    lanes: list[Lane] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    now_x: float | None = None
    now_label: str = ""
    description: str = ""


class _Scale:
    def __init__(self, first: date, last: date) -> None:
        span = (last - first).days
        if span < MIN_SPAN_DAYS:
            pad = (MIN_SPAN_DAYS - span) // 2
            first, last = first - timedelta(days=pad), last + timedelta(days=pad)
        margin = max(7, (last - first).days // 25)
        self.first = first - timedelta(days=margin)
        self.last = last + timedelta(days=margin)
        self.left = LABEL_WIDTH
        self.right = WIDTH - RIGHT_PAD

    def x(self, day: date) -> float:
        total = (self.last - self.first).days or 1
        fraction = (day - self.first).days / total
        return round(self.left + fraction * (self.right - self.left), 1)


def _dates(state: AgreementState) -> list[PartialDate]:
    found: list[PartialDate | None] = [
        state.drafted,
        state.adopted,
        state.provisionally_applied,
        state.entered_into_force,
        state.suspended,
        state.terminated,
        state.expired,
        state.renewed_until,
    ]
    for row in state.parties:
        found += [row.signed, row.consented, row.provisionally_applied, row.in_force]
        found += [row.suspended, row.withdrawal_notified, row.withdrawal_takes_effect]
    for milestone in state.milestones:
        found += [milestone.due, milestone.recorded, milestone.changed]
    found += [a.date for a in state.amendments]
    return [d for d in found if d is not None]


def build_timeline(state: AgreementState, marker: date) -> Timeline:
    dates = _dates(state)
    first = min([d.start for d in dates] + [marker])
    last = max([d.end for d in dates] + [marker])
    scale = _Scale(first, last)
    lanes_count = 2 + len(state.parties)
    timeline = Timeline(
        width=WIDTH,
        height=TOP + lanes_count * LANE_HEIGHT + 26,
        plot_left=scale.left,
        plot_right=scale.right,
    )
    end_of_force = state.terminated or state.expired

    def point(when: PartialDate | None, y: float, shape: str, css: str, what: str) -> None:
        if when is None:
            return
        span = None
        if when.start != when.end:
            span = (scale.x(when.start), scale.x(when.end + timedelta(days=1)))
        title = f"{what}: {spoken(when)}"
        timeline.markers.append(Marker(scale.x(when.start), y, shape, css, title, span))

    def band(start: PartialDate | None, stop: date | None, y: float, css: str, what: str) -> None:
        if start is None:
            return
        until = stop or scale.last
        title = f"{what} from {spoken(start)}" + (f" to {until.isoformat()}" if stop else "")
        timeline.bands.append(Band(scale.x(start.start), scale.x(until), y, css, title))

    y = TOP + LANE_HEIGHT / 2
    timeline.lanes.append(Lane("Agreement", y, "lane-agreement"))
    force_css = "band-force" if state.character.value == "binding" else "band-effect"
    band(
        state.entered_into_force,
        end_of_force.start if end_of_force else None,
        y,
        force_css,
        "In force for all",
    )
    point(state.drafted, y, "circle", "m-drafted", "Drafted")
    point(state.adopted, y, "square", "m-adopted", "Text adopted")
    point(state.provisionally_applied, y, "circle", "m-provisional", "Provisionally applied")
    point(state.entered_into_force, y, "square", "m-force", "Entered into force")
    point(state.suspended, y, "cross", "m-suspended", "Suspended")
    point(state.terminated, y, "cross", "m-ended", "Terminated")
    point(state.expired, y, "cross", "m-ended", "Expired")
    for amendment in state.amendments:
        point(amendment.date, y, "diamond", "m-amended", f"Amended by {amendment.reference}")

    for row in state.parties:
        y += LANE_HEIGHT
        timeline.lanes.append(Lane(f"{row.name} ({row.code})", y))
        stop = row.withdrawal_takes_effect if row.withdrawn else end_of_force
        band(row.in_force, stop.start if stop else None, y, force_css, f"{row.code} in force")
        kind = row.signature_type.value.replace("_", " ") if row.signature_type else ""
        point(row.signed, y, "circle", "m-signed", f"{row.code} signed ({kind})")
        consent = row.consent.value if row.consent else "consent"
        point(row.consented, y, "diamond", "m-consent", f"{row.code}: {consent}")
        point(
            row.provisionally_applied,
            y,
            "circle",
            "m-provisional",
            f"{row.code} applies provisionally",
        )
        point(row.in_force, y, "square", "m-force", f"In force for {row.code}")
        point(row.withdrawal_notified, y, "triangle", "m-notice", f"{row.code} notified withdrawal")
        point(
            row.withdrawal_takes_effect,
            y,
            "cross",
            "m-ended",
            f"Withdrawal of {row.code} takes effect",
        )

    y += LANE_HEIGHT
    timeline.lanes.append(Lane("Milestones", y, "lane-milestones"))
    for milestone in state.milestones:
        when = milestone.due or milestone.recorded
        overdue = (
            milestone.due is not None
            and milestone.due.end < marker
            and not milestone.status.is_final
            and milestone.status is not MilestoneStatus.MISSED
        )
        status = milestone.status.value.replace("_", " ") + (", overdue" if overdue else "")
        due = "due" if milestone.due else "recorded"
        point(
            when,
            y,
            "triangle",
            f"m-milestone ms-{milestone.status.value}" + (" ms-overdue" if overdue else ""),
            f"{milestone.title} ({status}), {due}",
        )

    timeline.ticks = _ticks(scale)
    timeline.now_x = scale.x(marker)
    timeline.now_label = marker.isoformat()
    timeline.description = (
        f"Timeline of {state.reference} from {scale.first.isoformat()} to "
        f"{scale.last.isoformat()}, {len(timeline.markers)} marked acts; the vertical line "
        f"marks {marker.isoformat()}. The tables below give the same facts."
    )
    return timeline


def _ticks(scale: _Scale) -> list[Tick]:
    days = (scale.last - scale.first).days
    if days > 3 * 365:
        step = max(1, days // 365 // 8)
        return [
            Tick(scale.x(date(year, 1, 1)), str(year))
            for year in range(scale.first.year + 1, scale.last.year + 1, step)
        ]
    months = 1 if days <= 200 else 3 if days <= 800 else 6
    ticks = []
    year, month = scale.first.year, scale.first.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = date(year, month, 1)
        if day > scale.last:
            return ticks
        if (month - 1) % months == 0:
            ticks.append(Tick(scale.x(day), day.strftime("%b %Y")))
