from __future__ import annotations

import re
from pathlib import Path

from registry.domain import errors
from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError, all_error_classes, spoken

DOMAIN = Path(errors.__file__).parent


def test_every_refusal_has_its_own_stable_snake_case_code() -> None:
    codes = [cls.code for cls in all_error_classes()]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", code) for code in codes)


def test_every_refusal_is_raised_somewhere_in_the_domain() -> None:
    source = "\n".join(path.read_text() for path in DOMAIN.rglob("*.py"))
    abstract = {DomainError, errors.RequiredFieldMissing, errors.NotForNonBinding}
    for cls in all_error_classes():
        if cls not in abstract:
            assert re.search(rf"(?<!class ){cls.__name__}\(", source), cls


def test_an_error_carries_its_message_code_and_field() -> None:
    error = errors.RequiredFieldMissing("The signatory's name is required", field="signatory")
    assert (str(error), error.code, error.field) == (
        "The signatory's name is required",
        "required",
        "signatory",
    )
    assert errors.UnknownParty("x").field == "party"


def test_dates_in_messages_are_spoken_with_their_precision() -> None:
    assert spoken(PartialDate(2026, 2, 3)) == "3 February 2026"
    assert spoken(PartialDate(2026, 2)) == "February 2026"
    assert spoken(PartialDate(2026)) == "2026"
