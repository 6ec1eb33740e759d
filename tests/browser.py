"""Debian's headless Chromium driven over the DevTools protocol (no browser download).

The browser may resolve no host but 127.0.0.1, and every request it makes is recorded, so a
test can show that a page needs nothing from the internet.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-sync",
    "--window-size=1400,900",
    # Every name but 127.0.0.1 fails to resolve: the page must live on the server alone.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0",
)
# The CSP violations of the page, recorded before any of its own scripts runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def chromium_binary() -> str:
    """Debian's chromium; skipped outside CI when absent, a failure under CI=true."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is required under CI (apt-get install chromium)")
        pytest.skip("chromium is not installed: the browser test cannot run")
    return binary


class Chromium:
    """One headless browser with one page, and the DevTools session attached to it."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="comptoir-chromium-"))
        self.process: asyncio.subprocess.Process | None = None
        self.socket: ClientConnection | None = None
        self.requests: list[str] = []
        self.errors: list[str] = []
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self.process = await asyncio.create_subprocess_exec(
            chromium_binary(),
            *FLAGS,
            f"--user-data-dir={self.profile}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if time.monotonic() > deadline or self.process.returncode is not None:
                raise RuntimeError("chromium did not open its DevTools port")
            await asyncio.sleep(0.05)
        port = port_file.read_text().split("\n")[0]
        async with httpx.AsyncClient() as http:
            targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        page = next(t for t in targets if t["type"] == "page")
        self.socket = await websockets.connect(page["webSocketDebuggerUrl"], max_size=None)
        self._reader = asyncio.create_task(self._read())
        for domain in ("Page", "Runtime", "Network", "Log"):
            await self.send(f"{domain}.enable")
        await self.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_VIOLATIONS)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.socket is not None:
            await self.socket.close()
        if self.process is not None:
            self.process.kill()
            await self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    async def _read(self) -> None:
        assert self.socket is not None
        async for raw in self.socket:
            message = json.loads(raw)
            if "id" in message:
                future = self._pending.pop(message["id"])
                if "error" in message:
                    future.set_exception(RuntimeError(message["error"]))
                else:
                    future.set_result(message.get("result", {}))
            elif message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            elif message["method"] == "Network.webSocketCreated":
                self.requests.append(message["params"]["url"])
            elif message["method"] == "Runtime.exceptionThrown":
                self.errors.append(message["params"]["exceptionDetails"]["text"])
            elif (
                message["method"] == "Log.entryAdded"
                and message["params"]["entry"]["level"] == "error"
            ):
                self.errors.append(message["params"]["entry"]["text"])

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        assert self.socket is not None
        self._next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        await self.socket.send(
            json.dumps({"id": self._next_id, "method": method, "params": params})
        )
        return await asyncio.wait_for(future, 30)

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete'")

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    async def wait_for(self, expression: str, seconds: float = 20) -> Any:
        """The expression's first truthy value, re-evaluated until then (an exception, such as
        an element not rendered yet, counts as false)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                if value := await self.evaluate(expression):
                    return value
            except RuntimeError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {seconds}s: {expression}")
            await asyncio.sleep(0.05)

    async def screenshot(self) -> bytes:
        shot = await self.send("Page.captureScreenshot", format="png")
        return base64.b64decode(shot["data"])
