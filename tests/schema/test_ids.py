"""Global ids: an id of another kind names nothing, and says so in French, for every kind."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from resolvers.errors import DomainError, ErrorCode, Problem
from schema.ids import NOUNS, decode_id, encode_id, known_id

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
# The functions taking a type name, and the position of that name among their arguments.
TYPED = {"encode_id": 0, "decode_id": 1, "known_id": 1, "read_id": 2, "_optional_id": 2}


def _type_names() -> set[str]:
    """Every type name the schema's code hands to the id functions, as written there."""
    found = set()
    for path in SCHEMA.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                position = TYPED.get(node.func.id)
                if position is not None and len(node.args) > position:
                    argument = node.args[position]
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        found.add(argument.value)
    return found


def test_every_kind_of_id_the_schema_reads_or_writes_has_its_french_noun() -> None:
    names = _type_names()
    assert {"Order", "Product", "Thread"} <= names  # the scan finds the calls
    assert names <= set(NOUNS)


@pytest.mark.parametrize("type_name", sorted(NOUNS))
def test_an_id_of_another_kind_is_not_found_in_french(type_name: str) -> None:
    other = encode_id("Seller" if type_name != "Seller" else "Order", 7)
    with pytest.raises(DomainError) as refused:
        decode_id(other, type_name, "id")
    assert refused.value.problems == [
        Problem(ErrorCode.NOT_FOUND, f"Identifiant de {NOUNS[type_name]} inconnu : {other!r}", "id")
    ]
    assert known_id(other, type_name) is None
