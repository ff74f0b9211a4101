"""A stand-in CxEngage API: a real HTTP server on 127.0.0.1 for tests.

It serves interaction bodies put into ``interactions`` and can be told to
misbehave for a path (``behaviours``): answer a status, hang, reset the
connection, trickle, cut a body short of its Content-Length, send a body
chunked (size unknown up front), or send garbage. It counts every request it
receives.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Behaviour:
    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False
    reset: bool = False
    trickle: float = 0.0  # seconds between bytes
    times: int | None = None  # then fall back to normal behaviour
    #: Declare this Content-Length instead of the body's own length, then close
    #: the connection after the body: a truncated answer when larger.
    content_length: int | None = None
    #: Send the body with Transfer-Encoding: chunked (no Content-Length), so
    #: its size shows only as it arrives.
    chunked: bool = False
    #: Send the headers and this many bytes of the body, then reset the connection.
    reset_after: int | None = None


class StandInAPI:
    def __init__(self) -> None:
        self.interactions: dict[tuple[str, str], dict[str, Any]] = {}
        self.behaviours: dict[str, list[Behaviour]] = {}
        self.requests: Counter[str] = Counter()
        self.auth_headers: list[str] = []
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.lock = threading.Lock()
        self._stop = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                path = urlsplit(self.path).path
                with api.lock:
                    api.requests[f"POST {path}"] += 1
                if api._misbehave(self, f"POST {path}"):
                    return
                if path == "/v1/tokens":
                    with api.lock:
                        api.tokens_issued += 1
                        token = f"token-{api.tokens_issued}"
                        api.valid_tokens.add(token)
                    self._send(200, json.dumps({"token": token}).encode())
                    return
                self._send(404, b'{"message": "no"}')

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                path = parts.path
                with api.lock:
                    api.requests[f"GET {path}"] += 1
                    api.auth_headers.append(self.headers.get("Authorization", ""))
                if api._misbehave(self, f"GET {path}"):
                    return
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Token ") and auth[6:] not in api.valid_tokens:
                    self._send(401, b'{"message": "token expired"}')
                    return
                bits = path.strip("/").split("/")
                if len(bits) == 5 and bits[:2] == ["v1", "tenants"] and bits[3] == "interactions":
                    body = api.interactions.get((bits[2], bits[4]))
                    if body is None:
                        self._send(404, b'{"message": "Interaction not found"}')
                    else:
                        self._send(200, json.dumps(body).encode())
                    return
                if len(bits) == 4 and bits[:2] == ["v1", "tenants"] and bits[3] == "interactions":
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    self._send(200, json.dumps(api.list_body(bits[2], query)).encode())
                    return
                self._send(404, b'{"message": "Not found"}')

            def _send(
                self, status: int, body: bytes, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self._handler = Handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # resets are on purpose
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def list_body(self, tenant_id: str, query: dict[str, str]) -> dict[str, Any]:
        bodies = [b for (t, _), b in self.interactions.items() if t == tenant_id]
        limit, offset = int(query.get("limit", 100)), int(query.get("offset", 0))
        return {
            "page": offset // max(limit, 1),
            "limit": limit,
            "offset": offset,
            "total": len(bodies),
            "tenantId": tenant_id,
            "results": bodies[offset : offset + limit],
        }

    def _misbehave(self, handler: BaseHTTPRequestHandler, key: str) -> bool:
        with self.lock:
            queue = self.behaviours.get(key) or self.behaviours.get("*")
            if not queue:
                return False
            behaviour = queue[0]
            if behaviour.times is not None:
                behaviour.times -= 1
                if behaviour.times <= 0:
                    queue.pop(0)
        if behaviour.delay:
            time.sleep(behaviour.delay)
        if behaviour.hang:
            self._stop.wait(60)
            return True
        if behaviour.reset:
            self._reset(handler)
            return True
        body = behaviour.body if behaviour.body is not None else b'{"message": "scripted"}'
        if behaviour.reset_after is not None:
            handler.send_response(behaviour.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: behaviour.reset_after])
            handler.wfile.flush()
            time.sleep(0.05)  # the part sent reaches the client before the reset
            self._reset(handler)
            return True
        handler.send_response(behaviour.status)
        handler.send_header("Content-Type", "application/json")
        if behaviour.chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            declared = len(body) if behaviour.content_length is None else behaviour.content_length
            handler.send_header("Content-Length", str(declared))
        for k, v in behaviour.headers.items():
            handler.send_header(k, v)
        handler.end_headers()
        if behaviour.chunked:
            for start in range(0, len(body), 65536):
                piece = body[start : start + 65536]
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            handler.wfile.write(b"0\r\n\r\n")
        elif behaviour.trickle:
            for i in range(len(body)):
                handler.wfile.write(body[i : i + 1])
                handler.wfile.flush()
                if self._stop.wait(behaviour.trickle):
                    break
        else:
            handler.wfile.write(body)
        if behaviour.content_length is not None and behaviour.content_length != len(body):
            # Promised more (or less) than was sent: end the connection here.
            handler.wfile.flush()
            handler.close_connection = True
        return True

    @staticmethod
    def _reset(handler: Any) -> None:
        # SO_LINGER 0 then a real close of the descriptor sends a TCP reset.
        sock = handler.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        os.close(sock.detach())
        handler.close_connection = True

    def script(self, key: str, *behaviours: Behaviour) -> None:
        with self.lock:
            self.behaviours[key] = list(behaviours)

    def __enter__(self) -> StandInAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
