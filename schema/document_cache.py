"""Parsed and validated documents, kept by the bytes they hold rather than by their number.

Strawberry's ParserCache and ValidationCache keep a number of entries: 256 documents of 6 KB
each hold ~700 KiB of AST apiece, so 400 distinct documents grew a worker from 113 to 451 MB.
Here the budget is in bytes, estimated from the document's length (a parsed document holds
~110-125 bytes per character of GraphQL, measured with tracemalloc), and the document limits
are checked before graphql-core's validation, so a document past them costs a walk, not a
validation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension

from schema.compat import graphql_schema
from schema.limits import Limits, limit_errors

BYTES_PER_CHARACTER = 128
ENTRY_OVERHEAD = 2048
BYTES_PER_ERROR = 1024


@dataclass
class _Entry:
    document: DocumentNode
    size: int
    errors: list[GraphQLError] | None = field(default=None)


class DocumentStore:
    """A least-recently-used map from query text to its document and validation errors."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self.hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str) -> _Entry | None:
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
            self.hits += 1
        return entry

    def put(self, query: str, document: DocumentNode) -> None:
        size = ENTRY_OVERHEAD + BYTES_PER_CHARACTER * len(query)
        if size > self.max_bytes or query in self._entries:
            return
        self._entries[query] = _Entry(document, size)
        self.bytes += size
        self._shrink()

    def keep_errors(self, query: str, errors: list[GraphQLError]) -> None:
        entry = self._entries.get(query)
        if entry is None or entry.errors is not None:
            return
        entry.errors = errors
        extra = BYTES_PER_ERROR * len(errors)
        entry.size += extra
        self.bytes += extra
        self._shrink()

    def _shrink(self) -> None:
        while self.bytes > self.max_bytes and self._entries:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.size


class CachedDocuments(SchemaExtension):
    """Parse and validate each distinct document once, within the store's byte budget."""

    def __init__(self, *, store: DocumentStore, limits: Limits) -> None:
        self.store = store
        self.limits = limits

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        entry = self.store.get(query) if query else None
        if entry is not None:
            context.graphql_document = entry.document
        yield
        if entry is None and query and context.graphql_document is not None:
            self.store.put(query, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query or ""
        entry = self.store.get(query)
        if (
            entry is not None
            and entry.errors is not None
            and entry.document is context.graphql_document
        ):
            context.pre_execution_errors = entry.errors
            yield
            return
        document = context.graphql_document
        if document is not None:
            breaches = limit_errors(graphql_schema(context.schema), document, self.limits)
            if breaches:
                context.pre_execution_errors = breaches  # graphql-core's validation is skipped
        yield
        if context.pre_execution_errors is not None:
            self.store.keep_errors(query, context.pre_execution_errors)
