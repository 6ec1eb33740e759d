"""Opaque global ids: unique across types, so an Account and a Seller never share one."""

from __future__ import annotations

import base64
import binascii

from resolvers.errors import DomainError, ErrorCode
from resolvers.pagination import MAX_ID


def encode_id(type_name: str, pk: int) -> str:
    raw = f"{type_name}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_id(value: str, type_name: str, field: str = "id") -> int:
    """The primary key behind `value`.

    Malformed → INVALID_INPUT; well-formed but of another type → NOT_FOUND (it names nothing
    of the expected kind).
    """
    try:
        padded = value + "=" * (-len(value) % 4)
        kind, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        number = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Identifiant mal formé : {value!r}", field
        ) from exc
    # Primary keys are 32-bit IntFields: a larger number names nothing (and PG would refuse it).
    if kind != type_name or number <= 0 or number > MAX_ID:
        raise DomainError(ErrorCode.NOT_FOUND, f"Aucun {type_name} avec cet identifiant", field)
    return number


def known_id(value: str, type_name: str) -> int | None:
    """For queries: the primary key behind `value`, or None when the well-formed id names
    something of another kind (a query then answers null); malformed is still INVALID_INPUT."""
    try:
        return decode_id(value, type_name)
    except DomainError as error:
        if error.problems[0].code is ErrorCode.NOT_FOUND:
            return None
        raise
