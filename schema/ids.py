"""Opaque global ids: unique across types, so an Account and a Seller never share one."""

from __future__ import annotations

import base64
import binascii

from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.pagination import MAX_ID

# What each kind of id names, for the message of an id that names nothing of its kind (the
# message is French, the type names are the API's).
NOUNS = {
    "Account": "compte",
    "Claim": "réclamation",
    "Company": "société",
    "Invoice": "facture",
    "Message": "message",
    "Order": "commande",
    "OrderLine": "ligne de commande",
    "OrderTemplate": "modèle de commande",
    "Photo": "photo",
    "Product": "produit",
    "Quote": "devis",
    "Refund": "remboursement",
    "Seller": "vendeur",
    "Thread": "conversation",
}


def encode_id(type_name: str, pk: int) -> str:
    raw = f"{type_name}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_id(problems: Problems, value: str, type_name: str, field: str) -> int:
    """The primary key behind `value`, or 0 with its problem added to `problems`.

    Malformed → INVALID_INPUT; well-formed but of another type → NOT_FOUND (it names nothing
    of the expected kind). An input with several ids reads them all in one `Problems` block,
    so every bad one is told at once and the 0 never leaves it.
    """
    try:
        padded = value + "=" * (-len(value) % 4)
        kind, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        number = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        problems.invalid(f"Identifiant mal formé : {value!r}", field)
        return 0
    # Primary keys are 32-bit IntFields: a larger number names nothing (and PG would refuse it).
    if kind != type_name or number <= 0 or number > MAX_ID:
        # The id is named so that two unknown ids of one list are two problems, not one.
        problems.add(
            ErrorCode.NOT_FOUND, f"Identifiant de {NOUNS[type_name]} inconnu : {value!r}", field
        )
        return 0
    return number


def decode_id(value: str, type_name: str, field: str = "id") -> int:
    """The primary key behind the input's only id (refused at once when bad)."""
    with Problems() as problems:
        # Leaving the block refuses before the 0 of a bad id is returned.
        return read_id(problems, value, type_name, field)


def known_id(value: str, type_name: str) -> int | None:
    """For queries: the primary key behind `value`, or None when the well-formed id names
    something of another kind (a query then answers null); malformed is still INVALID_INPUT."""
    try:
        return decode_id(value, type_name)
    except DomainError as error:
        if error.problems[0].code is ErrorCode.NOT_FOUND:
            return None
        raise
