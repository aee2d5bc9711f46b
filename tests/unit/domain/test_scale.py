from __future__ import annotations

from registry.domain.values import MilestoneStatus
from tests.unit.domain.builders import (
    OFFICER,
    day,
    draft_mou,
    milestone_row,
    rebuilt,
)


def test_commands_and_a_correction_work_on_an_agreement_with_ten_thousand_events() -> None:
    roadmap = draft_mou()
    for number in range(5_000):
        roadmap.record_milestone(
            effective=day(2026, 2, 5), actor=OFFICER, milestone=f"m{number}", title="Target"
        )
        roadmap.change_milestone_status(
            effective=day(2026, 3, 1),
            actor=OFFICER,
            milestone=f"m{number}",
            status=MilestoneStatus.IN_PROGRESS,
        )
    # How long these take is a benchmark (bench/run: "domain correction"), not a test.
    roadmap.change_milestone_status(
        effective=day(2026, 9, 1), actor=OFFICER, milestone="m0", status=MilestoneStatus.ACHIEVED
    )
    roadmap.record_milestone(
        effective=day(2026, 9, 1), actor=OFFICER, milestone="last", title="One more"
    )
    roadmap.correct(
        effective=day(2026, 9, 2),
        actor=OFFICER,
        corrects=2,
        changes={"title": "Trade target"},
        reason="Title from the signed text",
    )
    assert roadmap.version == 10_004
    assert milestone_row(rebuilt(roadmap.collect_events()).state, "m0").status is (
        MilestoneStatus.ACHIEVED
    )
