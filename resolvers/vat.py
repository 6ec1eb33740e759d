"""VAT numbers, validated per country by python-stdnum (format and check digits)."""

from __future__ import annotations

import re
from typing import Any

import stdnum
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from resolvers.errors import ErrorCode, Problems

# Greece's VAT prefix is EL, not its ISO code.
_PREFIXES = {"GR": "EL"}
_SEPARATORS = re.compile(r"[\s.\-/]")


def vat_prefix(country: str) -> str:
    return _PREFIXES.get(country, country)


def compact_vat(
    problems: Problems, country: str, number: str, field: str = "company.vatNumber"
) -> str | None:
    """The VAT number compact with its prefix (`FR40303265045`), or None and INVALID_VAT_NUMBER.

    Accepted with or without the prefix, with spaces, dots or dashes.
    """
    country = country.upper()
    prefix = vat_prefix(country)
    cleaned = _SEPARATORS.sub("", number).upper()
    bare = cleaned
    for known in {prefix, country}:
        if bare.startswith(known) and len(bare) > len(known):
            bare = bare[len(known) :]
            break
    module: Any = None
    candidates: list[str] = []
    if len(country) == 2 and country.isascii() and country.isalpha():
        if country.lower() in eu_vat.MEMBER_STATES:
            module, candidates = eu_vat, [prefix + bare]
        else:  # outside the EU, e.g. CH or GB, where the prefix is part of the number or not
            module = stdnum.get_cc_module(country.lower(), "vat")
            candidates = [bare, cleaned] if module is not None else []
    for candidate in candidates:
        try:
            compact = str(module.validate(candidate))
        except (ValidationError, ValueError):
            continue
        return compact if compact.startswith(prefix) else prefix + compact
    problems.add(
        ErrorCode.INVALID_VAT_NUMBER, f"Numéro de TVA invalide pour le pays {country}", field
    )
    return None
