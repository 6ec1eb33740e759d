"""Every argument's bounds, checked once at the edge before any resolver reads it.

A string longer than its column, text that UTF-8 cannot encode (a lone surrogate sent as
`"\\ud800"` in JSON) or a list of a thousand filters used to reach the database and come back
as INTERNAL. Each string argument has a length limit (`STRING_LIMITS`, else the default of its
scalar), each list argument a maximum number of items (`LIST_LIMITS`), keyed by schema
coordinate (`Type.field(arg:)` for arguments, `Input.field` for input fields). A mutation
answers a value past its bound with `errors[{code: INVALID_INPUT, field}]` in its payload; a
query or subscription with a top-level `INVALID_INPUT` error. The resolvers keep their own,
finer rules (blank names, postal code shapes) and the messages that go with them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import (
    StrawberryList,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
    get_object_definition,
)
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType
from strawberry.types.union import StrawberryUnion

from resolvers.accounts.rules import MAX_PASSWORD
from resolvers.catalog.conditions import POSTAL_CODE_LENGTH
from resolvers.catalog.products import MAX_ATTRIBUTES, MAX_ZONES
from resolvers.catalog.visibility import MAX_COMPARED
from resolvers.errors import DomainError, ErrorCode, Problems, QueryError
from resolvers.free_text import MAX_REMARK
from resolvers.quotes.requests import MAX_LINES, MAX_QUANTITIES
from resolvers.standing.moderation import MAX_NOTE
from resolvers.standing.suspension import MAX_REASON
from schema.errors import mutate

# The contract's bound for every free-text name (product, person, shop, company, subject).
DEFAULT_STRING = 200
# Ids are short opaque strings (a type and a number, or an event number).
DEFAULT_ID = 100
# Every list argument must be listed below; an unlisted one (a field added later) still has
# this bound, and tests/schema/test_input_limits.py fails until it is given its own.
DEFAULT_LIST = 100
EMAIL = 254  # RFC 5321, and the column
TOKEN = 256  # tokens in mails are 43 characters
OTP = 16
CURSOR = 1000  # a NAME_ASC cursor carries the product's sort name
MESSAGE_BODY = 10_000  # the contract's bound for message bodies (and product descriptions)
LONG_CODE = 64  # countries, VAT numbers: the resolvers name the exact rule

STRING_LIMITS: dict[str, int] = {
    "Mutation.login(email:)": EMAIL,
    "Mutation.login(password:)": MAX_PASSWORD,
    "Mutation.login(otp:)": OTP,
    # Longer than any address, the request still answers as for an unknown one (it names no
    # account, and the answer must not say so).
    "Mutation.requestPasswordReset(email:)": 1000,
    "Mutation.addColleague(email:)": EMAIL,
    "RegisterInput.email": EMAIL,
    "RegisterInput.password": MAX_PASSWORD,
    "Mutation.resetPassword(newPassword:)": MAX_PASSWORD,
    "Mutation.changePassword(currentPassword:)": MAX_PASSWORD,
    "Mutation.changePassword(newPassword:)": MAX_PASSWORD,
    "Mutation.deleteAccount(password:)": MAX_PASSWORD,
    "Mutation.disableTwoFactor(password:)": MAX_PASSWORD,
    "Mutation.acceptInvitation(password:)": MAX_PASSWORD,
    "Mutation.confirmEmail(token:)": TOKEN,
    "Mutation.resetPassword(token:)": TOKEN,
    "Mutation.acceptInvitation(token:)": TOKEN,
    "Mutation.confirmTwoFactor(otp:)": OTP,
    "Mutation.disableTwoFactor(otp:)": OTP,
    "RegisterInput.postalCode": 16,
    "ProfileInput.postalCode": 16,
    "CompanyInput.postalCode": 16,
    "AddressInput.postalCode": 16,
    "CompanyInput.country": LONG_CODE,
    "AddressInput.country": LONG_CODE,
    "CompanyInput.vatNumber": LONG_CODE,
    "ProductInput.description": MESSAGE_BODY,
    "ProductInput.category": 100,
    "ProductInput.deliveryZones": POSTAL_CODE_LENGTH,
    "AttributeInput.name": 100,
    "ProductFilter.category": 100,
    "ProductFilter.deliverableTo": 16,
    "Product.deliverableTo(postalCode:)": 16,
    "Query.products(after:)": CURSOR,
    "Query.orders(after:)": CURSOR,
    "Query.threads(after:)": CURSOR,
    "Thread.messages(after:)": CURSOR,
    "ReserveInput.remark": MAX_REMARK,
    "Mutation.cancelOrder(reason:)": MAX_REMARK,
    "Mutation.refuseOrder(reason:)": MAX_REMARK,
    "OpenThreadInput.body": MESSAGE_BODY,
    "SupportTicketInput.body": MESSAGE_BODY,
    "SupportTicketInput.trackingNumber": 100,
    "Mutation.postMessage(body:)": MESSAGE_BODY,
    "Query.quotes(after:)": CURSOR,
    "AcceptQuoteInput.remark": MAX_REMARK,
    "OfferQuoteInput.message": MAX_REMARK,
    "Mutation.sendQuoteRequest(remark:)": MAX_REMARK,
    "Mutation.declineQuote(reason:)": MAX_REMARK,
    "Mutation.refuseQuote(reason:)": MAX_REMARK,
    "Mutation.suspendSeller(reason:)": MAX_REASON,
    "Mutation.reviewFlag(note:)": MAX_NOTE,
    "Query.claims(after:)": CURSOR,
    "OpenClaimInput.body": MESSAGE_BODY,
    "Mutation.rejectClaim(reason:)": MAX_REMARK,
    "Mutation.requestReturn(instructions:)": MAX_REMARK,
    "ResolveClaimInput.reason": MAX_REMARK,
}

# Where the contract names another code: comparing more than three products is TOO_MANY_ITEMS;
# a token in a mail that is too long to be one is malformed, hence INVALID_TOKEN.
REFUSAL_CODES: dict[str, ErrorCode] = {
    "Query.compareProducts(ids:)": ErrorCode.TOO_MANY_ITEMS,
    "Mutation.confirmEmail(token:)": ErrorCode.INVALID_TOKEN,
    "Mutation.resetPassword(token:)": ErrorCode.INVALID_TOKEN,
    "Mutation.acceptInvitation(token:)": ErrorCode.INVALID_TOKEN,
}

LIST_LIMITS: dict[str, int] = {
    "Query.compareProducts(ids:)": MAX_COMPARED,
    "ProductInput.attributes": MAX_ATTRIBUTES,
    "ProductInput.deliveryZones": MAX_ZONES,
    # Each filter is a join: a thousand of them overflow SQLite's expression tree.
    "ProductFilter.attributes": 20,
    "Mutation.addColleague(rights:)": 10,
    "Mutation.setColleagueRights(rights:)": 10,
    "Mutation.addToQuoteList(quantities:)": MAX_QUANTITIES,
    "AcceptQuoteInput.choices": MAX_LINES,
    "OfferQuoteInput.prices": MAX_LINES * MAX_QUANTITIES,
    "OpenClaimInput.lines": 100,
    # COMPTOIR_CLAIM_MAX_PHOTOS (10) is the rule; this only bounds what is read at all.
    "OpenClaimInput.photoIds": 50,
}


def encodable(text: str) -> bool:
    """Whether UTF-8 can carry the text (JSON's `\\ud800` escapes give lone surrogates)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class _Argument:
    coordinate: str
    python_name: str
    name: str
    type: object


def _unwrap(kind: object) -> object:
    """The named type under optional and list wrappers."""
    while True:
        if isinstance(kind, LazyType):
            kind = kind.resolve_type()
        elif isinstance(kind, (StrawberryOptional, StrawberryList)):
            kind = kind.of_type
        else:
            return kind


def _is_id(kind: object) -> bool:
    return getattr(kind, "__name__", "") == "ID" or getattr(kind, "name", "") == "ID"


class _Checker:
    """Walks converted argument values (strings, lists, input objects) against the limits."""

    def __init__(self, names: NameConverter) -> None:
        self.names = names

    def check(self, arguments: Iterable[_Argument], values: dict[str, Any]) -> None:
        """Refuses every argument past its bounds at once."""
        with Problems() as problems:
            for argument in arguments:
                self._value(
                    problems,
                    values.get(argument.python_name),
                    argument.type,
                    argument.coordinate,
                    "" if argument.name == "input" else argument.name,
                )

    def _value(
        self, problems: Problems, value: object, kind: object, coordinate: str, path: str
    ) -> None:
        named = _unwrap(kind)
        if isinstance(value, list):
            limit = LIST_LIMITS.get(coordinate, DEFAULT_LIST)
            if len(value) > limit:
                _refuse(problems, f"Trop d'éléments : {limit} au plus.", coordinate, path)
                return
            for item in value:
                self._value(problems, item, named, coordinate, path)
        elif isinstance(value, str):
            self._text(problems, value, named, coordinate, path)
        else:
            definition = get_object_definition(type(value))
            if definition is not None and definition.is_input:
                self._input(problems, value, definition, path)

    @staticmethod
    def _text(problems: Problems, value: str, kind: object, coordinate: str, path: str) -> None:
        limit = STRING_LIMITS.get(coordinate, DEFAULT_ID if _is_id(kind) else DEFAULT_STRING)
        if len(value) > limit:
            _refuse(problems, f"Trop long : {limit} caractères au plus.", coordinate, path)
        elif not encodable(value):
            _refuse(problems, "Texte illisible : caractères Unicode invalides.", coordinate, path)

    def _input(
        self,
        problems: Problems,
        value: object,
        definition: StrawberryObjectDefinition,
        path: str,
    ) -> None:
        for field in definition.fields:
            name = self.names.get_graphql_name(field)
            self._value(
                problems,
                getattr(value, field.python_name, None),
                field.type,
                f"{definition.name}.{name}",
                f"{path}.{name}" if path else name,
            )


def _refuse(problems: Problems, message: str, coordinate: str, path: str) -> None:
    problems.add(REFUSAL_CODES.get(coordinate, ErrorCode.INVALID_INPUT), message, path or None)


class _Bounded(FieldExtension):
    def __init__(self, checker: _Checker, parent: str) -> None:
        self.checker = checker
        self.parent = parent
        self.arguments: list[_Argument] = []

    def apply(self, field: StrawberryField) -> None:
        # Every schema built from these types applies the extension again: start afresh.
        self.arguments = []
        name = self.checker.names.get_graphql_name(field)
        for argument in field.arguments:
            graphql_name = self.checker.names.from_argument(argument)
            self.arguments.append(
                _Argument(
                    f"{self.parent}.{name}({graphql_name}:)",
                    argument.python_name,
                    graphql_name,
                    argument.type,
                )
            )


class BoundedQueryArguments(_Bounded):
    """Queries and subscriptions: a value past its bound is a top-level INVALID_INPUT."""

    def map_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        try:
            self.checker.check(self.arguments, kwargs)
        except DomainError as refusal:
            first = refusal.problems[0]
            raise QueryError(first.code, first.message) from None
        return kwargs


class BoundedMutationArguments(_Bounded):
    """Mutations: a value past its bound is the payload's INVALID_INPUT, with the field named."""

    def apply(self, field: StrawberryField) -> None:
        super().apply(field)
        self.payload: Any = field.type

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any
    ) -> Any:
        try:
            self.checker.check(self.arguments, kwargs)
        except DomainError as error:
            refusal = error
        else:
            return await next_(source, info, **kwargs)

        async def refuse() -> dict[str, Any]:
            raise refusal

        return await mutate(self.payload, refuse)


