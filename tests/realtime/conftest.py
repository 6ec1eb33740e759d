"""Each test truncates the log (ids restart at 1): the hub must forget how far it had read."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from realtime import hub


@pytest.fixture(autouse=True)
async def rewound_hub(clean_database: None, app: Starlette) -> None:
    await hub.current().rewind()
