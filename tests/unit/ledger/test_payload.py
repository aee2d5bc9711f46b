"""The signed event payload: exact shape, strict parsing, sealing and opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from registry.ledger.canonical import canonical_json
from registry.ledger.dsse import Envelope, SignatureError, UnknownKeyError, sign_envelope
from registry.ledger.errors import EnvelopeFormatError, PayloadError
from registry.ledger.keys import Keyring, SigningKey
from registry.ledger.payload import (
    GENESIS_PREV,
    EventPayload,
    Precision,
    format_instant,
    open_envelope,
    parse_instant,
    seal,
)

from .builders import AGREEMENT, make_payload, payload_fields


def test_genesis_prev_is_64_zeros() -> None:
    assert GENESIS_PREV == "0" * 64


def test_payload_bytes_are_the_canonical_json_of_exactly_the_nine_members() -> None:
    assert make_payload().to_bytes() == (
        b'{"actor":"treaty.officer",'
        b'"agreement":"1f3c5e7a-9b2d-4c6e-8f10-2a4b6c8d0e1f",'
        b'"data":{"reference":"PK-KZ-2026-001","titles":{"en":"Joint Declaration"}},'
        b'"effective":"2026-02-04",'
        b'"precision":"day",'
        b'"prev":"0000000000000000000000000000000000000000000000000000000000000000",'
        b'"recorded":"2026-02-05T09:30:00.123456Z",'
        b'"type":"Drafted",'
        b'"version":1}'
    )


def test_a_payload_round_trips_through_its_bytes() -> None:
    payload = make_payload(data={"parties": ["PK", "KZ"], "articles": 12})
    assert EventPayload.from_bytes(payload.to_bytes()) == payload


def test_a_precision_member_is_stored_as_its_plain_value() -> None:
    payload = make_payload(precision=Precision.MONTH)
    assert payload.precision == "month"
    assert type(payload.precision) is str


def test_changing_the_callers_data_after_construction_changes_nothing_signed() -> None:
    data: dict[str, Any] = {"titles": {"en": "Roadmap"}}
    payload = make_payload(data=data)
    before = payload.to_bytes()
    data["titles"]["en"] = "Something else"
    assert payload.to_bytes() == before


MALFORMED_FIELDS = [
    pytest.param("agreement", "1F3C5E7A-9B2D-4C6E-8F10-2A4B6C8D0E1F", id="agreement-uppercase"),
    pytest.param("agreement", "1f3c5e7a9b2d4c6e8f102a4b6c8d0e1f", id="agreement-no-hyphens"),
    pytest.param("agreement", "PK-KZ-2026-001", id="agreement-reference"),
    pytest.param("agreement", 7, id="agreement-number"),
    pytest.param("version", 0, id="version-zero"),
    pytest.param("version", -1, id="version-negative"),
    pytest.param("version", True, id="version-bool"),
    pytest.param("version", "1", id="version-text"),
    pytest.param("version", 2**53, id="version-unsafe"),
    pytest.param("type", "", id="type-empty"),
    pytest.param("type", 3, id="type-number"),
    pytest.param("effective", "2026-2-4", id="effective-unpadded"),
    pytest.param("effective", "2026-02-30", id="effective-impossible"),
    pytest.param("effective", "20260204", id="effective-basic-format"),
    pytest.param("effective", "2026-02-04T00:00:00", id="effective-with-time"),
    pytest.param("effective", "\uff12\uff10\uff12\uff16-02-04", id="effective-non-ascii-digits"),
    pytest.param("precision", "week", id="precision-unknown"),
    pytest.param("precision", "Day", id="precision-capitalised"),
    pytest.param("precision", ["day"], id="precision-list"),
    pytest.param("recorded", "2026-02-05T09:30:00Z", id="recorded-no-fraction"),
    pytest.param("recorded", "2026-02-05T09:30:00.123Z", id="recorded-milliseconds"),
    pytest.param("recorded", "2026-02-05T09:30:00.123456+00:00", id="recorded-offset"),
    pytest.param("recorded", "2026-02-05T09:30:00.123456z", id="recorded-lowercase-z"),
    pytest.param("recorded", "2026-02-05 09:30:00.123456Z", id="recorded-space"),
    pytest.param("recorded", "2026-02-30T09:30:00.123456Z", id="recorded-impossible"),
    pytest.param("recorded", "2026-02-05T24:00:00.000000Z", id="recorded-hour-24"),
    pytest.param("actor", "", id="actor-empty"),
    pytest.param("actor", None, id="actor-null"),
    pytest.param("prev", "0" * 63, id="prev-short"),
    pytest.param("prev", "A" * 64, id="prev-uppercase"),
    pytest.param("prev", "g" * 64, id="prev-not-hex"),
    pytest.param("data", [], id="data-list"),
    pytest.param("data", None, id="data-null"),
    pytest.param("data", {"share": 0.5}, id="data-float"),
]


@pytest.mark.parametrize(("field", "value"), MALFORMED_FIELDS)
def test_a_payload_with_a_malformed_field_cannot_be_built(field: str, value: object) -> None:
    with pytest.raises(PayloadError):
        make_payload(**{field: value})


# A float or an unsafe integer cannot even be serialised; those are refused from raw bytes below.
EXPRESSIBLE_MALFORMED_FIELDS = [
    case for case in MALFORMED_FIELDS if case.id not in {"version-unsafe", "data-float"}
]


@pytest.mark.parametrize(("field", "value"), EXPRESSIBLE_MALFORMED_FIELDS)
def test_payload_bytes_with_a_malformed_field_are_refused(field: str, value: object) -> None:
    with pytest.raises(PayloadError):
        EventPayload.from_bytes(canonical_json(payload_fields(**{field: value})))


@pytest.mark.parametrize(
    ("valid", "malformed"),
    [
        pytest.param(b'"version":1}', b'"version":9007199254740992}', id="version-unsafe"),
        pytest.param(b'"reference":"PK-KZ-2026-001"', b'"reference":0.5', id="data-float"),
    ],
)
def test_payload_bytes_with_numbers_beyond_registry_json_are_refused(
    valid: bytes, malformed: bytes
) -> None:
    data = make_payload().to_bytes()
    assert valid in data
    with pytest.raises(PayloadError):
        EventPayload.from_bytes(data.replace(valid, malformed))


def test_payload_bytes_with_an_extra_member_are_refused() -> None:
    with pytest.raises(PayloadError, match=r"unexpected \['reason'\]"):
        EventPayload.from_bytes(canonical_json(payload_fields(reason="typo")))


def test_payload_bytes_missing_a_member_are_refused() -> None:
    fields = payload_fields()
    del fields["actor"]
    with pytest.raises(PayloadError, match=r"missing \['actor'\]"):
        EventPayload.from_bytes(canonical_json(fields))


def test_payload_bytes_that_are_not_canonical_are_refused() -> None:
    spaced = make_payload().to_bytes().replace(b",", b", ")
    with pytest.raises(PayloadError, match="canonical"):
        EventPayload.from_bytes(spaced)


def test_payload_bytes_that_are_not_an_object_are_refused() -> None:
    with pytest.raises(PayloadError, match="object"):
        EventPayload.from_bytes(b"[]")


# --- recorded instants -------------------------------------------------------------------


def test_format_instant_writes_utc_with_six_fraction_digits() -> None:
    moment = datetime(2026, 3, 3, 9, 5, 7, 1234, tzinfo=UTC)
    assert format_instant(moment) == "2026-03-03T09:05:07.001234Z"


def test_format_instant_keeps_six_digits_for_a_whole_second() -> None:
    assert format_instant(datetime(2026, 3, 3, tzinfo=UTC)) == "2026-03-03T00:00:00.000000Z"


def test_format_instant_converts_other_offsets_to_utc() -> None:
    karachi = timezone(timedelta(hours=5))
    moment = datetime(2026, 2, 5, 1, 0, 0, 5, tzinfo=karachi)
    assert format_instant(moment) == "2026-02-04T20:00:00.000005Z"


def test_format_instant_refuses_a_naive_datetime() -> None:
    with pytest.raises(PayloadError, match="timezone-aware"):
        format_instant(datetime(2026, 2, 5, 9, 30))


def test_parse_instant_returns_an_aware_utc_datetime() -> None:
    moment = parse_instant("2026-02-05T09:30:00.123456Z")
    assert moment == datetime(2026, 2, 5, 9, 30, 0, 123456, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)


def test_parse_instant_inverts_format_instant() -> None:
    moment = datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_instant(format_instant(moment)) == moment


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-05T09:30:00.123456",
        "2026-02-05T09:30:00.1234567Z",
        "2026-02-05T09:30:60.000000Z",
        "2026-02-05T09:30:00.123456Z\n",
        "2026-02-05",
    ],
)
def test_parse_instant_refuses_every_other_format(text: str) -> None:
    with pytest.raises(PayloadError):
        parse_instant(text)


# --- sealing and opening ---------------------------------------------------------------------


def test_a_sealed_payload_opens_to_the_same_payload_envelope_and_keyid(
    officer_key: SigningKey, keyring: Keyring
) -> None:
    payload = make_payload()
    sealed = seal(payload, officer_key)
    opened, envelope, keyid = open_envelope(sealed, keyring.public_key)
    assert opened == payload
    assert envelope.to_bytes() == sealed
    assert envelope.payload == payload.to_bytes()
    assert keyid == officer_key.keyid


def test_opening_an_envelope_by_an_unknown_key_is_refused(
    other_key: SigningKey, keyring: Keyring
) -> None:
    with pytest.raises(UnknownKeyError):
        open_envelope(seal(make_payload(), other_key), keyring.public_key)


def test_opening_an_envelope_whose_payload_was_edited_is_refused(
    officer_key: SigningKey, keyring: Keyring
) -> None:
    envelope = Envelope.from_bytes(seal(make_payload(), officer_key))
    edited = make_payload(effective="2026-02-03").to_bytes()
    forged = Envelope(edited, envelope.payload_type, envelope.signatures).to_bytes()
    with pytest.raises(SignatureError):
        open_envelope(forged, keyring.public_key)


def test_opening_malformed_envelope_bytes_is_refused(keyring: Keyring) -> None:
    with pytest.raises(EnvelopeFormatError):
        open_envelope(b"{}", keyring.public_key)


def test_opening_a_validly_signed_but_malformed_payload_is_refused(
    officer_key: SigningKey, keyring: Keyring
) -> None:
    signed_junk = sign_envelope(canonical_json({"agreement": AGREEMENT}), officer_key)
    with pytest.raises(PayloadError, match="missing"):
        open_envelope(signed_junk.to_bytes(), keyring.public_key)
