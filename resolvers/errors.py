"""Error codes of the domain, converted once at the GraphQL edge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_VAT_NUMBER = "INVALID_VAT_NUMBER"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    EMAIL_NOT_CONFIRMED = "EMAIL_NOT_CONFIRMED"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    OTP_REQUIRED = "OTP_REQUIRED"
    INVALID_OTP = "INVALID_OTP"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    BELOW_MINIMUM_QUANTITY = "BELOW_MINIMUM_QUANTITY"
    NOT_DELIVERABLE = "NOT_DELIVERABLE"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    CART_EMPTY = "CART_EMPTY"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    CONTACT_SELLER = "CONTACT_SELLER"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    TOO_MANY_ITEMS = "TOO_MANY_ITEMS"
    RIGHT_MISSING = "RIGHT_MISSING"
    TWO_FACTOR_NOT_STARTED = "TWO_FACTOR_NOT_STARTED"
    TWO_FACTOR_ALREADY_ENABLED = "TWO_FACTOR_ALREADY_ENABLED"
    VAT_NUMBER_TAKEN = "VAT_NUMBER_TAKEN"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    RATE_LIMITED = "RATE_LIMITED"
    CONTACT_DETAILS_NOT_ALLOWED = "CONTACT_DETAILS_NOT_ALLOWED"
    SELLER_SUSPENDED = "SELLER_SUSPENDED"
    QUOTE_EXPIRED = "QUOTE_EXPIRED"
    QUOTE_LIST_EMPTY = "QUOTE_LIST_EMPTY"
    CLAIM_WINDOW_CLOSED = "CLAIM_WINDOW_CLOSED"
    CLAIM_ALREADY_OPEN = "CLAIM_ALREADY_OPEN"
    REFUND_TOO_LARGE = "REFUND_TOO_LARGE"
    UPLOAD_INVALID = "UPLOAD_INVALID"


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    field: str | None = None


class DomainError(Exception):
    """An expected refusal: becomes the payload's `errors`, and nothing was changed."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.problems = [Problem(code, message, field)]


class Problems:
    """What is wrong with one input, every faulty field at once.

    Checks `add` to it; leaving the `with` block refuses with one DomainError carrying all
    of them (nothing is raised when an exception is already on its way out).
    """

    def __init__(self) -> None:
        self._found: list[Problem] = []

    def __enter__(self) -> Problems:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.check()

    def add(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        problem = Problem(code, message, field)
        # The same problem found twice (two blank attributes) is told once.
        if problem not in self._found:
            self._found.append(problem)

    def invalid(self, message: str, field: str | None = None) -> None:
        self.add(ErrorCode.INVALID_INPUT, message, field)

    def about(self, field: str) -> bool:
        """Whether `field` already has a problem (later checks of it would only repeat it)."""
        return any(p.field == field for p in self._found)

    def sort(self, key: Callable[[Problem], int]) -> None:
        """Report in `key` order rather than as found (rows may be checked in lock order)."""
        self._found.sort(key=key)

    def check(self) -> None:
        if self._found:
            first, *rest = self._found
            error = DomainError(first.code, first.message, first.field)
            error.problems += rest
            raise error


class Unauthenticated(Exception):
    """No valid login where one is needed: a top-level UNAUTHENTICATED error."""

    def __init__(self, message: str = "Connexion requise") -> None:
        super().__init__(message)


class Forbidden(Exception):
    """Logged in, but with the wrong role for the operation: top-level FORBIDDEN."""

    def __init__(self, message: str = "Action non autorisée pour ce compte") -> None:
        super().__init__(message)


class QueryError(Exception):
    """A coded top-level error for queries (TOO_MANY_ITEMS, INVALID_INPUT...)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
