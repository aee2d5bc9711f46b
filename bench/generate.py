"""A deterministic generator of realistic archives, written as fixture scripts.

    .venv/bin/python -m bench.generate --agreements 250000 --out /tmp/archive [--seed 1]

Agreements are bilateral (most) and multilateral (2 to 190 parties, a heavy tail), of every
kind and both legal characters: binding ones are adopted, signed (simple, definitive, ad
referendum), consented to by every kind of consent (ratification, acceptance, approval,
accession by a state that did not negotiate, succession, notification of completed internal
procedures), get reservations and declarations, enter into force, are amended by protocols
that are agreements of their own, suspended and resumed, withdrawn from; non-binding ones
take effect and carry milestones whose status changes. Some records are corrected later (a
signature's date superseded) and some are recorded long after the fact and out of order (a
party's signature recorded after the treaty's entry into force). The same seed gives the
same files, byte for byte.

The steps of about fifty agreements at a time are interleaved, as a registry records several
files at once; each output file holds `--per-file` agreements, so loading stays bounded in
memory (`registry load DIR/*.json`).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

OFFICERS = ("officer.islamabad", "officer.astana", "officer.depositary")
KINDS_BINDING = ("treaty", "convention", "agreement", "protocol", "exchange_of_notes")
KINDS_SOFT = ("memorandum_of_understanding", "joint_declaration", "roadmap", "action_plan")
CONSENTS_AFTER_SIGNATURE = ("ratification", "acceptance", "approval", "notification")
SUBJECTS = (
    "Transit Trade", "Air Services", "Visa Facilitation", "Cultural Cooperation",
    "Avoidance of Double Taxation", "Mutual Legal Assistance", "Energy Cooperation",
    "Investment Protection", "Railway Transport", "Water Resources", "Customs Cooperation",
    "Scientific and Technical Cooperation", "Extradition", "Fisheries", "Maritime Transport",
)  # fmt: skip
TITLE_RU = "Соглашение о сотрудничестве"
TITLE_UR = "تعاون کا معاہدہ"


def party_codes() -> list[str]:
    """190 distinct three-letter codes, the first a few real ones."""
    real = ["PAK", "KAZ", "UZB", "TKM", "KGZ", "TJK", "AFG", "IRN", "CHN", "TUR", "AZE", "RUS"]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    made = [f"X{a}{b}" for a in letters for b in letters]
    return real + made[: 190 - len(real)]


PARTIES = party_codes()


@dataclass
class Script:
    reference: str
    steps: list[dict[str, Any]]


def step(ref: str, type_: str, effective: date | str, data: dict[str, Any], **extra: Any) -> dict:
    when = effective if isinstance(effective, str) else effective.isoformat()
    return {
        "agreement": ref,
        "type": type_,
        "effective": when,
        "actor": extra.get("actor", OFFICERS[2]),
        "source": extra.get("source"),
        "reason": extra.get("reason"),
        "data": data,
    }


def party(code: str) -> dict[str, str]:
    return {"code": code, "name": f"State {code}", "type": "state"}


MAX_PARTIES = [190]  # --max-parties


def party_count(rng: random.Random) -> int:
    if rng.random() < 0.93 or MAX_PARTIES[0] <= 2:
        return 2
    return min(MAX_PARTIES[0], 3 + int(rng.paretovariate(1.2) * 3))


def agreement(rng: random.Random, number: int) -> list[Script]:
    """One agreement's steps (and its amending protocol's, if it has one)."""
    year = 1950 + number % 60  # every act, amendments and withdrawals too, before today
    ref = f"GEN-{year}-{number:06d}"
    count = party_count(rng)
    codes = rng.sample(PARTIES, count)
    binding = rng.random() < 0.8
    kind = rng.choice(KINDS_BINDING if binding else KINDS_SOFT)
    start = date(year, 1, 1) + timedelta(days=rng.randrange(300))
    subject = rng.choice(SUBJECTS)
    acceding = codes[-max(1, count // 5) :] if count > 3 else []
    negotiating = [c for c in codes if c not in acceding]
    drafted = {
        "reference": ref,
        "titles": {"en": f"Agreement on {subject} ({number})", "ru": TITLE_RU, "ur": TITLE_UR},
        "kind": kind,
        "character": "binding" if binding else "non_binding",
        "multilateral": count > 2,
        "parties": [party(c) for c in negotiating],
        "withdrawal_notice_months": rng.choice((6, 12)),
    }
    steps = [step(ref, "Drafted", start.isoformat()[:7], drafted, source="Negotiating text")]
    day = start + timedelta(days=30)
    if not binding:
        return [Script(ref, steps + _soft(rng, ref, day))]
    steps.append(step(ref, "TextAdopted", day, {"place": "Geneva"}))
    signatures: dict[str, date] = {}
    for code in negotiating:
        day += timedelta(days=rng.randrange(0, 3))
        kind_of = "definitive" if rng.random() < 0.15 else "simple"
        signatures[code] = day
        steps.append(
            step(ref, "Signed", day, {"party": code, "signatory": f"Minister of {code}",
                                      "capacity": "Minister of Foreign Affairs",
                                      "signature_type": kind_of, "place": "Geneva"})
        )  # fmt: skip
        if kind_of == "definitive":
            signatures.pop(code)
    signed_on = day
    for code in signatures:
        day += timedelta(days=rng.randrange(10, 200))
        steps.append(
            step(ref, "ConsentExpressed", day,
                 {"party": code, "instrument": rng.choice(CONSENTS_AFTER_SIGNATURE)})
        )  # fmt: skip
        if rng.random() < 0.08:
            steps.append(
                step(ref, "ReservationMade", day, {"party": code, "article": "12(2)",
                                                   "text": "Not bound by article 12(2)."})
            )  # fmt: skip
    day += timedelta(days=30)
    steps.append(step(ref, "EnteredIntoForce", day, {}, actor=OFFICERS[0]))
    for code in acceding:
        day += timedelta(days=rng.randrange(30, 400))
        how = "succession" if rng.random() < 0.2 else "accession"
        steps.append(
            step(ref, "ConsentExpressed", day,
                 {"party": code, "instrument": how, "acceding": party(code)})
        )  # fmt: skip
        if rng.random() < 0.1:
            steps.append(
                step(ref, "DeclarationMade", day, {"party": code, "article": None,
                                                   "text": "Applies to its home territory."})
            )  # fmt: skip
    if rng.random() < 0.1:  # recorded long after, effective before what precedes it
        steps.append(
            step(ref, "DeclarationMade", signed_on,
                 {"party": negotiating[0], "article": None, "text": "Declaration on signature."},
                 reason="Recorded late, from the signing file")
        )  # fmt: skip
    if rng.random() < 0.05:
        first_signature = next(n for n, s in enumerate(steps, 1) if s["type"] == "Signed")
        when = date.fromisoformat(steps[first_signature - 1]["effective"]) - timedelta(days=1)
        when = max(when, date.fromisoformat(steps[1]["effective"]))
        steps.append(
            step(ref, "EventCorrected", when + timedelta(days=400),
                 {"corrects": first_signature, "action": "supersede",
                  "new_effective": when.isoformat()},
                 reason="The certified copy gives the day before")
        )  # fmt: skip
    scripts = [Script(ref, steps)]
    if rng.random() < 0.03:
        scripts.append(_amendment(ref, negotiating, day + timedelta(days=500), drafted, steps))
    if rng.random() < 0.03:
        day += timedelta(days=700)
        who = rng.choice(codes)
        steps.append(step(ref, "Suspended", day, {"party": None}))
        steps.append(step(ref, "Resumed", day + timedelta(days=90), {"party": None}))
        steps.append(
            step(ref, "WithdrawalNotified", day + timedelta(days=120),
                 {"party": who, "takes_effect": (day + timedelta(days=120 + 400)).isoformat()})
        )  # fmt: skip
    return scripts


def _soft(rng: random.Random, ref: str, day: date) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for number in range(rng.randrange(1, 4)):
        milestone = f"m{number}"
        steps.append(
            step(ref, "MilestoneRecorded", day,
                 {"milestone": milestone, "title": f"Target {number}",
                  "due": (day + timedelta(days=365)).isoformat()[:7], "status": "planned",
                  "description": None})
        )  # fmt: skip
        for status in ("in_progress", rng.choice(("achieved", "missed", "cancelled"))):
            day += timedelta(days=rng.randrange(30, 200))
            steps.append(
                step(ref, "MilestoneStatusChanged", day, {"milestone": milestone, "status": status})
            )
    return steps


def _amendment(
    parent: str, codes: list[str], day: date, drafted: dict[str, Any], steps: list[dict]
) -> Script:
    ref = f"{parent}-P1"
    data = drafted | {
        "reference": ref,
        "titles": {"en": f"Protocol amending {drafted['titles']['en']}"},
        "kind": "protocol",
        "parent": parent,
        "parties": [party(c) for c in codes],
    }
    own = [step(ref, "Drafted", day, data)]
    from registry.domain.agreement import Agreement

    steps.append(
        step(parent, "Amended", day, {"amendment_reference": ref,
                                      "amendment": str(Agreement.create_id(ref)),
                                      "summary": "Annex I amended."})
    )  # fmt: skip
    return Script(ref, own)


def interleaved(rng: random.Random, first: int, count: int, window: int = 50) -> Iterator[dict]:
    """The steps of agreements first..first+count, about `window` in progress at a time."""
    scripts: list[Script] = []
    for number in range(first, first + count):
        scripts.extend(agreement(rng, number))
    active: list[list[dict]] = []
    queue = iter(scripts)
    while True:
        while len(active) < window:
            script = next(queue, None)
            if script is None:
                break
            active.append(list(reversed(script.steps)))
        if not active:
            return
        current = rng.randrange(len(active))
        yield active[current].pop()
        if not active[current]:
            active.pop(current)


def generate(
    out: Path,
    agreements: int,
    per_file: int = 5000,
    seed: int = 1,
    progress: bool = False,
    max_parties: int = 190,
) -> list[Path]:
    MAX_PARTIES[0] = max_parties
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    written = []
    files = (agreements + per_file - 1) // per_file
    for index in range(files):
        first = index * per_file
        count = min(per_file, agreements - first)
        path = out / f"archive-{index:05d}.json"
        steps = list(interleaved(rng, first, count))
        path.write_text(json.dumps({"steps": steps}, ensure_ascii=False), encoding="utf-8")
        written.append(path)
        if progress:
            _bar(index + 1, files, first + count)
    if progress:
        sys.stderr.write("\n")
    return written


def _bar(done: int, total: int, agreements: int) -> None:
    width = 40
    filled = width * done // total
    sys.stderr.write(
        f"\rgenerating [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files, "
        f"{agreements} agreements"
    )
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=2000)
    parser.add_argument("--per-file", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--max-parties", type=int, default=190, help="2: bilateral only")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    paths = generate(
        args.out, args.agreements, args.per_file, args.seed, not args.quiet, args.max_parties
    )
    steps = sum(len(json.loads(p.read_text(encoding="utf-8"))["steps"]) for p in paths)
    print(f"wrote {len(paths)} fixture files, {args.agreements} agreements, {steps} steps")


if __name__ == "__main__":
    main()
