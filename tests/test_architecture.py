"""The rooms' import direction and size, read from the source (ast), not from running it.

comptoir (wiring) → schema → resolvers → realtime → models: a room imports only rooms to its
right; `comptoir.settings` may be imported from anywhere. The three lower rooms know nothing of
GraphQL or HTTP; only realtime talks to the broadcast.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("comptoir", "schema", "resolvers", "realtime", "models")
SHARED = ("comptoir.settings",)
FORBIDDEN_LIBRARIES = {
    "resolvers": ("strawberry", "starlette", "graphql", "broadcaster", "redis", "uvicorn"),
    "realtime": ("strawberry", "starlette", "graphql", "uvicorn"),
    "models": ("strawberry", "starlette", "graphql", "broadcaster", "redis", "uvicorn"),
}
MAX_LINES = 500  # STYLE.md: split a module into a subpackage past ~400 lines


def modules() -> Iterator[tuple[str, Path]]:
    for room in ORDER:
        for path in sorted((ROOT / room).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def imported(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import, wherever it sits (functions, TYPE_CHECKING)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from schema import live` imports schema.live
                yield node.lineno, f"{target}.{alias.name}"


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
        if upward and not any(_within(name, shared) for shared in SHARED):
            yield f"{where} (against {' → '.join(ORDER)})"
        if any(_within(name, lib) for lib in FORBIDDEN_LIBRARIES.get(room, ())):
            yield f"{where} ({room}/ stays free of it)"


def test_every_room_has_modules_to_check() -> None:
    rooms = {module.split(".")[0] for module, _ in modules()}
    assert rooms == set(ORDER)


def test_rooms_import_only_in_the_direction_of_the_architecture() -> None:
    found = [v for module, path in modules() for v in violations(module, path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("room", "source", "allowed"),
    [
        ("resolvers", "from schema.ids import decode_id", False),
        ("resolvers", "import strawberry", False),
        ("resolvers", "from comptoir.db import database", False),
        ("resolvers", "from comptoir.settings import get_settings", True),
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
        for _, path in modules()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert too_long == [], "split into a subpackage:\n" + "\n".join(too_long)
