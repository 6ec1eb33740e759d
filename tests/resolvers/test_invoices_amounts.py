"""Invoice arithmetic, over random lines and rates (Hypothesis) and on worked examples."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers.invoices.amounts import Line, cents, rate_sums, split_in_proportion, vat_of

RATES = st.sampled_from([Decimal(r) for r in ("0.00", "2.10", "5.50", "10.00", "20.00")]) | (
    st.decimals(min_value=0, max_value=Decimal("99.99"), places=2)
)
PRICES = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)


@st.composite
def lines(draw: st.DrawFn) -> list[Line]:
    result = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        price, quantity = draw(PRICES), draw(st.integers(min_value=1, max_value=500))
        result.append(
            Line(
                description="x",
                quantity=quantity,
                unit_price=price,
                vat_rate=draw(RATES),
                total=price * quantity,
            )
        )
    return result


@settings(max_examples=300, deadline=None)
@given(lines())
def test_bases_and_vat_add_up_to_the_lines_to_the_cent(drawn: list[Line]) -> None:
    sums = rate_sums(drawn)
    vat = vat_of(sums)

    assert sum(sums.values()) == sum(line.total for line in drawn)
    assert [v.rate for v in vat] == sorted(sums)
    for v in vat:
        total = sums[v.rate]
        assert v.base + v.amount == total
        assert v.amount == cents(v.amount)
        assert v.base == cents(v.base)
        # The VAT is the rate's share of the VAT-inclusive sum, rounded half-up once.
        assert abs(v.amount - total * v.rate / (100 + v.rate)) <= Decimal("0.005")
        assert v.amount >= 0
        assert v.base >= 0


@settings(max_examples=300, deadline=None)
@given(lines(), st.data())
def test_a_refund_splits_over_the_rates_in_proportion_and_exactly(
    drawn: list[Line], data: st.DataObject
) -> None:
    sums = rate_sums(drawn)
    whole = sum(sums.values())
    if whole == 0:
        return
    refund = data.draw(st.decimals(min_value=Decimal("0.01"), max_value=whole, places=2))

    shares = split_in_proportion(refund, sums)

    assert sum(shares.values()) == refund
    for rate, share in shares.items():
        assert share == cents(share)
        assert share > 0
        # Each share is within a cent of the exact proportion.
        assert abs(share - refund * sums[rate] / whole) < Decimal("0.01")
    for v in vat_of(shares):
        assert v.base + v.amount == shares[v.rate]


def test_a_worked_example_at_two_rates() -> None:
    drawn = [
        Line("Ciment", 3, Decimal("9.90"), Decimal("20.00"), Decimal("29.70")),
        Line("Livre", 1, Decimal("12.00"), Decimal("5.50"), Decimal("12.00")),
        Line("Frais de petite commande", 1, Decimal("5.00"), Decimal("20.00"), Decimal("5.00")),
    ]
    vat = vat_of(rate_sums(drawn))
    # 12.00 * 5.5 / 105.5 = 0.6256 → 0.63; 34.70 * 20 / 120 = 5.7833 → 5.78.
    assert [(v.rate, v.base, v.amount) for v in vat] == [
        (Decimal("5.50"), Decimal("11.37"), Decimal("0.63")),
        (Decimal("20.00"), Decimal("28.92"), Decimal("5.78")),
    ]


def test_half_a_cent_rounds_up() -> None:
    # 0.06 * 20 / 120 = 0.01 exactly; 0.03 * 20 / 120 = 0.005 → 0.01 (half-up, not to even).
    (v,) = vat_of({Decimal("20.00"): Decimal("0.03")})
    assert (v.amount, v.base) == (Decimal("0.01"), Decimal("0.02"))


def test_leftover_cents_go_to_the_largest_remainders() -> None:
    # 10.00 over three equal rates: 3.33 each, the cent left goes to one of them only.
    shares = split_in_proportion(
        Decimal("10.00"),
        {Decimal("5.50"): Decimal(1), Decimal("10.00"): Decimal(1), Decimal("20.00"): Decimal(1)},
    )
    assert sorted(shares.values()) == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]
    assert shares[Decimal("20.00")] == Decimal("3.34")
