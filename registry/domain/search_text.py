"""The one normal form that search compares: stored text and the query are both put in it.

Case-folded (Python's full case folding, which knows every script), decomposed for
compatibility (NFKD) and stripped of combining marks, so that "Turkiye" finds "Türkiye",
"казахстан" finds "Казахстан", and ligatures or full-width forms match their plain letters.
Trade-off: marks that distinguish letters are dropped too ("й" matches "и"; Arabic-script
vowel points and Indic vowel signs are ignored), which widens a search but never loses a hit.
"""

from __future__ import annotations

import unicodedata


def search_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


__all__ = ["search_text"]
