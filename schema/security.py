"""The security baseline: document limits, no suggestions, coded and masked errors."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import ExecutionResult, GraphQLError, GraphQLSyntaxError, Source
from starlette.requests import Request
from strawberry.extensions import MaxTokensLimiter, SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionContext
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from schema.compat import silence_suggestions
from schema.document_cache import CachedDocuments, DocumentStore
from schema.errors import coded_error
from schema.limits import Limits
from schema.token_count import token_past

log = logging.getLogger("comptoir.errors")

# A refused 100 KB value used to be logged in full, twice (in the message and in the
# exception's text). Records keep this much of each line they quote.
QUOTE_CHARS = 1000


def _cut(text: str) -> str:
    if len(text) <= QUOTE_CHARS:
        return text
    return f"{text[:QUOTE_CHARS]}… [{len(text) - QUOTE_CHARS} more characters]"


class ShortQuotes(logging.Filter):
    """Cuts every line of a record's message and traceback to QUOTE_CHARS."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > QUOTE_CHARS:
            record.msg, record.args = _cut(message), None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: the traceback is cut once, here.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = "\n".join(_cut(line) for line in text.splitlines())
        return True


log.addFilter(ShortQuotes())

# "Did you mean 'password'?" tells an attacker the schema even with introspection off.
silence_suggestions()
# The few hints graphql-core writes by hand ("Did you mean 'me { ... }'?", "did you mean '...'?").
_SUGGESTION = re.compile(r",?\s*did you mean\b[^?]*\?", re.IGNORECASE)


class AuthGate(SchemaExtension):
    """A bad bearer token fails every operation, even those open to anonymous callers."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        problem = getattr(context, "auth_error", None)
        if problem:
            self.execution_context.result = ExecutionResult(
                data=None, errors=[GraphQLError(problem, extensions={"code": "UNAUTHENTICATED"})]
            )
        yield


class SubscriptionsOverWebSocketOnly(SchemaExtension):
    """A subscription sent over HTTP is refused before its resolver runs.

    Strawberry lets GET and POST carry subscriptions (for its multipart transport, which we do
    not serve); executed as a query, the resolver would open a stream nobody reads.
    """

    def on_execute(self) -> Iterator[None]:
        request = getattr(self.execution_context.context, "request", None)
        if (
            isinstance(request, Request)
            and self.execution_context.operation_type is OperationType.SUBSCRIPTION
        ):
            self.execution_context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Les abonnements sont servis par WebSocket uniquement",
                        extensions={"code": "INVALID_INPUT"},
                    )
                ],
            )
        yield


@dataclass(frozen=True)
class Guard:
    """What the app's configuration decides about documents (built by the wiring)."""

    limits: Limits
    max_tokens: int
    document_cache_bytes: int
    introspection: bool


def extensions(guard: Guard) -> list[Callable[[], SchemaExtension]]:
    """Extension factories: a fresh instance per operation; the document store is the app's."""
    store = DocumentStore(guard.document_cache_bytes)
    return [
        AuthGate,
        SubscriptionsOverWebSocketOnly,
        lambda: MaxTokensLimiter(max_token_count=guard.max_tokens),
        lambda: CachedDocuments(store=store, limits=guard.limits),
    ]


def coded_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """What the client may see of each error: coded ones pass, anything unexpected is masked.

    Unexpected errors are logged here, with their traceback, and nowhere else.
    """
    return [_coded(error) for error in errors]


def _coded(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if error.path is None and _about_the_request(error):
        # Parsing, validation, variables: the client's document is wrong, and is told how.
        error.message = _SUGGESTION.sub("", error.message)
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": "INVALID_INPUT"}
        return error
    if original is None or isinstance(original, GraphQLError):
        if (error.extensions or {}).get("code"):
            return error  # raised on purpose, with its code
        # graphql-core's own complaints while executing ("Cannot return null for non-nullable
        # field", a value a scalar cannot serialize) are our bugs, and may quote data.
        log.error("Unexpected error at %s: %s", error.path, error.message)
        return _masked(error)
    coded = coded_error(original)
    if coded is not None:
        return GraphQLError(
            coded.message,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            extensions=coded.extensions,
        )
    log.error("Unexpected error at %s", error.path, exc_info=original)
    return _masked(error)


def _about_the_request(error: GraphQLError) -> bool:
    """Whether an error raised outside any field is about the request rather than our code.

    A scalar refusing a literal (a float for a Decimal) keeps its ValueError but points at the
    document; an exception from a subscription's stream or an extension points nowhere.
    """
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return True
    if isinstance(original, (CannotGetOperationTypeError, InvalidOperationTypeError)):
        return True
    return bool(error.nodes)


def _masked(error: GraphQLError) -> GraphQLError:
    return GraphQLError(
        "Internal server error",
        error.nodes,
        error.source,
        error.positions,
        error.path,
        extensions={"code": "INTERNAL"},
    )


class ComptoirSchema(strawberry.Schema):
    """A Strawberry schema whose errors are coded or masked before any client sees them.

    Strawberry hands every error list to `process_errors` before returning it: queries,
    mutations, each subscription event, and failures inside extensions, which a MaskErrors
    extension never sees (its hook is skipped when an exception crosses it). The default
    implementation logs every error, expected ones included, with a traceback.

    A document past the token limit is refused before graphql-core parses it, with the error
    graphql-core would raise (schema/token_count.py): otherwise refusing it costs a parse of
    its first `max_tokens` tokens. graphql-core's own limit (MaxTokensLimiter) stays behind it.
    """

    def __init__(self, *args: Any, max_tokens: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_tokens = max_tokens
        self._token_past = token_past(max_tokens)

    # Strawberry's step before parsing, shared by queries, mutations and subscriptions; private
    # (schema/compat.py lists it, tests/test_compat.py checks it is still there).
    async def _prepare_operation_async(
        self, context: ExecutionContext, extensions_runner: SchemaExtensionsRunner
    ) -> PreExecutionError | None:
        query = context.query
        if context.graphql_document is None and query:
            position = self._token_past(query)
            if position is not None:
                error = GraphQLSyntaxError(
                    Source(query),
                    position,
                    f"Document contains more than {self.max_tokens} tokens. Parsing aborted.",
                )
                context.pre_execution_errors = [error]
                return PreExecutionError(data=None, errors=[error])
        return await super()._prepare_operation_async(context, extensions_runner)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        errors[:] = coded_errors(errors)
