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
from itertools import pairwise

from flask_babel import format_date
from flask_babel import gettext as _

from registry.domain.dates import PartialDate
from registry.domain.state import AgreementState
from registry.domain.timeline import took_effect
from registry.domain.values import LegalCharacter, MilestoneStatus, PartyStatus
from registry.web.domain_words import translated
from registry.web.forms_text import choice_label
from registry.web.i18n import N_
from registry.web.officer.present import localised

WIDTH = 960
LABEL_WIDTH = 170
RIGHT_PAD = 24
TOP = 34
LANE_HEIGHT = 40
MIN_SPAN_DAYS = 120
MARK_GAP = 14  # px between the centres of two marks on one lane: same-day marks sit side by side
BREAK_PX = 36  # the width a long quiet gap is drawn with, behind a break mark

# Every kind of mark, declared once: its shape and its legend text. The legend lists exactly
# the kinds a timeline draws.
MARKS: dict[str, tuple[str, str]] = {
    "m-drafted": ("circle", N_("drafted")),
    "m-adopted": ("square", N_("text adopted")),
    "m-signed": ("circle", N_("signature")),
    "m-consent": ("diamond", N_("consent to be bound")),
    "m-provisional": ("ring", N_("provisional application")),
    "m-force": ("square", N_("entry into force / took effect")),
    "m-amended": ("diamond", N_("amended")),
    "m-suspended": ("cross", N_("suspension")),
    "m-notice": ("notice", N_("withdrawal notified")),
    "m-ended": ("cross", N_("end: termination, expiry or withdrawal taking effect")),
    "m-milestone": ("triangle", N_("milestone (due date)")),
}
BANDS = {"band-force": N_("in force"), "band-effect": N_("in effect (not legally binding)")}


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


@dataclass(frozen=True)
class Key:
    """One legend entry: a mark, a band or the bracket of a vague date."""

    shape: str
    css: str
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
    breaks: list[float] = field(default_factory=list)  # x of each compressed gap
    legend: list[Key] = field(default_factory=list)


