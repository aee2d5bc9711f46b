"""Errors raised by the ledger.

Every failure to read, parse or verify signed material derives from
``LedgerError``, so a caller that must never silently use a bad event can catch
one type. Format errors also derive from ``ValueError`` because they are, at
heart, bad input values.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base class of every ledger error."""


class CanonicalJSONError(LedgerError, ValueError):
    """A value is not I-JSON, or bytes are not the exact RFC 8785 form of their value."""


class EnvelopeFormatError(LedgerError, ValueError):
    """Envelope bytes are not a strict, canonical DSSE envelope of this registry."""


class SignatureError(LedgerError):
    """A signature does not verify, or was made for another payload type or key."""


class UnknownKeyError(LedgerError):
    """A signature names a key id that the verifier does not know."""


class KeyFormatError(LedgerError, ValueError):
    """Public key material or a keyring document is malformed."""


class KeyFileError(LedgerError):
    """A private key file is unsafe (permissions, overwrite) or unreadable as an Ed25519 key."""


class PayloadError(LedgerError, ValueError):
    """An event payload is malformed: wrong keys, types or formats."""


class ChainError(LedgerError):
    """An agreement's chain of events is broken; ``problems`` lists every break found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))
