"""The domain's refusals in the officer's language (issue 14): every refusal is raised with a
template and named parameters, every template is in each catalogue with the same parameters,
and a refused act shows the translation filled with the party and the date as Babel writes it
in that language, to the precision given. English (and the API) read as before."""

from __future__ import annotations

import ast
import html
import string

import pytest
from flask.testing import FlaskClient

from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError, all_error_classes
from registry.store.application import Registry
from registry.web.domain_words import refusal_classes, refusal_templates, template_calls
from tests.integration.helpers import signed_data
from tests.web.conftest import OFFICER, Auth, csrf_token, error_summary, post_form
from tests.web.test_languages import LANGUAGES, catalogue, msgid

RECORD_URL = "/agreements/PK-KZ-2026-900/record/ConsentExpressed"
CORRECT_URL = "/agreements/PK-KZ-2026-900/events/2/correct"


def fields(template: str) -> set[tuple[str, str | None]]:
    return {(name, conversion) for _, name, _, conversion in string.Formatter().parse(template)
            if name is not None}  # fmt: skip


def test_every_refusal_is_raised_with_a_template_not_a_composed_message() -> None:
    composed = [
        f"{path.name}:{call.lineno}"
        for path, call, argument in template_calls()
        if isinstance(argument, ast.JoinedStr | ast.BinOp)
    ]
    assert not composed, f"refusals composed in English instead of a template: {composed}"
    raised = set()
    for _path, call, _argument in template_calls():
        func = call.func
        raised.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    bases = {cls.__name__ for cls in all_error_classes() if cls.__subclasses__()}
    assert refusal_classes() - bases - raised == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refusal_template_is_translated_with_its_parameters(language: str) -> None:
    messages = {msgid(m.id): m for m in catalogue(language) if m.id}
    templates = set(refusal_templates())
    assert len(templates) > 140
    missing = sorted(t for t in templates if t not in messages or not messages[t].string)
    assert not missing, f"refusals not translated in {language}: {missing}"
    broken = [t for t in templates if fields(str(messages[t].string)) != fields(t)]
    assert not broken, f"parameters changed in {language}: {broken}"


def test_the_english_message_is_the_template_filled_in_english() -> None:
    from registry.domain.errors_acts import DateOutOfOrder

    error = DateOutOfOrder(
        "{name} cannot sign on {effective}, after its {instrument} of {consent}",
        name="Pakistan",
        effective=PartialDate.parse("2026-04"),
        instrument="ratification",
        consent=PartialDate.parse("2026"),
        field="effective",
    )
    assert error.message == str(error)
    assert error.message == "Pakistan cannot sign on April 2026, after its ratification of 2026"
    assert error.field == "effective" and isinstance(error, DomainError)


@pytest.fixture
def signed(registry: Registry, agreement: str) -> str:
    registry.record(
        agreement,
        "Signed",
        effective=PartialDate.parse("2026-04-20"),
        actor=OFFICER,
        data=signed_data("PAK"),
    )
    return agreement


def in_language(client: FlaskClient, auth: Auth, language: str) -> FlaskClient:
    auth.login("officer")
    token = csrf_token(client, "/agreements")
    client.post("/language", data={"csrf_token": token, "language": language, "next": "/"})
    return client


def refuse_consent(client: FlaskClient, effective: str) -> str:
    response = post_form(
        client,
        RECORD_URL,
        {
            "expected_version": "2",
            "party": "PAK",
            "instrument": "ratification",
            "effective": effective,
        },
    )
    assert response.status_code == 422
    return html.unescape(error_summary(response.get_data(as_text=True)))


