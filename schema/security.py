"""The security baseline: document limits, a cost rule, coded and masked errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import graphql.pyutils.did_you_mean as did_you_mean
from graphql import (
    ASTValidationRule,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    IntValueNode,
    OperationDefinitionNode,
    ValidationContext,
    VariableNode,
)
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.add_validation_rules import AddValidationRules

from comptoir.settings import Settings
from resolvers.pagination import MAX_PAGE
from schema.errors import coded_error

log = logging.getLogger("comptoir.errors")

# "Did you mean 'password'?" tells an attacker the schema even with introspection off; graphql-core
# reads this module global at call time, 0 turns every suggestion off.
did_you_mean.MAX_LENGTH = 0


def _list_size(node: FieldNode) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(1, min(int(argument.value.value), MAX_PAGE))
            if isinstance(argument.value, VariableNode):
                return MAX_PAGE  # unknown at validation time: assume the worst
    return 1


def cost_rule(max_cost: int) -> type[ASTValidationRule]:
    """Reject documents whose nested page sizes multiply past `max_cost` rows.

    `products(first: 100) { seller { products(first: 100) ... } }` asks for 10,000 rows
    with 30 characters; each paginated field multiplies the cost of what it contains.
    """

    class CostRule(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.multipliers: list[int] = [1]
            self.cost = 0

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            self.multipliers = [1]
            self.cost = 0

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            factor = self.multipliers[-1] * _list_size(node)
            self.cost += factor
            self.multipliers.append(factor)
            if self.cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"Query too costly: more than {max_cost} fields would be resolved",
                        node,
                        extensions={"code": "QUERY_TOO_COMPLEX"},
                    )
                )
                self.cost = -(10**18)  # one report per document is enough

        def leave_field(self, *_: Any) -> None:
            self.multipliers.pop()

    return CostRule


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


class CodedErrors(MaskErrors):
    """Our coded errors pass with `extensions.code`; anything unexpected is masked and logged."""

    def __init__(self) -> None:
        super().__init__(error_message="Internal server error")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._code(error) for error in errors]

    def _code(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError) or error.path is None:
            # Parsing, validation and variable coercion: the client's document is wrong.
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": "INVALID_INPUT"}
            return error
        coded = coded_error(original)
        if coded is not None:
            return GraphQLError(coded.message, error.nodes, error.source, error.positions,
                                error.path, extensions=coded.extensions)
        log.error("unexpected error at %s", error.path, exc_info=original)
        return GraphQLError("Internal server error", error.nodes, error.source,
                            error.positions, error.path, extensions={"code": "INTERNAL"})


def extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Extension factories: a fresh instance per operation (the caches live at module level)."""
    rule = cost_rule(settings.max_cost)
    return [
        AuthGate,
        lambda: ParserCache(maxsize=1024),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: QueryDepthLimiter(max_depth=settings.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: AddValidationRules([rule]),
        lambda: ValidationCache(maxsize=1024),
        CodedErrors,
    ]
