"""Postal addresses: as shown (orders, invoices) and as given (reservation, quotes)."""

from __future__ import annotations

import strawberry

from resolvers import orders


@strawberry.type
class Address:
    line1: str
    line2: str | None
    postal_code: str
    city: str
    country: str


@strawberry.input
class AddressInput:
    line1: str
    postal_code: str
    city: str
    country: str
    line2: str | None = None

    def given(self) -> orders.Address:
        """The address as the resolvers take it (they clean and check it)."""
        return orders.Address(
            line1=self.line1,
            line2=self.line2,
            postal_code=self.postal_code,
            city=self.city,
            country=self.country,
        )
