"""Witness policies in the C2SP tlog-policy format (https://c2sp.org/tlog-policy).

    log <vkey> [<url>]
    witness <name> <vkey> [<url>]          (an Ed25519 cosignature/v1 vkey, type 0x04)
    group <name> <k>|any|all <member>...
    quorum <name>|none

Names are policy-local; a group refers only to names defined above it, each member at most
once; exactly one quorum line. A checkpoint satisfies the policy when one listed log signed
it (if logs are listed) and its valid cosignatures meet the quorum. `Policy.check` names the
witnesses whose cosignature is missing and those whose cosignature is bad.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from registry.ledger.cosignature import (
    CosignatureError,
    CosignatureVerifier,
    check_cosignatures,
)
from registry.ledger.errors import LedgerError
from registry.ledger.note import NoteError, NoteVerifier, open_note

NONE = "none"
MAX_COMPONENTS = 256
_ALLOWED = re.compile(b"[\x09\x0a\x20-\x7e\x80-\xff]*")


class PolicyError(LedgerError, ValueError):
    """A policy file that does not parse; the message names the line."""


@dataclass(frozen=True)
class Group:
    threshold: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class PolicyResult:
    ok: bool
    cosigned: tuple[str, ...]  # witness names with a valid cosignature
    missing: tuple[str, ...]
    bad: dict[str, str]
    problems: tuple[str, ...]

    def message(self) -> str:
        return "; ".join(self.problems) if self.problems else "the witness policy is satisfied"


@dataclass(frozen=True)
class Policy:
    logs: tuple[NoteVerifier, ...]
    witnesses: dict[str, CosignatureVerifier]
    groups: dict[str, Group] = field(default_factory=dict)
    quorum: str = NONE

    def check(self, note: str, *, not_after: int | None = None) -> PolicyResult:
        problems: list[str] = []
        if self.logs:
            try:
                opened = open_note(note, list(self.logs))
                origin = opened.text.split("\n", 1)[0]
                if origin not in opened.verified_names:
                    problems.append(f"the checkpoint's origin {origin!r} is not its log key's name")
            except NoteError as error:
                problems.append(f"no log of the policy signed the checkpoint ({error})")
        try:
            found = check_cosignatures(note, list(self.witnesses.values()), not_after=not_after)
        except CosignatureError as error:
            return PolicyResult(False, (), tuple(self.witnesses), {}, (str(error),))
        labels = {w.label: name for name, w in self.witnesses.items()}
        cosigned = {labels[label] for label in found.valid}
        bad = {labels[label]: why for label, why in found.bad.items()}
        missing = [name for name in self.witnesses if name not in cosigned and name not in bad]
        if not self._satisfied(self.quorum, cosigned):
            detail = [f"valid cosignatures from {_names(sorted(cosigned))}"]
            if missing:
                detail.append(f"missing: {_names(missing)}")
            if bad:
                detail.append("bad: " + ", ".join(f"{n} ({why})" for n, why in sorted(bad.items())))
            problems.append(f"witness quorum {self.quorum!r} not met: " + "; ".join(detail))
        return PolicyResult(
            not problems, tuple(sorted(cosigned)), tuple(missing), bad, tuple(problems)
        )

    def _satisfied(self, name: str, cosigned: set[str]) -> bool:
        if name == NONE:
            return True
        if name in self.witnesses:
            return name in cosigned
        group = self.groups[name]
        met = sum(self._satisfied(member, cosigned) for member in group.members)
        return met >= group.threshold


def parse_policy(data: str | bytes) -> Policy:
    raw = data.encode() if isinstance(data, str) else data
    if not _ALLOWED.fullmatch(raw):
        raise PolicyError("policy holds control characters other than tab and newline")
    text = raw.decode("utf-8", errors="surrogateescape")
    logs: list[NoteVerifier] = []
    witnesses: dict[str, CosignatureVerifier] = {}
    groups: dict[str, Group] = {}
    keys: set[bytes] = set()
    quorum: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        fields = line.replace("\t", " ").split()
        if not fields or fields[0].startswith("#"):
            continue
        keyword, args = fields[0], fields[1:]
        where = f"policy line {number}"
        if keyword == "log":
            if len(args) not in (1, 2):
                raise PolicyError(f"{where}: `log <vkey> [<url>]`")
            try:
                verifier = NoteVerifier.from_vkey(args[0])
            except NoteError as error:
                raise PolicyError(f"{where}: {error}") from None
            _unique_key(keys, _raw_key(verifier.vkey), where, verifier.name)
            logs.append(verifier)
        elif keyword == "witness":
            if len(args) not in (2, 3):
                raise PolicyError(f"{where}: `witness <name> <vkey> [<url>]`")
            _new_name(args[0], witnesses, groups, where)
            try:
                witness = CosignatureVerifier.from_vkey(args[1])
            except CosignatureError as error:
                raise PolicyError(f"{where}: {error}") from None
            _unique_key(keys, witness.public_key_raw, where, args[0])
            witnesses[args[0]] = witness
        elif keyword == "group":
            if len(args) < 3:
                raise PolicyError(f"{where}: `group <name> <k>|any|all <member>...`")
            name, threshold, members = args[0], args[1], tuple(args[2:])
            _new_name(name, witnesses, groups, where)
            for member in members:
                if member not in witnesses and member not in groups:
                    raise PolicyError(f"{where}: {member!r} is not defined above")
            if len(set(members)) != len(members):
                raise PolicyError(f"{where}: a member is listed twice in group {name!r}")
            groups[name] = Group(_threshold(threshold, len(members), where), members)
        elif keyword == "quorum":
            if len(args) != 1:
                raise PolicyError(f"{where}: `quorum <name>`")
            if quorum is not None:
                raise PolicyError(f"{where}: a policy has exactly one quorum line")
            if args[0] != NONE and args[0] not in witnesses and args[0] not in groups:
                raise PolicyError(f"{where}: quorum {args[0]!r} is not defined above")
            quorum = args[0]
        else:
            raise PolicyError(f"{where}: unknown keyword {keyword!r}")
        if len(logs) + len(witnesses) + len(groups) > MAX_COMPONENTS:
            raise PolicyError(f"{where}: more than {MAX_COMPONENTS} logs, witnesses and groups")
    if quorum is None:
        raise PolicyError("the policy has no quorum line (use `quorum none` for no witnesses)")
    return Policy(tuple(logs), witnesses, groups, quorum)


def _new_name(name: str, witnesses: dict, groups: dict, where: str) -> None:  # type: ignore[type-arg]
    if name == NONE:
        raise PolicyError(f"{where}: {NONE!r} is reserved")
    if name in witnesses or name in groups:
        raise PolicyError(f"{where}: {name!r} is defined twice")


def _unique_key(keys: set[bytes], key: bytes, where: str, name: str) -> None:
    if key in keys:
        raise PolicyError(f"{where}: the key of {name!r} is listed twice")
    keys.add(key)


def _raw_key(vkey: str) -> bytes:
    return base64.b64decode(vkey.split("+", 2)[2])[1:]


def _threshold(text: str, members: int, where: str) -> int:
    if text == "any":
        return 1
    if text == "all":
        return members
    if not re.fullmatch("[1-9][0-9]*", text) or not 1 <= int(text) <= members:
        raise PolicyError(f"{where}: threshold {text!r} must be any, all or 1 to {members}")
    return int(text)


def _names(names: list[str]) -> str:
    return ", ".join(names) if names else "none"
