"""The rooms' import direction, circles and size, read from the source (ast), not from running it.

comptoir (wiring) → schema → resolvers → realtime → models: a room imports only rooms to its
right. The three lower rooms know nothing of GraphQL or HTTP; only realtime talks to the
broadcast. Every Python file belongs to a room or to the tests and benches, and none passes
the size ceiling.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("comptoir", "schema", "resolvers", "realtime", "models")
FORBIDDEN_LIBRARIES = {
    "resolvers": ("strawberry", "starlette", "graphql", "broadcaster", "redis", "uvicorn"),
    "realtime": ("strawberry", "starlette", "graphql", "uvicorn"),
    "models": ("strawberry", "starlette", "graphql", "broadcaster", "redis", "uvicorn"),
}
# Python code outside the rooms: checked for size, free to import any room.
OUTSIDE_ROOMS = ("tests", "bench")
# Not the project's code: the virtualenv, packaging output, installed node packages, caches.
NOT_SOURCE = ("node_modules", "var", "build", "__pycache__")
MAX_LINES = 400  # STYLE.md: split a module into modules named after what they hold past it


def python_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in NOT_SOURCE or p.endswith(".egg-info") for p in parts):
            continue
        yield path


def modules() -> Iterator[tuple[str, Path]]:
    for room in ORDER:
        for path in sorted((ROOT / room).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def imported(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import, wherever it sits (functions, TYPE_CHECKING)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in _names(module, path, node):
                yield node.lineno, name


def _names(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        target = _absolute(module, path, node)
        yield target
        for alias in node.names:  # `from schema import live` imports schema.live
            yield f"{target}.{alias.name}"


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    base = package.split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(module: str, path: Path) -> Iterator[str]:
    room = module.split(".")[0]
    for line, name in imported(module, path):
        where = f"{_shown(path)}:{line} imports {name}"
        target = name.split(".")[0]
        upward = target in ORDER and ORDER.index(target) < ORDER.index(room)
        if upward:
            yield f"{where} (against {' → '.join(ORDER)})"
        if any(_within(name, lib) for lib in FORBIDDEN_LIBRARIES.get(room, ())):
            yield f"{where} ({room}/ stays free of it)"


def test_every_room_has_modules_to_check() -> None:
    rooms = {module.split(".")[0] for module, _ in modules()}
    assert rooms == set(ORDER)


def test_every_python_file_is_in_a_room_or_in_the_tests_and_benches() -> None:
    """A new top-level package would escape the direction rules: it must join a room."""
    unknown = sorted(
        str(_shown(path))
        for path in python_files()
        if path.relative_to(ROOT).parts[0] not in ORDER + OUTSIDE_ROOMS
    )
    assert unknown == [], "outside every room:\n" + "\n".join(unknown)


def test_rooms_import_only_in_the_direction_of_the_architecture() -> None:
    found = [v for module, path in modules() for v in violations(module, path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("room", "source", "allowed"),
    [
        ("resolvers", "from schema.ids import decode_id", False),
        ("resolvers", "import strawberry", False),
        ("resolvers", "from comptoir.db import database", False),
        ("resolvers", "from comptoir.settings import Settings", False),
        ("resolvers", "from comptoir import settings", False),
        ("schema", "from comptoir.settings import Settings", False),
        ("realtime", "import comptoir", False),
        ("resolvers", "from realtime.log import atomic", True),
        ("resolvers", "from models.catalog import Product", True),
        ("realtime", "from resolvers.actor import Actor", False),
        ("realtime", "from broadcaster import Broadcast", True),
        ("models", "from realtime.log import atomic", False),
        ("models", "from redis.asyncio import Redis", False),
        ("schema", "from comptoir.app import create_app", False),
        ("schema", "from resolvers.cart import add_to_cart", True),
        ("comptoir", "from schema import build_schema", True),
        ("resolvers", "from ..schema import errors", False),
        ("resolvers", "from . import pagination", True),
    ],
)
def test_the_checker_tells_allowed_imports_from_forbidden_ones(
    tmp_path: Path, room: str, source: str, allowed: bool
) -> None:
    path = tmp_path / "probe.py"
    path.write_text(source + "\n")
    found = list(violations(f"{room}.probe", path))
    assert (found == []) is allowed, found


def test_no_module_passes_the_size_ceiling() -> None:
    too_long = [
        f"{_shown(path)}: {lines} lines"
        for path in python_files()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert too_long == [], "split into modules named after what they hold:\n" + "\n".join(too_long)


def _top_level_imports(
    module: str, path: Path, known: set[str], *, type_checking: bool
) -> Iterator[str]:
    """What loading the module imports (function bodies excluded), as modules of the rooms."""

    def walk(body: list[ast.stmt]) -> Iterator[str]:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                if type_checking:
                    yield from walk(node.body)
            elif isinstance(node, ast.If | ast.Try):
                for block in (node.body, node.orelse, *getattr(node, "handlers", [])):
                    yield from walk(block if isinstance(block, list) else block.body)
            elif isinstance(node, ast.Import):
                yield from (a.name for a in node.names if a.name in known and a.name != module)
            elif isinstance(node, ast.ImportFrom):
                # `from package import submodule` loads the package's __init__ first, as any
                # submodule import does; the edge that can close a circle is the submodule.
                target = _absolute(module, path, node)
                for alias in node.names:
                    name = f"{target}.{alias.name}"
                    name = name if name in known else target
                    if name in known and name != module:
                        yield name

    yield from walk(ast.parse(path.read_text(), str(path)).body)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected groups of more than one module (Tarjan)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in order:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], order[other])
        if low[node] == order[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            if group:
                found.append(sorted([node, *group]))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def _graph(*, type_checking: bool) -> dict[str, set[str]]:
    found = dict(modules())
    known = set(found)
    return {
        module: set(_top_level_imports(module, path, known, type_checking=type_checking))
        for module, path in found.items()
    }


def test_no_import_circle_when_modules_load() -> None:
    assert circles(_graph(type_checking=False)) == []


def test_only_graphql_types_name_each_other_in_type_checking_imports() -> None:
    """Below schema/ a TYPE_CHECKING import may not hide a circle (hub ↔ streams was one);
    GraphQL types in schema/ name each other (Order.claims, Claim.order) through
    strawberry.lazy, which is what TYPE_CHECKING is for there."""
    found = [
        group
        for group in circles(_graph(type_checking=True))
        if any(not module.startswith("schema.") for module in group)
    ]
    assert found == []


def test_the_circle_finder_finds_a_circle_and_only_it() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [["a", "b", "c"]]
