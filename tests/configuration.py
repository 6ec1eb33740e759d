"""The settings the suite's apps are built from (the environment tests/conftest.py sets), read
once, and the policy resolvers called directly receive: the same values the app's fields pass."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from comptoir.settings import Settings

SETTINGS = Settings.from_env()
POLICY = SETTINGS.policy()

# The `configured` fixture: settings changes in, a client of an app built from them out.
Configured = Callable[..., httpx.AsyncClient]