@pytest.mark.parametrize(
    ("language", "effective", "expected"),
    [
        (
            "ru",
            "2026-04-10",
            "Документ «ратификация» Pakistan не может быть датирован 10 апреля 2026, до его "
            "подписи от 20 апреля 2026",
        ),
        ("ru", "2026-03", "не может быть датирован март 2026, до его подписи от 20 апреля 2026"),
        (
            "ur",
            "2026-04-10",
            "Pakistan کی توثیق کی تاریخ 20 اپریل 2026 کے اس کے دستخط سے پہلے 10 اپریل 2026 "
            "نہیں ہو سکتی",
        ),
        (
            "kk",
            "2026-04-10",
            "Pakistan «ратификация» құжаты 20 сәуір 2026 қолынан бұрын, 10 сәуір 2026 күнімен "
            "белгіленбейді",
        ),
        (
            "en",
            "2026-04-10",
            "Pakistan's ratification cannot be dated 10 April 2026, before its signature of "
            "20 April 2026",
        ),
    ],
)
def test_a_refused_act_speaks_the_officers_language(
    client: FlaskClient, auth: Auth, signed: str, language: str, effective: str, expected: str
) -> None:
    summary = refuse_consent(in_language(client, auth, language), effective)
    assert expected in summary


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            "Pakistan не может подписать апрель 2026, после своего документа «ратификация» от 2026",
        ),
        ("ur", "Pakistan، 2026 کی اپنی توثیق کے بعد اپریل 2026 کو دستخط نہیں کر سکتا"),
        ("en", "Pakistan cannot sign on April 2026, after its ratification of 2026"),
    ],
)
def test_dates_keep_their_precision_in_every_language(
    client: FlaskClient, language: str, expected: str
) -> None:
    from registry.domain.errors import words
    from registry.domain.errors_acts import DateOutOfOrder
    from registry.web.refusals import refusal_text

    error = DateOutOfOrder(
        "{name} cannot sign on {effective}, after its {instrument} of {consent}",
        name="Pakistan",
        effective=PartialDate.parse("2026-04"),
        instrument=words("ratification"),
        consent=PartialDate.parse("2026"),
    )
    with client.application.test_request_context(headers={"Accept-Language": language}):
        assert refusal_text(error) == expected


def test_a_refused_correction_is_translated_with_the_refusal_inside_it(
    client: FlaskClient, auth: Auth, signed: str, registry: Registry
) -> None:
    registry.record(
        signed,
        "ConsentExpressed",
        effective=PartialDate.parse("2026-05-15"),
        actor=OFFICER,
        data={"party": "PAK", "instrument": "ratification"},
    )
    response = post_form(
        in_language(client, auth, "ru"),
        CORRECT_URL,
        {
            "expected_version": "3",
            "action": "supersede",
            "new_effective": "2026-06-01",
            "new-party": "PAK",
            "new-signatory": "Minister",
            "new-capacity": "Minister of Foreign Affairs",
            "new-signature_type": "simple",
            "new-place": "Islamabad",
            "effective": "2026-06-02",
            "reason": "The signature was in June",
        },
    )
    summary = html.unescape(error_summary(response.get_data(as_text=True)))
    assert response.status_code == 422, summary
    assert "Исправление события 2 нарушило бы событие 3" in summary
    assert "15 мая 2026" in summary and "1 июня 2026" in summary
    assert "Сначала отзовите или исправьте событие 3, затем исправьте событие 2" in summary
    assert "Retract" not in summary and "May 2026" not in summary


def test_the_api_keeps_the_english_message(
    client: FlaskClient, signed: str, registry: Registry
) -> None:
    with pytest.raises(DomainError) as refused:
        registry.record(
            signed,
            "ConsentExpressed",
            effective=PartialDate.parse("2026-04-10"),
            actor=OFFICER,
            data={"party": "PAK", "instrument": "ratification"},
        )
    assert refused.value.message.startswith("Pakistan's ratification cannot be dated 10 April")
    assert refused.value.params["name"] == "Pakistan"
    assert refused.value.params["effective"] == PartialDate.parse("2026-04-10")


@pytest.mark.parametrize(
    ("duration", "english", "russian"),
    [
        ({"years": 1}, "1 years after its entry into force", "через 1 лет после его вступления"),
        (
            {"years": 1, "tacit_renewal": {"years": 2}},
            "at the end of a term (1 years, renewed for 2)",
            "по окончании срока (1 лет, с продлением на 2)",
        ),
    ],
)
def test_how_the_duration_clause_puts_an_expiry_is_translated_too(
    client: FlaskClient, duration: dict, english: str, russian: str
) -> None:
    from registry.domain.rules.clauses import ExpiryContradictsClause
    from registry.web.refusals import refusal_text
    from tests.unit.domain.builders import OFFICER as ACTOR
    from tests.unit.domain.builders import day
    from tests.unit.domain.test_clauses import in_force_by_clause

    agreement = in_force_by_clause({"duration": duration})
    with pytest.raises(ExpiryContradictsClause) as refused:
        agreement.expire(effective=day(2027, 1, 1), actor=ACTOR)
    assert english in refused.value.message
    with client.application.test_request_context(headers={"Accept-Language": "ru"}):
        shown = refusal_text(refused.value)
    assert russian in shown
    assert english not in shown
