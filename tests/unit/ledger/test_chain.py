"""Hash chains: every break is reported, naming the agreement and the version."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from registry.ledger.canonical import sha256_hex
from registry.ledger.chain import (
    ChainError,
    first_problems,
    link_problems,
    require_intact_chain,
    verify_chain,
)
from registry.ledger.keys import SigningKey
from registry.ledger.payload import GENESIS_PREV, EventPayload, format_instant, seal

from .builders import AGREEMENT, FIRST_RECORDED, OTHER_AGREEMENT, sealed_chain

Chain = list[tuple[EventPayload, bytes]]


def resealed(
    key: SigningKey, chain: Chain, index: int, **changes: Any
) -> tuple[EventPayload, bytes]:
    """Event ``index`` of ``chain`` with ``changes``, validly signed again."""
    payload = replace(chain[index][0], **changes)
    return payload, seal(payload, key)


def test_an_intact_chain_has_no_problems(officer_key: SigningKey) -> None:
    assert verify_chain(sealed_chain(officer_key, 4)) == []


def test_an_empty_chain_has_no_problems() -> None:
    assert verify_chain([]) == []


def test_a_swapped_prev_names_both_hashes(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 3)
    wrong = sha256_hex(chain[0][1])
    chain[2] = resealed(officer_key, chain, 2, prev=wrong)
    assert verify_chain(chain) == [
        f"agreement {AGREEMENT}: version 3 names prev {wrong} "
        f"but version 2 hashes to {sha256_hex(chain[1][1])}"
    ]


def test_a_missing_version_is_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 4)
    removed = chain.pop(2)
    assert verify_chain(chain) == [
        f"agreement {AGREEMENT}: version 3 is missing between version 2 and version 4",
        f"agreement {AGREEMENT}: version 4 names prev {sha256_hex(removed[1])} "
        f"but version 2 hashes to {sha256_hex(chain[1][1])}",
    ]


def test_missing_versions_at_the_start_are_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 3)[2:]
    assert verify_chain(chain) == [
        f"agreement {AGREEMENT}: chain starts at version 3; versions 1 to 2 are missing",
        f"agreement {AGREEMENT}: version 3 is first but names prev {chain[0][0].prev}, "
        f"not the genesis value {GENESIS_PREV}",
    ]


def test_an_event_moved_from_another_agreement_is_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 3)
    chain[1] = sealed_chain(officer_key, 2, agreement=OTHER_AGREEMENT)[1]
    problems = verify_chain(chain)
    assert f"agreement {AGREEMENT}: version 2 belongs to agreement {OTHER_AGREEMENT}" in problems


def test_a_repeated_version_is_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 3)
    chain.insert(2, resealed(officer_key, chain, 1, type="EventCorrected"))
    problems = verify_chain(chain)
    assert f"agreement {AGREEMENT}: version 2 appears more than once" in problems


def test_versions_out_of_order_are_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 3)
    chain[1], chain[2] = chain[2], chain[1]
    problems = verify_chain(chain)
    assert f"agreement {AGREEMENT}: version 2 comes after version 3" in problems


def test_recorded_going_backwards_is_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 3)
    earlier = format_instant(FIRST_RECORDED - timedelta(seconds=1))
    chain[2] = resealed(officer_key, chain, 2, recorded=earlier)
    assert verify_chain(chain) == [
        f"agreement {AGREEMENT}: version 3 recorded {earlier}, "
        f"not after version 2 recorded {chain[1][0].recorded}"
    ]


def test_recorded_standing_still_is_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 2)
    chain[1] = resealed(officer_key, chain, 1, recorded=chain[0][0].recorded)
    assert verify_chain(chain) == [
        f"agreement {AGREEMENT}: version 2 recorded {chain[0][0].recorded}, "
        f"not after version 1 recorded {chain[0][0].recorded}"
    ]


def test_a_first_event_not_naming_genesis_is_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 1)
    chain[0] = resealed(officer_key, chain, 0, prev="1" * 64)
    assert verify_chain(chain) == [
        f"agreement {AGREEMENT}: version 1 is first but names prev {'1' * 64}, "
        f"not the genesis value {GENESIS_PREV}"
    ]


def test_a_payload_that_is_not_the_one_in_its_envelope_is_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 2)
    chain[1] = (replace(chain[1][0], actor="someone.else"), chain[1][1])
    assert verify_chain(chain) == [
        f"agreement {AGREEMENT}: version 2 does not match the payload inside its envelope"
    ]


def test_envelope_bytes_that_do_not_parse_are_named(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 2)
    chain[1] = (chain[1][0], chain[1][1] + b" ")
    problems = verify_chain(chain)
    assert problems[0].startswith(f"agreement {AGREEMENT}: version 2 has malformed envelope bytes")


def test_every_problem_is_reported_not_just_the_first(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 5)
    chain[1] = resealed(officer_key, chain, 1, prev="2" * 64)
    del chain[3]
    problems = verify_chain(chain)
    # Re-signing version 2 also breaks version 3's link to it; dropping 4 breaks 5's.
    assert [problem.split(": ", 1)[1].split(" names prev")[0] for problem in problems] == [
        "version 2",
        "version 3",
        "version 4 is missing between version 3 and version 5",
        "version 5",
    ]


def test_require_intact_chain_raises_with_every_problem(officer_key: SigningKey) -> None:
    chain = sealed_chain(officer_key, 3)
    del chain[1]
    with pytest.raises(ChainError) as raised:
        require_intact_chain(chain)
    assert raised.value.problems == verify_chain(chain)
    require_intact_chain(sealed_chain(officer_key, 3))


def test_checking_one_link_at_a_time_finds_what_verify_chain_finds(
    officer_key: SigningKey,
) -> None:
    chain = sealed_chain(officer_key, 5)
    chain[1] = resealed(officer_key, chain, 1, prev="2" * 64)
    del chain[3]
    streamed = first_problems(chain[0])
    for previous, current in itertools.pairwise(chain):
        streamed.extend(link_problems(previous, current))
    assert streamed == verify_chain(chain)
    assert len(streamed) == 4


def test_link_problems_name_the_chains_agreement_for_a_stray_event(
    officer_key: SigningKey,
) -> None:
    ours = sealed_chain(officer_key, 1)[0]
    stray = sealed_chain(officer_key, 2, agreement=OTHER_AGREEMENT)[1]
    assert link_problems(ours, stray)[0] == (
        f"agreement {AGREEMENT}: version 2 belongs to agreement {OTHER_AGREEMENT}"
    )
