"""`registry verify` remembers which (type, data) decoded and which month-days fit which
precision; whatever it has seen before, it refuses exactly what building the event refuses,
with the same message."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.domain.codec import decode_data, event_data
from registry.domain.dates import PartialDate
from registry.domain.events import EVENT_TYPES
from registry.ledger.canonical import canonical_json
from registry.ledger.payload import EventPayload
from registry.store.events import verification
from registry.store.events.mapper import event_from_payload
from tests.unit.domain.builders import draft, in_force
from tests.unit.ledger.builders import payload_fields
from tests.unit.ledger.test_canonical_fast_path import values


def story() -> list[tuple[str, dict[str, object]]]:
    agreement = in_force(draft())  # drafted, signed twice, ratified twice, in force
    return [(type(event).__name__, event_data(event)) for event in agreement.history]


SAMPLES = story()


@st.composite
def payloads(draw: st.DrawFn) -> EventPayload:
    """An event's payload (ledger-valid), its data as recorded or edited: a member dropped,
    added or given another value; its effective date any real date, at any precision."""
    kind, data = draw(st.sampled_from(SAMPLES))
    data = dict(data)
    edit = draw(st.integers(0, 3))
    if edit == 1 and data:
        data.pop(draw(st.sampled_from(sorted(data))))
    elif edit == 2:
        data[draw(st.sampled_from(sorted(data)) | st.text(max_size=6))] = draw(values)
    elif edit == 3:
        data = {"x": draw(values)} if draw(st.booleans()) else {**data, "party": draw(values)}
    if draw(st.integers(0, 9)) == 0:
        kind = draw(st.sampled_from(sorted(EVENT_TYPES)))
    start = draw(st.dates(date(1, 1, 1), date(9999, 12, 31)))
    if draw(st.booleans()):  # first days, which fit a month or a year
        start = start.replace(day=1, month=draw(st.sampled_from([1, start.month])))
    precision = draw(st.sampled_from(["day", "month", "year"]))
    fields = payload_fields(type=kind, data=data, effective=start.isoformat(), precision=precision)
    return EventPayload.from_bytes(EventPayload(**fields).to_bytes())


def refusal(check, payload: EventPayload) -> str | None:  # type: ignore[no-untyped-def]
    try:
        check(payload)
    except (ValueError, TypeError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def unremembered(payload: EventPayload) -> None:
    decode_data(EVENT_TYPES[payload.type], payload.data)
    PartialDate.from_start(payload.effective, payload.precision)


@settings(max_examples=800)
@given(st.lists(payloads(), min_size=1, max_size=6))
def test_what_verify_remembers_refuses_what_building_the_event_refuses(
    seen: list[EventPayload],
) -> None:
    # the earlier payloads fill what is remembered (the same data under other dates, other
    # data on the same month-day); the last one is judged with it
    for payload in seen:
        expected = refusal(unremembered, payload)
        assert refusal(verification._check_decodes, payload) == expected
        assert refusal(verification._check_decodes, payload) == expected  # now remembered
        assert refusal(event_from_payload, payload) == expected


@settings(max_examples=200)
@given(payloads())
def test_the_data_bytes_remembered_are_the_data_s_canonical_json(payload: EventPayload) -> None:
    assert payload.data_bytes() == canonical_json(payload.data)


def test_what_verify_remembers_stays_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(verification, "DECODED_KEPT", 3)
    monkeypatch.setattr(verification, "_DECODED", set())
    kind, data = SAMPLES[0]
    for number in range(10):
        fields = payload_fields(type=kind, data={**data, "summary": str(number)})
        verification._check_decodes(EventPayload(**fields))
        assert len(verification._DECODED) <= 3
