"""Scalars of the contract: money as a two-decimal string, never a float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import strawberry
from strawberry.types.scalar import ScalarDefinition

from resolvers.pricing import CENT


def _serialize_money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def _parse_money(value: object) -> Decimal:
    # Floats are refused on input too: 0.1 + 0.2 must never reach a price.
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError('Les montants décimaux s\'écrivent en chaîne, par exemple "12.50"')
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} n'est pas un nombre décimal") from exc
    if not parsed.is_finite():
        raise ValueError("Les montants décimaux doivent être finis")
    return parsed


MONEY: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description='An amount in EUR, serialized as a string with two decimals ("12.50").',
    serialize=_serialize_money,
    parse_value=_parse_money,
)

# Annotate fields with plain `decimal.Decimal`; this map makes it our money scalar.
SCALAR_MAP: dict[object, ScalarDefinition] = {Decimal: MONEY}
