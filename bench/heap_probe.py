"""The worker's own memory accounting, read on demand by a benchmark (issue 18's cycles).

RSS alone cannot tell reuse from a leak: glibc and CPython keep freed memory for later. This
probe reports what the process itself still holds. A benchmark makes the worker import it at
start (`sitecustomize`, see `probed_env`) and sends SIGUSR1; the worker writes one JSON line to
`COMPTOIR_HEAP_PROBE`. Signals reach the worker's main thread between bytecodes (uvicorn's main
loop wakes every 0.1 s), not through HTTP, so a worker busy with 10,000 sockets still answers.

- `python_blocks`: `sys.getallocatedblocks()`, the interpreter's live allocations;
- `gc_objects`: objects tracked by the collector (not collected first: a reading does not
  change what it reads);
- `tasks`: asyncio tasks alive;
- `malloc_in_use` / `malloc_free`: glibc `mallinfo2()` of the main arena, bytes handed out
  (small blocks + mmapped) and bytes free inside the heap, kept for reuse;
- `trims` / `open_sockets` / `closed_since_trim`: `comptoir.memory.MemoryReturn`'s count of
  `malloc_trim` calls, of sockets it sees open, and of closes its next trim is for;
- `types`: gc-tracked objects per type (`module.qualname`), for telling what a difference
  between two readings is made of (`type_differences`);
- with tracemalloc tracing (`PYTHONTRACEMALLOC=<frames>` in the worker's environment), a
  snapshot of every live allocation is dumped next to the reading (`snapshot`: its path, one
  file per reading), for `tracemalloc.Snapshot.load(...).compare_to(..., "traceback")`.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import json
import os
import signal
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from types import FrameType

VARIABLE = "COMPTOIR_HEAP_PROBE"


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mallinfo() -> dict[str, int]:
    name = ctypes.util.find_library("c")
    try:
        call = ctypes.CDLL(name).mallinfo2
    except (OSError, AttributeError, TypeError):  # not glibc ≥ 2.33
        return {}
    call.restype = _MallInfo2
    info = call()
    return {"malloc_in_use": info.uordblks + info.hblkhd, "malloc_free": info.fordblks}


def reading() -> dict[str, object]:
    from comptoir.memory import MemoryReturn

    objects = gc.get_objects()
    types = Counter(f"{type(item).__module__}.{type(item).__qualname__}" for item in objects)
    returns = [item for item in objects if isinstance(item, MemoryReturn)]
    try:
        tasks = len(asyncio.all_tasks())
    except RuntimeError:  # no running loop
        tasks = -1
    figures: dict[str, object] = {
        "python_blocks": sys.getallocatedblocks(),
        "gc_objects": len(objects),
        "tasks": tasks,
        "trims": sum(item.trims for item in returns),
        "open_sockets": sum(item.open for item in returns),
        "closed_since_trim": sum(item.closed_since_trim for item in returns),
        **_mallinfo(),
        "types": dict(types),
    }
    del objects, returns
    return figures


_readings = 0


def _answer(_signal: int, _frame: FrameType | None) -> None:
    global _readings
    _readings += 1
    target = Path(os.environ[VARIABLE])
    figures = reading()  # before the snapshot: the snapshot's own allocations are not read
    if tracemalloc.is_tracing():
        snapshot = target.with_name(f"{target.stem}.{_readings}.snapshot")
        tracemalloc.take_snapshot().dump(str(snapshot))
        figures["snapshot"] = str(snapshot)
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(figures))
    partial.replace(target)  # the reader never sees half a line


def type_differences(before: dict[str, int], after: dict[str, int], most: int) -> list[str]:
    """The `most` largest changes in gc-tracked objects per type, as "+count type" lines."""
    changes = Counter(after)
    changes.subtract(before)
    ranked = sorted(changes.items(), key=lambda item: -abs(item[1]))
    return [f"{count:+,} {name}" for name, count in ranked[:most] if count]


def traceback_differences(before: str, after: str, most: int) -> list[str]:
    """The `most` largest growths of live memory between two dumped snapshots, by traceback
    (innermost frame first)."""
    older = tracemalloc.Snapshot.load(before)
    newer = tracemalloc.Snapshot.load(after)
    ignored = tracemalloc.Filter(False, tracemalloc.__file__)
    lines = []
    for stat in newer.filter_traces([ignored]).compare_to(
        older.filter_traces([ignored]), "traceback"
    )[:most]:
        frames = " < ".join(
            f"{Path(frame.filename).name}:{frame.lineno}" for frame in reversed(stat.traceback)
        )
        lines.append(f"{stat.size_diff / 1024:+,.0f} KiB {stat.count_diff:+,} blocks: {frames}")
    return lines


def install() -> None:
    if os.environ.get(VARIABLE):
        signal.signal(signal.SIGUSR1, _answer)


def probed_env(env: dict[str, str], directory: Path) -> dict[str, str]:
    """`env` for a worker that installs the probe at start; readings land in `directory`."""
    startup = directory / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "sitecustomize.py").write_text("from bench.heap_probe import install\ninstall()\n")
    return {
        **env,
        "PYTHONPATH": os.pathsep.join([str(startup), env.get("PYTHONPATH", "")]),
        VARIABLE: str(directory / "reading.json"),
    }
