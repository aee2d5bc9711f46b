"""Each event type is declared once, completely; an incomplete declaration is refused."""

from __future__ import annotations

import dataclasses

import pytest

from registry.domain import errors
from registry.domain.catalogue import DECLARATIONS, check_catalogue, declared
from registry.domain.declaration import Declaration, IncompleteDeclaration
from registry.domain.events import AGREEMENT_EVENTS, AgreementEvent


def test_every_agreement_event_type_is_declared_once_and_completely() -> None:
    check_catalogue()
    assert {d.event for d in DECLARATIONS} == set(AGREEMENT_EVENTS)


@pytest.mark.parametrize(
    ("part", "value", "problem"),
    [
        ("label", "", "label"),
        ("article", " ", "article"),
        ("help", "", "help"),
        ("act", None, "act kind"),
        ("correctable", None, "corrected"),
        ("command", "no_such_command", "no command"),
        ("example", {}, "example"),
        ("field_text", {"nope": ("Nope", None)}, "not its fields"),
    ],
)
def test_a_declaration_with_a_part_missing_is_refused(
    part: str, value: object, problem: str
) -> None:
    broken = dataclasses.replace(declared("Signed"), **{part: value})  # type: ignore[arg-type]
    others = tuple(d for d in DECLARATIONS if d.name != "Signed")
    with pytest.raises(IncompleteDeclaration, match=problem):
        check_catalogue((*others, broken))


def test_a_new_type_without_a_declaration_or_a_label_is_refused() -> None:
    class Ratified(AgreementEvent):
        party: str
        reference_to_instrument: str

    incomplete = Declaration(
        Ratified,
        command="sign",
        article="VCLT art. 14",
        rules=lambda record, fact: None,
        act=declared("Signed").act,
        standing=True,
        correctable=declared("Signed").correctable,
        label="Record a ratification",
        called="Ratified",
        help="A party ratifies.",
        example={"party": "PAK", "reference_to_instrument": "X"},
    )
    with pytest.raises(IncompleteDeclaration, match="reference_to_instrument"):
        check_catalogue((*DECLARATIONS, incomplete))
    with pytest.raises(IncompleteDeclaration, match="without a declaration"):
        check_catalogue(tuple(d for d in DECLARATIONS if d.name != "Signed"))
    with pytest.raises(IncompleteDeclaration, match="twice"):
        check_catalogue((*DECLARATIONS, declared("Signed")))


def test_every_problem_code_is_unique_and_carries_its_own_description() -> None:
    classes = errors.all_error_classes()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert "__doc__" in vars(cls) and (cls.__doc__ or "").strip(), cls.code


def test_every_command_draft_and_correct_included_takes_exactly_its_declared_fields() -> None:
    import inspect

    from registry.domain.agreement import Agreement, signature_of

    for declaration in DECLARATIONS:
        command = getattr(Agreement, declaration.command)
        parameters = dict(inspect.signature(command).parameters)
        parameters.pop("self", None)
        expected = signature_of(declaration).parameters
        assert list(parameters) == list(expected), declaration.name
        assert set(parameters) == {
            *declaration.fields(),
            "effective",
            "actor",
            "source",
            "reason",
            "notification",
        }, declaration.name
        for name, parameter in parameters.items():
            assert parameter.default == expected[name].default, (declaration.name, name)


def test_draft_and_correct_apply_their_declarations_defaults_and_normalisation() -> None:
    from registry.domain.agreement import Agreement
    from registry.domain.dates import PartialDate
    from registry.domain.values import AgreementKind, LegalCharacter, Party, PartyType

    pakistan = Party("PAK", "Pakistan", PartyType.STATE)
    kazakhstan = Party("KAZ", "Kazakhstan", PartyType.STATE)
    agreement = Agreement.draft(
        effective=PartialDate(2026, 1, 10),
        actor="officer.islamabad",
        reference="  PK-KZ-2026-090 ",
        titles={"en": "Agreement on Transit"},
        kind=AgreementKind.AGREEMENT,
        character=LegalCharacter.BINDING,
        multilateral=False,
        parties=[pakistan, kazakhstan],
        clauses={"withdrawal": {"notice": {"months": 6}}},
    )
    drafted = agreement.history[0]
    assert drafted.reference == "PK-KZ-2026-090"  # normalised
    assert drafted.parties == (pakistan, kazakhstan)  # a tuple
    assert drafted.withdrawal_notice_months == 6  # computed from the clause
    agreement.adopt_text(effective=PartialDate(2026, 1, 20), actor="officer.islamabad")
    agreement.correct(
        effective=PartialDate(2026, 1, 21),
        actor="officer.islamabad",
        corrects=2,
        changes={"place": "Astana"},
        reason="The place was left out.",
    )
    correction = agreement.history[-1]
    assert correction.changes == {"place": "Astana"}
    assert correction.action.value == "supersede"
    with pytest.raises(TypeError, match="draft: missing a required argument: 'reference'"):
        Agreement.draft(
            effective=PartialDate(2026, 1, 10),
            actor="officer.islamabad",
            titles={"en": "x"},
            kind=AgreementKind.AGREEMENT,
            character=LegalCharacter.BINDING,
            multilateral=False,
            parties=[pakistan, kazakhstan],
        )
