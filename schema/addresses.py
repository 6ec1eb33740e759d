"""Postal addresses: as shown (orders, invoices) and as given (reservation, quotes)."""

from __future__ import annotations

import strawberry


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
