"""The invariants of an agreement, as `check_*` functions over a Record and a proposed fact.

`catalogue.check(record, fact)` (each type's declaration names its rule) is what a command
runs before it triggers its event, and what a correction runs over the whole corrected
history (in recorded order) before it is accepted.
Every ordering rule compares dates with `definitely_after` / `definitely_before`, so a vague
date ("February 2026") never contradicts a precise one inside it. Each pairwise rule is
checked from both sides (a late-recorded adoption is checked against the signatures already
recorded), so the outcome does not depend on which of two acts was recorded first.

Sequences that the views fold in order (milestone status changes, suspension and resumption
of one scope, expiries and renewals, text revisions) must also be recorded in date order: a
step may not start before the step it follows, so folding by (effective start, version)
replays them exactly as they were checked.

Decisions beyond the design's invariants:

- Nothing (documents included) may be dated before the agreement's Drafted date; documents
  alone may be dated after its end (termination, expiry, or for a bilateral agreement the
  day a withdrawal takes effect). A renewal may come after an expiry (that is how an expired
  agreement revives) but an expiry may not fall inside a renewed term (`until`).
- The draft text may be revised (TextAmended, whose `summary` describes the revision) until
  it is adopted or anyone has signed or consented; a revision may not drop a party that acted.
- Signature ad referendum then a simple or definitive signature: the second confirms the
  first; any other second signature is a duplicate. Ratification, acceptance and approval
  need a simple signature not dated after them; a definitive signature is already consent.
- A state joins a multilateral agreement only by accession or succession. Once the
  agreement is in force for all, a party bound later is in force from its consent (VCLT art.
  24(3)) unless a later EnteredIntoForce for that party is recorded.
- Reservations are made when signing or consenting, so they need one not dated after them.
- Suspension, resumption and withdrawal need the agreement operative for that scope: in
  force (binding) or in effect (non-binding); resumption names the same scope (a party, or
  None for all) as the suspension it ends.
- Milestones: planned -> in progress or cancelled; in progress -> achieved, missed or
  cancelled; missed -> in progress or cancelled; achieved and cancelled are final. A
  milestone may be recorded with any status (for implementation already under way).
"""

from __future__ import annotations

from registry.domain.events import Drafted
from registry.domain.rules.clauses import check_drafted_clauses
from registry.domain.rules.text import check_drafted as check_drafted_text
from registry.domain.rules.timing import check_timing


def check_drafted(drafted: Drafted) -> None:
    check_drafted_text(drafted)
    check_drafted_clauses(drafted)


def check_drafting(drafted: Drafted) -> None:
    check_timing(drafted, ahead=False)  # Drafted schedules nothing (declared_acts.py)
    check_drafted(drafted)


__all__ = ["check_drafted", "check_drafting"]