def bound_arguments(roots: dict[str, type | None], names: NameConverter) -> None:
    """Give every field with arguments, reachable from the root types, its bounds check.

    Called before the schema is built (Strawberry wires field extensions when it converts a
    field); fields that already carry one keep it, so building several schemas is harmless.
    """
    checker = _Checker(names)
    for parent, field in _fields_with_arguments(roots):
        if any(isinstance(e, _Bounded) for e in field.extensions):
            continue
        if parent == "Mutation" and field.is_async and _is_payload(field.type):
            field.extensions.append(BoundedMutationArguments(checker, parent))
        else:
            field.extensions.append(BoundedQueryArguments(checker, parent))


def _is_payload(kind: object) -> bool:
    definition = get_object_definition(kind)
    return definition is not None and any(f.python_name == "errors" for f in definition.fields)


def _fields_with_arguments(roots: dict[str, type | None]) -> Iterator[tuple[str, StrawberryField]]:
    seen: set[str] = set()
    pending: list[StrawberryObjectDefinition] = []
    for root in roots.values():
        definition = get_object_definition(root) if root is not None else None
        if definition is not None:
            pending.append(definition)
    while pending:
        definition = pending.pop()
        if definition.name in seen:
            continue
        seen.add(definition.name)
        for field in definition.fields:
            if field.arguments:
                yield definition.name, field
            pending.extend(_object_definitions(field.type))


def _object_definitions(kind: object) -> list[StrawberryObjectDefinition]:
    named = _unwrap(kind)
    if isinstance(named, StrawberryUnion):
        return [d for t in named.types if (d := get_object_definition(t)) is not None]
    if isinstance(named, StrawberryType):
        return []
    definition = get_object_definition(named)
    return [definition] if definition is not None and not definition.is_input else []
