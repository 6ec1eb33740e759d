"""Invoice arithmetic: lines, VAT per rate, credit notes split over rates. Pure functions.

Prices include VAT.  Per rate, the VAT is taken out of the sum of that rate's lines once
(API.md Part 2): `amount` = half-up rounding of `sum * rate / (100 + rate)`, `base` = `sum -
amount`, so bases and amounts always add up to the lines, and the lines to the order total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from resolvers.pricing import CENT

HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """`value` rounded half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_price: Decimal
    vat_rate: Decimal
    total: Decimal


@dataclass(frozen=True)
class VatAmount:
    rate: Decimal
    base: Decimal
    amount: Decimal


def rate_sums(lines: Iterable[Line]) -> dict[Decimal, Decimal]:
    """The sum of the lines of each VAT rate, in increasing rate order."""
    sums: dict[Decimal, Decimal] = {}
    for line in lines:
        rate = line.vat_rate.quantize(CENT)
        sums[rate] = sums.get(rate, Decimal(0)) + line.total
    return dict(sorted(sums.items()))


def vat_of(sums: Mapping[Decimal, Decimal]) -> list[VatAmount]:
    """Base and VAT of each rate's sum (prices include VAT)."""
    result = []
    for rate, total in sums.items():
        amount = cents(total * rate / (HUNDRED + rate))
        result.append(VatAmount(rate=rate, base=total - amount, amount=amount))
    return result


def split_in_proportion(amount: Decimal, sums: Mapping[Decimal, Decimal]) -> dict[Decimal, Decimal]:
    """`amount` shared over the rates in proportion to their sums, to the cent, adding up to
    `amount` exactly: each share is rounded down, then the cents left over go to the largest
    remainders (ties: the higher rate), so no rounding ever creates or loses a cent."""
    whole = sum(sums.values(), Decimal(0))
    if whole <= 0:
        raise ValueError("nothing to split over")
    exact = {rate: amount * part / whole for rate, part in sums.items()}
    shares = {rate: value.quantize(CENT, rounding=ROUND_DOWN) for rate, value in exact.items()}
    left = int((amount - sum(shares.values(), Decimal(0))) / CENT)
    by_remainder = sorted(exact, key=lambda rate: (exact[rate] - shares[rate], rate), reverse=True)
    for rate in by_remainder[:left]:
        shares[rate] += CENT
    return {rate: share for rate, share in shares.items() if share}
