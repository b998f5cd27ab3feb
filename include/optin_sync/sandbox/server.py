"""The loopback HTTP server that serves both fake APIs, with socket-level faults and crash/restart."""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from optin_sync.sandbox.dispatch import RESET, TRUNCATE, Outcome, process
from optin_sync.sandbox.messages import Request, Response, json_response, parse_json_body
from optin_sync.sandbox.state import SandboxCredentials, SandboxState

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024


def require_loopback(host: str) -> str:
    """Return the loopback IP to bind for `host`, or raise ValueError for any other address."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"sandbox host {host!r} is not an IP address; use 127.0.0.1 or ::1") from None
    if not address.is_loopback:
        raise ValueError(f"sandbox host {host!r} is not a loopback address; the sandbox binds only 127.0.0.0/8 or ::1")
    return str(address)


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    # Idle keep-alive connections must not block stop(); they are shut down explicitly.
    block_on_close = False

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.sandbox = sandbox
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up before reading its response is ordinary here (timeouts, faults); others are logged.
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError)):
            logger.debug("sandbox client went away client=%s error=%s", client_address, type(error).__name__)
            return
        super().handle_error(request, client_address)

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        self.sandbox._track(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        self.sandbox._untrack(request)
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm and delayed
        # ACKs add about 40 ms to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve()

    do_PUT = do_POST = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines carry query strings with emails and phones, so they are not logged here.
        pass

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        if sandbox.crashed:
            self._reset_connection()
            return
        request = self._read_request()
        if request is None:
            return
        try:
            outcome = process(sandbox.state, request)
        except Exception:
            logger.exception("sandbox handler failed method=%s path=%s", request.method, request.path)
            outcome = Outcome(json_response(500, {"error": "sandbox handler failed; see the sandbox log"}))
        self._send(outcome)
        if outcome.crash:
            sandbox.crash()

    def _read_request(self) -> Request | None:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._write(json_response(411, {"error": "chunked bodies are not supported; send a Content-Length header"}))
            return None
        length_text = self.headers.get("Content-Length") or "0"
        if not length_text.isdigit():
            self.close_connection = True
            self._write(json_response(400, {"error": f"invalid Content-Length header {length_text!r}"}))
            return None
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._write(json_response(413, {"error": f"request body larger than {MAX_BODY_BYTES} bytes"}))
            return None
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        json_body, body_error = parse_json_body(body)
        return Request(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            json_body=json_body,
            body_error=body_error,
        )

    def _send(self, outcome: Outcome) -> None:
        if outcome.transport == RESET or outcome.response is None:
            self._reset_connection()
        elif outcome.transport == TRUNCATE:
            self._write(outcome.response, truncate=True)
        else:
            self._write(outcome.response)

    def _write(self, response: Response, truncate: bool = False) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if truncate:
            # The full length was announced; half of the body is sent and the connection closed.
            self.wfile.write(response.body[: len(response.body) // 2])
            self.close_connection = True
        else:
            self.wfile.write(response.body)

    def _reset_connection(self) -> None:
        """Close the socket with SO_LINGER 0 so the peer receives a TCP RST, not a response."""
        self.close_connection = True
        connection = self.connection
        try:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass

        # rfile holds a reference to the socket, so the socket closes only after rfile does.
        self.rfile.close()
        connection.close()


class SandboxServer:
    """A loopback server of the fake VTEX Master Data and WoowUp APIs.

    Args:
        host: a loopback IP (127.0.0.0/8 or ::1) or "localhost"; anything else raises ValueError.
        port: the TCP port, 0 for a free one (see `port` and `url` after start).
        credentials: the keys the APIs accept; random ones when None.

    Use as a context manager, or call `start()` and `stop()`. `state` is the live in-process
    state, and `reset()` does what POST /_sandbox/reset does. After `crash_after_writes`
    successful writes the server stops serving, with `state` still readable, until `restart()`.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, credentials: SandboxCredentials | None = None) -> None:
        self.host = require_loopback(host)
        self.port = port
        self.credentials = credentials or SandboxCredentials.generate()
        self.state = SandboxState(self.credentials)
        self.crashed = False
        self.crash_event = threading.Event()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SandboxServer:
        if self._httpd is not None:
            raise RuntimeError("the sandbox is already serving; call stop() first")
        self._httpd = _HttpServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self.crashed = False
        self.crash_event.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-http", daemon=True
        )
        self._thread.start()
        logger.info("sandbox started url=%s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; the state is kept."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        self._close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def crash(self) -> None:
        """Stop serving at once, as a crashed process would: new and open connections fail."""
        if self.crashed:
            return
        self.crashed = True
        logger.warning("sandbox crashed successful_writes=%d", self.state.successful_writes)

        # shutdown() waits for the serve loop, so it runs off the handler thread that called crash().
        threading.Thread(target=self._finish_crash, name="sandbox-crash", daemon=True).start()

    def _finish_crash(self) -> None:
        self.stop()
        self.crash_event.set()

    def restart(self) -> SandboxServer:
        """Serve again on the same port with the same state, after a crash or a stop."""
        if self.crashed:
            self.crash_event.wait(timeout=5)
        self.stop()
        return self.start()

    def reset(self, payload: Any) -> dict[str, Any]:
        """Replace all state, as POST /_sandbox/reset does; raises BadRequest on an invalid payload."""
        return self.state.reset(payload)

    def _track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def _untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def _close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
