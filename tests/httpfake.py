"""A real local HTTP server for protocol tests: each route replies from a script of steps.

Steps are bytes to send (flushed one by one, so clients see a real stream), delays, or a
connection drop. Tests describe what a backend would send on the wire; nothing is mocked in
the client under test.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["DROP", "FakeServer", "Reply", "Sleep", "fake_server", "sse", "sse_done"]


@dataclass(frozen=True)
class Sleep:
    seconds: float


DROP = object()  # close the connection at this point, without finishing the response


@dataclass
class Reply:
    """One HTTP response: status, headers, and body steps (bytes, Sleep or DROP)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/event-stream"})
    steps: list[Any] = field(default_factory=list)


Handler = Callable[[str, dict[str, Any]], Reply]


def sse(payload: Any) -> bytes:
    """One server-sent event carrying ``payload`` as JSON."""
    return f"data: {json.dumps(payload)}\n\n".encode()


def sse_done() -> bytes:
    return b"data: [DONE]\n\n"


@dataclass
class FakeServer:
    url: str
    requests: list[tuple[str, str, dict[str, Any]]]


@contextmanager
def fake_server(routes: dict[str, Handler]) -> Iterator[FakeServer]:
    """Serve ``routes`` ("METHOD /path" -> handler(path, json_body) -> Reply) on 127.0.0.1."""
    seen: list[tuple[str, str, dict[str, Any]]] = []

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            path = self.path.split("?")[0]
            seen.append((method, path, body | {"_headers": dict(self.headers)}))
            handler = routes.get(f"{method} {path}")
            reply = handler(path, body) if handler else Reply(404, {"Content-Type": "application/json"},
                                                              [b'{"error": "no route"}'])
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Connection", "close")
            self.end_headers()
            for step in reply.steps:
                if step is DROP:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if isinstance(step, Sleep):
                    time.sleep(step.seconds)
                    continue
                self.wfile.write(step)
                self.wfile.flush()

        def do_POST(self) -> None:
            self._handle("POST")

        def do_GET(self) -> None:
            self._handle("GET")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FakeServer(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()
