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
- `trims` / `open_sockets`: `comptoir.memory.MemoryReturn`'s count of `malloc_trim` calls and
  of sockets it sees open.
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


def reading() -> dict[str, int]:
    from comptoir.memory import MemoryReturn

    objects = gc.get_objects()
    returns = [item for item in objects if isinstance(item, MemoryReturn)]
    try:
        tasks = len(asyncio.all_tasks())
    except RuntimeError:  # no running loop
        tasks = -1
    figures = {
        "python_blocks": sys.getallocatedblocks(),
        "gc_objects": len(objects),
        "tasks": tasks,
        "trims": sum(item.trims for item in returns),
        "open_sockets": sum(item.open for item in returns),
        **_mallinfo(),
    }
    del objects, returns
    return figures


def _answer(_signal: int, _frame: FrameType | None) -> None:
    target = Path(os.environ[VARIABLE])
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(reading()))
    partial.replace(target)  # the reader never sees half a line


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
