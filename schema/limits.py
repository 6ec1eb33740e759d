"""Document limits checked at validation time: depth, aliases and cost, in one walk.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter expand every fragment spread anew: a few
hundred bytes of fragments that each spread the next one twice take exponential time (18
fragments: 1.6 s, and each one more doubles it), and an unknown fragment makes them raise
KeyError. This walk measures each fragment once, so its time follows the document's length.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.language import DocumentNode

from resolvers.pagination import DEFAULT_PAGE, MAX_PAGE

# Lists without `first` (order lines, attributes, history, members) are bounded by the data, not
# the request; the cost counts each as this many items. With 10, a page of 100 orders with their
# lines' products and attributes would already pass the default bound of 50,000.
UNPAGED_LIST = 5

_META_FIELDS = {
    "__schema": SchemaMetaFieldDef,
    "__type": TypeMetaFieldDef,
    "__typename": TypeNameMetaFieldDef,
}


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_cost: int
    max_fields: int


@dataclass(frozen=True)
class Measure:
    # Nesting as Strawberry and graphql-depth-limit count it: `{ me { id } }` has depth 1.
    depth: int
    aliases: int
    # Field values resolved when every list is as long as the cost assumes.
    cost: int

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            max(self.depth, other.depth), self.aliases + other.aliases, self.cost + other.cost
        )


NOTHING = Measure(0, 0, 0)


def page_size(node: FieldNode) -> int:
    """The rows a paginated field may return; a variable `first` may be the maximum."""
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                # Above the maximum the resolver refuses (INVALID_INPUT): nothing is read.
                # int() refuses literals past 4,300 digits; any literal that long is far out of
                # range anyway, so only its sign matters.
                digits = argument.value.value
                value = int(digits) if len(digits) <= 12 else (-1 if digits[0] == "-" else MAX_PAGE)
                return max(1, min(value, MAX_PAGE))
            return MAX_PAGE
    return DEFAULT_PAGE


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[tuple[str, bool, bool], Measure] = {}
        self.entered: set[str] = set()

    def operation(self, node: OperationDefinitionNode) -> Measure:
        root = self.schema.get_root_type(node.operation)
        return self.selections(node.selection_set, root, in_page=False, introspection=False)

    def selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        *,
        in_page: bool,
        introspection: bool,
    ) -> Measure:
        total = NOTHING
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, in_page=in_page, introspection=introspection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(
                    selection.selection_set, scope, in_page=in_page, introspection=introspection
                )
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection, in_page=in_page, introspection=introspection)
        return total

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        *,
        in_page: bool,
        introspection: bool,
    ) -> Measure:
        aliases = 1 if node.alias else 0
        name = node.name.value
        definition = _META_FIELDS.get(name) or _field_of(parent, name)
        if introspection or name.startswith("__"):
            # Introspection nests deeply by design (`ofType`) and reads the schema, not the
            # database: graphql-core's MaxIntrospectionDepthRule, one of the specified rules,
            # bounds it. Only its aliases count here.
            if node.selection_set is None:
                return Measure(0, aliases, 0)
            scope = get_named_type(definition.type) if definition is not None else None
            inner = self.selections(node.selection_set, scope, in_page=False, introspection=True)
            return Measure(0, aliases + inner.aliases, 0)
        paginated = definition is not None and "first" in definition.args
        if paginated:
            size = page_size(node)
        elif definition is not None and is_list_type(get_nullable_type(definition.type)):
            # The `edges` of a connection are the page its field already counted.
            size = 1 if in_page else UNPAGED_LIST
        else:
            size = 1
        if node.selection_set is None:
            return Measure(0, aliases, size)
        scope = get_named_type(definition.type) if definition is not None else None
        inner = self.selections(node.selection_set, scope, in_page=paginated, introspection=False)
        return Measure(inner.depth + 1, aliases + inner.aliases, size * (1 + inner.cost))

    def spread(self, node: FragmentSpreadNode, *, in_page: bool, introspection: bool) -> Measure:
        name = node.name.value
        fragment = self.fragments.get(name)
        if fragment is None or name in self.entered:
            return NOTHING  # unknown or cyclic: KnownFragmentNames / NoFragmentCycles report it
        key = (name, in_page, introspection)
        if key not in self.measured:
            self.entered.add(name)
            try:
                scope = self.schema.get_type(fragment.type_condition.name.value)
                self.measured[key] = self.selections(
                    fragment.selection_set, scope, in_page=in_page, introspection=introspection
                )
            finally:
                self.entered.discard(name)
        return self.measured[key]


def _field_of(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


def limit_errors(
    schema: GraphQLSchema, document: DocumentNode, limits: Limits
) -> list[GraphQLError]:
    """The document's breaches of the field, depth, alias and cost limits (empty: within them).

    Checked before graphql-core's validation, which is the expensive part: its rule for
    overlapping fields compares every pair of fields with the same name (1,000 `name` fields
    took 0.5 s), so a document past the limits is refused without running it.

    The cost is the number of field values a document may resolve: each field counts once per
    item of every list above it, a paginated list as its `first` (a variable: the maximum).
    `products(first: 100) { edges { node { seller { products(first: 100) { ... } } } } }` asks
    for 10,000 products in a few dozen characters.
    """
    fields = sum(
        _written_fields(d.selection_set)
        for d in document.definitions
        if isinstance(d, (OperationDefinitionNode, FragmentDefinitionNode))
    )
    if fields > limits.max_fields:
        return [GraphQLError(f"{fields} champs demandés : {limits.max_fields} au plus")]
    walk = _Walk(schema, document)
    errors: list[GraphQLError] = []
    aliases = 0
    try:
        for operation in document.definitions:
            if isinstance(operation, OperationDefinitionNode):
                measure = walk.operation(operation)
                aliases += measure.aliases
                errors += _breaches(operation, measure, limits)
    except RecursionError:
        return [GraphQLError("Le document est trop imbriqué")]
    if aliases > limits.max_aliases:
        errors.append(GraphQLError(f"{aliases} alias demandés : {limits.max_aliases} au plus"))
    return errors


def _written_fields(selection_set: SelectionSetNode | None) -> int:
    """Fields as written (fragments once, where they are defined), without recursion."""
    count = 0
    pending = [selection_set]
    while pending:
        current = pending.pop()
        if current is None:
            continue
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                count += 1
                pending.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
    return count


def _breaches(
    operation: OperationDefinitionNode, measure: Measure, limits: Limits
) -> list[GraphQLError]:
    name = operation.name.value if operation.name else "anonymous"
    errors = []
    if measure.depth > limits.max_depth:
        errors.append(
            GraphQLError(
                f"« {name} » dépasse la profondeur maximale de {limits.max_depth}", operation
            )
        )
    if measure.cost > limits.max_cost:
        errors.append(
            GraphQLError(
                f"« {name} » est trop coûteuse : elle peut résoudre {measure.cost} champs,"
                f" plus que {limits.max_cost}",
                operation,
            )
        )
    return errors
