"""Open a page in real headless Chromium and report what a person (and its console) would see.

Talks the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (file descriptors 3 and 4,
messages as JSON separated by NUL bytes, as Puppeteer's ``pipe: true`` does): no port, no
websocket, no extra dependency. Protocol reference: https://chromedevtools.github.io/devtools-protocol/
(Target.attachToTarget with ``flatten``, Runtime.exceptionThrown, Runtime.consoleAPICalled,
Log.entryAdded, Network.requestWillBeSent, Page.captureScreenshot).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PageReport", "chromium_path", "open_page"]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe"]


def chromium_path() -> str | None:
    """Debian's ``chromium`` (or another Chromium on PATH), None where there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


@dataclass
class PageReport:
    """What happened while the page loaded: problems, requests, an evaluated value, a picture."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    value: Any = None
    screenshot: bytes = b""
    pieces: list[bytes] = field(default_factory=list)


class _Pipe:
    """One CDP connection over a pair of pipes; events are kept for the caller to read."""

    def __init__(self, binary: str, profile: Path, log: Path) -> None:
        to_child_r, self._out = os.pipe()
        self._in, from_child_w = os.pipe()

        def child_fds() -> None:  # runs in the child: the protocol's fds are 3 (in) and 4 (out)
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        with log.open("wb") as err:
            self.proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}",
                                          "about:blank"], stdin=subprocess.DEVNULL,
                                         stdout=err, stderr=err, preexec_fn=child_fds,
                                         close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)  # type: ignore[no-any-return]

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})  # type: ignore[no-any-return]
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30.0) -> None:
        """Read until an event named ``method`` has arrived."""
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._read(deadline))

    def close(self) -> None:
        """Ask the browser to quit, then make sure it has (it is our child: we end it)."""
        with contextlib.suppress(TimeoutError, EOFError, OSError, RuntimeError):
            self.call("Browser.close", timeout=5.0)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._in)
        os.close(self._out)


_SETTLE = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


def _problems(events: list[dict[str, Any]]) -> list[str]:
    """Uncaught exceptions, console errors and warnings, and browser log errors."""
    out = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            out.append("exception: " + details.get("exception", {}).get("description",
                                                                        details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning",
                                                                         "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            out.append(f"console.{params['type']}: {args}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            out.append(f"log {params['entry']['level']}: {params['entry']['text']}")
    return out


def open_page(binary: str, page: Path, expression: str, width: int = 1280,
              pieces: int = 0) -> PageReport:
    """Load ``page``, evaluate ``expression`` (a JSON string), then screenshot the whole page.

    ``pieces`` > 0 also returns the page cut into that many screen-high pictures (easier to
    look at than one very tall one).
    """
    with tempfile.TemporaryDirectory(prefix="showdown-chromium-") as tmp:
        pipe = _Pipe(binary, Path(tmp) / "profile", Path(tmp) / "chromium.log")
        try:
            target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = pipe.call("Target.attachToTarget", {"targetId": target,
                                                          "flatten": True})["sessionId"]
            for domain in ("Runtime", "Log", "Network", "Page"):
                pipe.call(f"{domain}.enable", session=session)
            metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}
            pipe.call("Emulation.setDeviceMetricsOverride", metrics, session)
            pipe.call("Page.navigate", {"url": page.resolve().as_uri()}, session)
            pipe.wait_for("Page.loadEventFired")
            pipe.call("Runtime.evaluate", {"expression": _SETTLE, "awaitPromise": True}, session)
            value = pipe.call("Runtime.evaluate", {"expression": expression,
                                                   "returnByValue": True}, session)
            height = pipe.call("Runtime.evaluate", {
                "expression": "document.documentElement.scrollHeight", "returnByValue": True},
                session)["result"]["value"]
            pipe.call("Emulation.setDeviceMetricsOverride", metrics | {"height": height}, session)
            pipe.call("Runtime.evaluate", {"expression": _SETTLE, "awaitPromise": True}, session)
            shot = pipe.call("Page.captureScreenshot", {"format": "png"}, session)
            cuts = [pipe.call("Page.captureScreenshot", {"format": "png", "clip": {
                "x": 0, "y": i * 1000, "width": width, "height": 1000, "scale": 1}}, session)
                for i in range(min(pieces, -(-height // 1000)))]
        finally:
            pipe.close()
    requests = [e["params"]["request"]["url"] for e in pipe.events
                if e.get("method") == "Network.requestWillBeSent"]
    result = value["result"]
    return PageReport(errors=_problems(pipe.events), requests=requests,
                      value=json.loads(result["value"]) if "value" in result else result,
                      screenshot=base64.b64decode(shot["data"]),
                      pieces=[base64.b64decode(c["data"]) for c in cuts])
