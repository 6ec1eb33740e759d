"""The settings the suite's apps are built from (the environment tests/conftest.py sets), read
once, the session's app, and the policy resolvers called directly receive: the one that app's
fields pass, its doorbell included (a change made by a test rings the session's hub)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from comptoir.app import create_app
from comptoir.settings import Settings
from resolvers.policy import Policy

SETTINGS = Settings.from_env()
APP = create_app(SETTINGS)
POLICY: Policy = APP.state.policy

# The `configured` fixture: settings changes in, a client of an app built from them out.
Configured = Callable[..., httpx.AsyncClient]