class _Scale:
    """Dates to x, piecewise linear between the dates drawn: each gap between two successive
    dates gets a width growing with the square root of its length, so acts a few days apart
    stay apart while months still look longer than days; a gap much longer than the others
    (a milestone ten years out) is drawn short behind a break mark."""

    def __init__(self, days: list[date]) -> None:
        first, last = min(days), max(days)
        span = (last - first).days
        if span < MIN_SPAN_DAYS:
            pad = (MIN_SPAN_DAYS - span) // 2
            first, last = first - timedelta(days=pad), last + timedelta(days=pad)
        self.first = first - timedelta(days=14)
        self.last = last + timedelta(days=14)
        self.left = LABEL_WIDTH
        self.right = WIDTH - RIGHT_PAD
        stops = sorted({self.first, *days, self.last})
        gaps = [(b - a).days for a, b in pairwise(stops)]
        cap = max(180, 6 * sorted(gaps)[len(gaps) // 2])
        self.gaps: list[tuple[date, date]] = [
            (a, b) for (a, b), g in zip(pairwise(stops), gaps, strict=True) if g > cap
        ]
        weights = [0.0 if g > cap else g**0.5 for g in gaps]
        px_per_weight = (self.right - self.left - BREAK_PX * len(self.gaps)) / (sum(weights) or 1)
        self.anchors: list[tuple[date, float]] = [(stops[0], float(self.left))]
        for b, g, w in zip(stops[1:], gaps, weights, strict=True):
            width = BREAK_PX if g > cap else w * px_per_weight
            self.anchors.append((b, self.anchors[-1][1] + width))

    def x(self, day: date) -> float:
        if day <= self.anchors[0][0]:
            return round(self.anchors[0][1], 1)
        for (a, xa), (b, xb) in pairwise(self.anchors):
            if day <= b:
                fraction = (day - a).days / ((b - a).days or 1)
                return round(xa + fraction * (xb - xa), 1)
        return round(self.anchors[-1][1], 1)

    def broken(self, day: date) -> bool:
        return any(a < day < b for a, b in self.gaps)


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
    days = [marker, *(d.start for d in dates), *(d.end for d in dates)]
    scale = _Scale(days)
    lanes_count = 2 + len(state.parties)
    timeline = Timeline(
        width=WIDTH,
        height=TOP + lanes_count * LANE_HEIGHT + 26,
        plot_left=scale.left,
        plot_right=scale.right,
    )
    end_of_force = state.terminated or state.expired
    binding = state.character is LegalCharacter.BINDING
    force_css = "band-force" if binding else "band-effect"
    operating_since = took_effect(state)
    used: list[str] = []

    def point(when: PartialDate | None, y: float, css: str, what: str, extra: str = "") -> None:
        if when is None:
            return
        span = None
        if when.start != when.end:
            span = (scale.x(when.start), scale.x(when.end + timedelta(days=1)))
            used.append("span")
        title = f"{what}: {localised(when)}"
        shape = MARKS[css][0]
        used.append(css)
        classes = f"{css} {extra}".strip()
        timeline.markers.append(Marker(scale.x(when.start), y, shape, classes, title, span))

    def band(start: PartialDate | None, stop: date | None, y: float, what: str) -> None:
        if start is None:
            return
        until = stop or scale.last
        if stop:
            title = _(
                "%(what)s from %(start)s to %(end)s",
                what=what,
                start=localised(start),
                end=day_text(until),
            )
        else:
            title = _("%(what)s from %(start)s", what=what, start=localised(start))
        used.append(force_css)
        timeline.bands.append(Band(scale.x(start.start), scale.x(until), y, force_css, title))

    y = TOP + LANE_HEIGHT / 2
    timeline.lanes.append(Lane(_("Agreement"), y, "lane-agreement"))
    stop = end_of_force.start if end_of_force else None
    band(operating_since, stop, y, _("In force") if binding else _("In effect"))
    point(state.drafted, y, "m-drafted", translated("Drafted"))
    point(state.adopted, y, "m-adopted", _("Text adopted"))
    point(state.provisionally_applied, y, "m-provisional", translated("Provisionally applied"))
    point(state.entered_into_force, y, "m-force", translated("Entered into force"))
    if not binding and operating_since is not None:
        point(operating_since, y, "m-force", _("Took effect (every party has signed)"))
    point(state.suspended, y, "m-suspended", translated("Suspended"))
    point(state.terminated, y, "m-ended", translated("Terminated"))
    point(state.expired, y, "m-ended", translated("Expired"))
    for amendment in state.amendments:
        point(amendment.date, y, "m-amended", _("Amended by %(ref)s", ref=amendment.reference))

    for row in state.parties:
        y += LANE_HEIGHT
        timeline.lanes.append(Lane(f"{row.name} ({row.code})", y))
        party_stop = row.withdrawal_takes_effect if row.withdrawn else end_of_force
        until = party_stop.start if party_stop else None
        if binding:
            band(row.in_force, until, y, _("In force for %(party)s", party=row.code))
        elif operating_since is not None and row.status is not PartyStatus.LISTED:
            band(operating_since, until, y, _("In effect for %(party)s", party=row.code))
        kind = choice_label(row.signature_type.value).lower() if row.signature_type else ""
        signed = _("%(party)s signed (%(kind)s)", party=row.code, kind=kind)
        point(row.signed, y, "m-signed", signed)
        consent = choice_label(row.consent.value).lower() if row.consent else _("consent")
        point(row.consented, y, "m-consent", f"{row.code}: {consent}")
        applies = _("%(party)s applies provisionally", party=row.code)
        point(row.provisionally_applied, y, "m-provisional", applies)
        point(row.in_force, y, "m-force", _("In force for %(party)s", party=row.code))
        notified = _("%(party)s notified withdrawal", party=row.code)
        point(row.withdrawal_notified, y, "m-notice", notified)
        ends = _("Withdrawal of %(party)s takes effect", party=row.code)
        point(row.withdrawal_takes_effect, y, "m-ended", ends)

    y += LANE_HEIGHT
    timeline.lanes.append(Lane(_("Milestones"), y, "lane-milestones"))
    for milestone in state.milestones:
        when = milestone.due or milestone.recorded
        overdue = (
            milestone.due is not None
            and milestone.due.end < marker
            and not milestone.status.is_final
            and milestone.status is not MilestoneStatus.MISSED
        )
        status = choice_label(milestone.status.value).lower()
        status += ", " + _("overdue") if overdue else ""
        due = _("due") if milestone.due else _("recorded")
        extra = f"ms-{milestone.status.value}" + (" ms-overdue" if overdue else "")
        point(when, y, "m-milestone", f"{milestone.title} ({status}), {due}", extra)

    timeline.markers = _side_by_side(timeline.markers)
    timeline.ticks = _ticks(scale)
    timeline.breaks = [round((scale.x(a) + scale.x(b)) / 2, 1) for a, b in scale.gaps]
    timeline.now_x = scale.x(marker)
    timeline.now_label = day_text(marker)
    timeline.legend = _legend(used)
    broken = (
        " " + _("Long quiet periods are shortened, each behind a break mark.") if scale.gaps else ""
    )
    timeline.description = (
        _(
            "Timeline of %(ref)s from %(first)s to %(last)s, %(count)s marked acts; the "
            "vertical line marks %(now)s.",
            ref=state.reference,
            first=day_text(scale.first),
            last=day_text(scale.last),
            count=len(timeline.markers),
            now=day_text(marker),
        )
        + broken
        + " "
        + _("The tables below give the same facts.")
    )
    return timeline


def _side_by_side(markers: list[Marker]) -> list[Marker]:
    """Marks of one lane closer than MARK_GAP (the same day, or nearly) are moved apart, in
    the order they were drawn, so none hides another."""
    placed: list[Marker] = []
    last_x: dict[float, float] = {}
    for m in sorted(markers, key=lambda m: (m.y, m.x)):
        x = m.x
        previous = last_x.get(m.y)
        if previous is not None and x - previous < MARK_GAP:
            x = round(previous + MARK_GAP, 1)
        last_x[m.y] = x
        placed.append(Marker(x, m.y, m.shape, m.css, m.title, m.span))
    return placed


def _legend(used: list[str]) -> list[Key]:
    keys = [Key(MARKS[css][0], css, _(MARKS[css][1])) for css in MARKS if css in used]
    keys += [Key("band", css, _(text)) for css, text in BANDS.items() if css in used]
    if "span" in used:
        keys.append(Key("span", "span", _("a date known only to the month or year")))
    return keys


def _ticks(scale: _Scale) -> list[Tick]:
    """Year ticks over a long view, months over a short one; none inside a shortened gap,
    and none closer than 56 px to the last."""
    straight = sum(
        (b - a).days for (a, _), (b, _) in pairwise(scale.anchors) if (a, b) not in scale.gaps
    )
    candidates: list[tuple[date, str]] = []
    if straight > 3 * 365:
        years = range(scale.first.year + 1, scale.last.year + 1)
        candidates = [(date(year, 1, 1), str(year)) for year in years]
    else:
        year, month = scale.first.year, scale.first.month
        while True:
            month += 1
            if month > 12:
                year, month = year + 1, 1
            day = date(year, month, 1)
            if day > scale.last:
                break
            candidates.append((day, format_date(day, "LLL y")))
    ticks: list[Tick] = []
    for day, text in candidates:
        x = scale.x(day)
        if scale.broken(day) or (ticks and x - ticks[-1].x < 56):
            continue
        ticks.append(Tick(x, text))
    return ticks


def day_text(day: date) -> str:
    """A day in words in the interface's language (Babel), as every other date on the page."""
    return localised(PartialDate.parse(day.isoformat()))
