"""Participants' names as the UN writes them, to the parties' codes.

States get their ISO 3166-1 alpha-3 code from pycountry, found by its name, official name or
common name, by the UN's way of writing the same names ("Bolivia (Plurinational State of)",
"Democratic Republic of the Congo" for pycountry's "Congo, The Democratic Republic of the")
and by a short list of the UN's own short names and common variants. International
organisations are not in ISO 3166: they get codes of their own, listed here once.
Matching ignores case, accents, apostrophe shapes and repeated spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

from registry.domain.values import PartyType


@dataclass(frozen=True)
class Participant:
    code: str
    name: str  # the name as the table writes it
    type: PartyType


# Organisations that take part in treaties: their own codes (the World Bank's for the EU).
ORGANISATIONS: dict[str, tuple[str, str]] = {
    "European Union": ("EUU", "European Union"),
    "European Community": ("EUU", "European Union"),
    "EU": ("EUU", "European Union"),
}

# The UN's short names and common variants that no pycountry name gives.
VARIANTS: dict[str, str] = {
    "Holy See": "VAT",
    "Vatican": "VAT",
    "State of Palestine": "PSE",
    "Palestine": "PSE",
    "Türkiye": "TUR",
    "Turkey": "TUR",
    "Ivory Coast": "CIV",
    "North Korea": "PRK",
    "South Korea": "KOR",
    "Korea": "KOR",
    "Swaziland": "SWZ",
    "Cape Verde": "CPV",
    "Macedonia": "MKD",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Russia": "RUS",
    "Laos": "LAO",
    "Vietnam": "VNM",
    "Brunei": "BRN",
    "Micronesia": "FSM",
    "United Kingdom": "GBR",
    "United States": "USA",
    "Netherlands": "NLD",
    "Netherlands (Kingdom of the)": "NLD",
    "Bahamas": "BHS",
    "Gambia": "GMB",
    "Czech Republic": "CZE",
    "Democratic Republic of Congo": "COD",
    "Congo": "COG",
}


def normal(name: str) -> str:
    """A name reduced for matching: no accents, one apostrophe, one space, case folded."""
    text = unicodedata.normalize("NFKD", name.replace("’", "'").replace("‘", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).strip().casefold()


def un_forms(name: str) -> list[str]:
    """pycountry's "A, B" as the UN writes it: "A (B)", and "B A" when B ends in "of"."""
    if ", " not in name:
        return [name]
    head, tail = name.split(", ", 1)
    forms = [name, f"{head} ({tail})"]
    article = tail.removeprefix("The ").removeprefix("the ")
    if article.endswith((" of", " of the")):
        forms.append(f"{article} {head}")
    return forms


@cache
def _index() -> dict[str, Participant]:
    index: dict[str, Participant] = {}
    for country in pycountry.countries:
        names = [country.name]
        names += [
            getattr(country, a) for a in ("official_name", "common_name") if hasattr(country, a)
        ]
        for written in names:
            for form in un_forms(written):
                index.setdefault(normal(form), Participant(country.alpha_3, form, PartyType.STATE))
    for variant, code in VARIANTS.items():
        country = pycountry.countries.get(alpha_3=code)
        assert country is not None, code
        index[normal(variant)] = Participant(code, variant, PartyType.STATE)
    for variant, (code, name) in ORGANISATIONS.items():
        index[normal(variant)] = Participant(code, name, PartyType.INTERNATIONAL_ORGANISATION)
    return index


def participant_named(name: str) -> Participant | None:
    """The participant a table's name stands for (keeping the table's spelling), or None."""
    found = _index().get(normal(name))
    if found is None:
        return None
    return Participant(found.code, name.strip(), found.type)
