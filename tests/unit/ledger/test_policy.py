"""C2SP tlog-policy: parsing every rule of the format, and k-of-n quorums over real notes."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry.ledger.cosignature import CosignatureSigner
from registry.ledger.note import NoteSigner, sign_note
from registry.ledger.policy import PolicyError, parse_policy
from tests.unit.ledger.test_cosignature import BODY, NOTE, OAK, WITNESS_LINE, line_of, raw_of

SIGNERS = [
    CosignatureSigner(f"witness.example/w{n}", Ed25519PrivateKey.generate()) for n in range(1, 4)
]
W1, W2, W3 = (signer.verifier().vkey for signer in SIGNERS)


def cosigned_by(*signers: CosignatureSigner) -> str:
    return NOTE + "".join(signer.cosign(BODY, 1_700_000_000).line() for signer in signers)


def test_the_published_cosignature_satisfies_a_policy_naming_its_witness() -> None:
    policy = parse_policy(f"log {OAK['log_vkey']}\nwitness oak {OAK['witness_vkey']}\nquorum oak\n")
    result = policy.check(NOTE)
    assert result.ok and result.cosigned == ("oak",)


def test_the_specs_two_level_example_counts_groups_of_groups() -> None:
    text = f"""
    # comments and blank lines are ignored
    log {OAK["log_vkey"]}
    witness X1 {W1}
    witness X2 {W2}\thttps://w2.example/
    group X-witnesses 2 X1 X2
    witness Y1 {W3}
    group Y-witnesses any Y1
    group X-and-Y all X-witnesses Y-witnesses
    quorum X-and-Y
    """
    policy = parse_policy(text)
    assert policy.check(cosigned_by(*SIGNERS)).ok
    result = policy.check(cosigned_by(SIGNERS[0], SIGNERS[2]))
    assert not result.ok
    assert result.missing == ("X2",)
    assert "quorum 'X-and-Y' not met" in result.message() and "missing: X2" in result.message()


def test_a_bad_cosignature_is_named_as_bad_not_missing() -> None:
    policy = parse_policy(
        f"witness oak {OAK['witness_vkey']}\nwitness W1 {W1}\ngroup g all oak W1\nquorum g\n"
    )
    raw = raw_of(WITNESS_LINE)
    raw[-1] ^= 1
    result = policy.check(NOTE.replace(WITNESS_LINE, line_of(raw)))
    assert not result.ok
    assert set(result.bad) == {"oak"} and result.missing == ("W1",)
    assert "bad: oak (invalid cosignature" in result.message()


def test_k_of_n_needs_k_distinct_witnesses() -> None:
    policy = parse_policy(
        f"witness a {W1}\nwitness b {W2}\nwitness c {W3}\ngroup g 2 a b c\nquorum g\n"
    )
    assert not policy.check(cosigned_by(SIGNERS[0], SIGNERS[0])).ok
    assert policy.check(cosigned_by(SIGNERS[0], SIGNERS[2])).ok


def test_quorum_none_needs_only_the_log_signature() -> None:
    assert (
        parse_policy(f"log {OAK['log_vkey']}\nquorum none\n")
        .check(BODY + "\n" + WITNESS_LINE + "\n")
        .ok
        is False
    )
    assert parse_policy(f"log {OAK['log_vkey']}\nquorum none\n").check(NOTE).ok


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("witness a {W1}\n", "no quorum line"),
        ("quorum none\nquorum none\n", "exactly one quorum"),
        ("quorum a\n", "not defined above"),
        ("group g 1 a\nwitness a {W1}\nquorum g\n", "not defined above"),
        ("witness a {W1}\nwitness a {W2}\nquorum a\n", "defined twice"),
        ("witness none {W1}\nquorum none\n", "reserved"),
        ("witness a {W1}\nwitness b {W1}\nquorum a\n", "listed twice"),
        ("witness a {W1}\ngroup g 2 a\nquorum g\n", "threshold '2'"),
        ("witness a {W1}\ngroup g 0 a\nquorum g\n", "threshold '0'"),
        ("witness a {W1}\ngroup g any a a\nquorum g\n", "listed twice in group"),
        ("witness a {LOG}\nquorum a\n", "type 0x01"),
        ("log {W1}\nquorum none\n", "unknown signature type 0x04"),
        ("witnesses a {W1}\nquorum none\n", "unknown keyword"),
        ("witness a\nquorum none\n", "`witness <name> <vkey>"),
        ("quorum none\x0b\n", "control characters"),
    ],
)
def test_a_malformed_policy_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(text.format(W1=W1, W2=W2, LOG=OAK["log_vkey"]))


def test_a_checkpoint_whose_origin_is_not_the_log_key_name_fails() -> None:
    signer = NoteSigner("example.com/log", Ed25519PrivateKey.generate())
    root = base64.b64encode(b"\x00" * 32).decode()
    note = sign_note(f"example.com/other\n1\n{root}\n", [signer])
    result = parse_policy(f"log {signer.verifier().vkey}\nquorum none\n").check(note)
    assert not result.ok and "origin 'example.com/other'" in result.message()
