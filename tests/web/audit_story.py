"""The auditors' story, recorded on a settable clock so that the registry's own instants are in
early 2026: a backdated ratification, a corrected signature date, entry into force, a notified
withdrawal, a roadmap with milestones, and an agreement with another party.

PK-KZ-2026-900, Agreement on Transit Trade (Pakistan, Kazakhstan; binding):
  v1 Drafted          1 Feb   recorded 1 Feb
  v2 Signed PAK       3 Feb   recorded 3 Feb
  v3 Signed KAZ       2 Feb   recorded 4 Feb     (wrong: it was 3 Feb)
  v4 Ratified PAK    15 Feb   recorded 3 Mar     (backdated: 16 days late)
  v5 Corrected v3    10 Mar   recorded 10 Mar    (new date 3 Feb)
  v6 Ratified KAZ     1 Apr   recorded 2 Apr
  v7 In force         1 May   recorded 1 May
  v8 KAZ withdraws    1 Jun   recorded 2 Jun     (takes effect 1 Dec: six months' notice)
PK-KZ-2026-902, Roadmap (Pakistan, Kazakhstan; non-binding), milestones due 31 May and 31 Dec.
PK-UZ-2026-001, Agreement on Rail Freight (Pakistan, Uzbekistan), signed by Pakistan 10 Feb.
"""

from __future__ import annotations

from registry.store.accounts.users import add_demo_users
from registry.store.application import Registry
from registry.store.events.keystore import KeyStore, publish_anchors
from registry.store.settings import Settings
from tests.integration.helpers import (
    ASTANA,
    ISLAMABAD,
    OFFICERS,
    PAKISTAN,
    SteppingClock,
    at,
    day,
    drafted_data,
    signed_data,
)

TRANSIT = "PK-KZ-2026-900"
ROADMAP = "PK-KZ-2026-902"
RAIL = "PK-UZ-2026-001"
UZBEKISTAN = {"code": "UZB", "name": "Uzbekistan", "type": "state"}
CORRECTION_REASON = "The signature was on 3 February, not 2 February"


def build_story(settings: Settings) -> Settings:
    """A new instance for `settings` (its home folder and database), holding the story."""
    home = settings.home
    home.mkdir(parents=True)
    keystore = KeyStore(settings.private_keys_dir)
    keystore.create()
    for directory in (home / "public", settings.keys_dir):
        publish_anchors(directory, settings.log_origin, keystore.authority(), keystore.log())
    clock = SteppingClock(at("2026-01-05T09:00:00"))
    registry = Registry(settings)
    registry.signed_recorder.clock = clock
    try:
        registry.keyring()
        for officer in OFFICERS:
            registry.register_officer(officer)
        add_demo_users(registry, OFFICERS)
        _record(registry, clock)
    finally:
        registry.close()
    return settings


def _record(registry: Registry, clock: SteppingClock) -> None:
    """Each step at its recorded instant, in recorded order (the log only moves forwards)."""

    def on(moment: str, ref: str, type_name: str, effective: str, actor: str, **data: object):
        clock.set(at(moment))
        reason = data.pop("reason", None)
        return registry.record(
            ref, type_name, effective=day(effective), actor=actor, data=data, reason=reason
        )

    clock.set(at("2026-02-01T10:00:00"))
    registry.draft(
        effective=day("2026-02-01"),
        actor=ISLAMABAD,
        data=drafted_data(TRANSIT),
    )
    on("2026-02-03T10:00:00", TRANSIT, "Signed", "2026-02-03", ISLAMABAD, **signed_data("PAK"))
    on("2026-02-04T10:00:00", TRANSIT, "Signed", "2026-02-02", ASTANA, **signed_data("KAZ"))

    clock.set(at("2026-02-09T10:00:00"))
    registry.draft(
        effective=day("2026-02-09"),
        actor=ISLAMABAD,
        data=drafted_data(
            RAIL, titles={"en": "Agreement on Rail Freight"}, parties=[PAKISTAN, UZBEKISTAN]
        ),
    )
    on("2026-02-10T10:00:00", RAIL, "Signed", "2026-02-10", ISLAMABAD, **signed_data("PAK"))

    clock.set(at("2026-02-20T10:00:00"))
    registry.draft(
        effective=day("2026-02-20"),
        actor=ISLAMABAD,
        data=drafted_data(
            ROADMAP,
            titles={"en": "Five-Year Trade Roadmap"},
            kind="roadmap",
            character="non_binding",
        ),
    )
    for moment, milestone, title, due in (
        ("2026-02-21T10:00:00", "M1", "Joint trade committee meets", "2026-05-31"),
        ("2026-02-21T11:00:00", "M2", "Bilateral trade reaches $2bn", "2026-12-31"),
    ):
        on(
            moment,
            ROADMAP,
            "MilestoneRecorded",
            "2026-02-21",
            ISLAMABAD,
            milestone=milestone,
            title=title,
            due=due,
            status="planned",
        )

    on(
        "2026-03-03T10:00:00",
        TRANSIT,
        "ConsentExpressed",
        "2026-02-15",
        ISLAMABAD,
        party="PAK",
        instrument="ratification",
    )
    on(
        "2026-03-10T10:00:00",
        TRANSIT,
        "EventCorrected",
        "2026-03-10",
        ASTANA,
        corrects=3,
        action="supersede",
        new_effective="2026-02-03",
        changes={},
        reason=CORRECTION_REASON,
    )
    on(
        "2026-04-02T10:00:00",
        TRANSIT,
        "ConsentExpressed",
        "2026-04-01",
        ASTANA,
        party="KAZ",
        instrument="ratification",
    )
    on("2026-05-01T10:00:00", TRANSIT, "EnteredIntoForce", "2026-05-01", ISLAMABAD)
    on(
        "2026-06-02T10:00:00",
        TRANSIT,
        "WithdrawalNotified",
        "2026-06-01",
        ASTANA,
        party="KAZ",
        takes_effect="2026-12-01",
    )
