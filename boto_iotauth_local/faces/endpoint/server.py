"""The local endpoint: AWS IoT's REST-JSON protocol over HTTP, answered by the same wire layer as boto3.

Each request is routed by method and path against the model (:mod:`..wire.routes`), then answered by
:func:`..wire.exchange.answer` (decode, validate, service, encode) exactly as an intercepted boto3 call is;
this module only moves bytes between a socket and that exchange.

The server is the standard library's ``ThreadingHTTPServer``: HTTP/1.1 with keep-alive, one thread per
connection (the services are synchronous and the world is thread-safe, so threads are the natural unit;
an in-process authorizer that sleeps holds one connection, not the server), no dependency to install
beside the package. Limits are this module's: a body larger than ``max_body`` is refused with 413 before
it is read, a body without a length with 411, a client that does not finish its request within
``client_timeout`` seconds with 408 (or, stuck in its headers, by closing the connection). ``stop()``
stops accepting, lets requests being answered finish, closes idle keep-alive connections and joins.
Signatures are read only for the region they name; they are never verified.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ...activation.calls import Call, CallLog
from ...errors import InvalidRequestException
from ...services import SERVICES, ServiceOptions
from ...wire.encode import encode_error
from ...wire.exchange import Exchange, answer, request_region
from ...wire.request import HttpRequest
from ...wire.routes import route
from ...world import World
from .operations import not_implemented, operation_table

#: 1 MiB: far above any IoT request (a policy document is at most 2048 characters, a certificate a few KB).
DEFAULT_MAX_BODY = 1 << 20
DEFAULT_CLIENT_TIMEOUT = 10.0

Log = Callable[[str], None]


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class _Reply:
    """A response to write: status, headers, body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def _refusal(status: int, code: str, message: str) -> _Reply:
    """An HTTP-level refusal (no operation reached), in the service's error form."""
    body = json.dumps({"message": message}).encode("utf-8")
    return _Reply(status, {"Content-Type": "application/json", "x-amzn-ErrorType": code}, body)


class Endpoint:
    """A local AWS IoT endpoint over ``world``; a context manager, or ``start()`` / ``stop()``.

    ``world``: the World to answer from (several for several regions; none: an empty one). Requests
    for a region no world serves are answered from an empty world of that region, as ``activate()``
    does. ``region``: the region of unsigned requests (default: the first world's, else us-east-1).
    ``log``: called with one line per call (None: silent).
    """

    def __init__(
        self,
        world: World | Iterable[World] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str | None = None,
        log: Log | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        client_timeout: float = DEFAULT_CLIENT_TIMEOUT,
        reject_inactive_authorizers: bool = False,
    ) -> None:
        worlds = [world] if isinstance(world, World) else list(world or ())
        self._lock = threading.Lock()
        self._worlds: dict[str, World] = {}
        for item in worlds:
            if not isinstance(item, World):
                raise TypeError(f"expected a World, got {type(item).__name__}")
            if item.region in self._worlds:
                raise ValueError(f"two worlds serve region {item.region}")
            self._worlds[item.region] = item
        self._account = worlds[0].account_id if worlds else World().account_id
        self.region = region or (worlds[0].region if worlds else "us-east-1")
        self.world_for(self.region)  # refuses a malformed region now, not on the first call
        self._host = host
        self._port = port
        self._log = log
        self.max_body = max_body
        self.client_timeout = client_timeout
        self._options = ServiceOptions(reject_inactive_authorizers=reject_inactive_authorizers)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        #: Every call answered (operations reached, including refused ones), in order.
        self.calls = CallLog()

    # -- the world ---------------------------------------------------------------------------------------

    @property
    def world(self) -> World:
        """The world of the default region (``region``)."""
        return self.world_for(self.region)

    def world_for(self, region: str) -> World:
        """The world serving ``region``; an empty one when none does."""
        found = self._worlds.get(region)
        if found is not None:
            return found
        with self._lock:
            return self._worlds.setdefault(region, World(account_id=self._account, region=region))

    # -- answering ---------------------------------------------------------------------------------------

    def respond(self, request: HttpRequest) -> tuple[str | None, _Reply]:
        """The operation ``request`` calls (None if no route) and the reply to send."""
        operation = route(request.method, request.url)
        if operation is None:
            path = "/" + request.url.split("?", 1)[0].split("//", 1)[-1].partition("/")[2]
            message = f"No AWS IoT operation is {request.method} {path}"
            return None, _refusal(404, "UnknownOperationException", message)
        region = request_region(request, default=self.region)
        implementation = operation_table().get(operation)
        if implementation is None:
            error = not_implemented(operation)
            exchange = Exchange(operation, region, None, None, error, encode_error(request.url, error))
        else:

            def backend(name: str, params: dict[str, Any], region: str) -> Mapping[str, Any]:
                try:
                    world = self.world_for(region)
                except ValueError as exc:  # a signature naming a region that cannot be one
                    raise InvalidRequestException(f"The request is signed for {exc}") from None
                return implementation(world, params, self._options)

            # Writers may keep what they are given: only the services share decoded parameters.
            exchange = answer(operation, request, backend, region=region, reuse_params=operation in SERVICES)
        response = exchange.response
        body = bytes(response.content)
        sent = b"" if exchange.error else body
        self.calls.record(Call.of(exchange, sent))
        headers = {k: str(v) for k, v in response.headers.items() if k.lower() != "content-length"}
        return operation, _Reply(int(response.status_code), headers, body)

    # -- switching ---------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` (the port the system picked when ``port=0``); set once started."""
        if self._server is None:
            raise RuntimeError("the endpoint is not started")
        address = self._server.server_address
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        port = address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the endpoint is not started")
        return int(self._server.server_address[1])

    def start(self) -> Endpoint:
        """Bind and serve in a background thread; returns the endpoint."""
        with self._lock:
            if self._server is not None:
                return self
            server = _Server(self, (self._host, self._port))
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="iotauth-local-endpoint"
            )
            thread.daemon = True
            thread.start()
            self._server, self._thread = server, thread
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` is called from another thread (or a signal)."""
        with self._lock:
            if self._server is None:
                self._server = _Server(self, (self._host, self._port))
            server = self._server
        server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop accepting, finish the requests being answered, close idle connections; idempotent."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        if thread is not None:
            server.shutdown()
            thread.join()
        server.close_all(self.client_timeout)

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<Endpoint {where} regions={sorted(self._worlds)} calls={len(self.calls)}>"

    def _log_line(self, line: str) -> None:
        if self._log is not None:
            self._log(line)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64

    def __init__(self, endpoint: Endpoint, address: tuple[str, int]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.endpoint = endpoint
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._idle = threading.Condition(self._connections_lock)
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
            self._idle.notify_all()
        super().shutdown_request(request)

    def close_all(self, wait: float) -> None:
        """End every connection's reading side (idle keep-alives return at once) and wait for them."""
        deadline = time.monotonic() + wait
        with self._connections_lock:
            for connection in list(self._connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RD)
            while self._connections and time.monotonic() < deadline:
                self._idle.wait(deadline - time.monotonic())
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        self.endpoint._log_line(f"{client_address[0]} connection dropped: {type(error).__name__}: {error}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "boto_iotauth_local"
    #: Headers and body leave in two writes; with Nagle's algorithm the body would wait for the client's
    #: delayed ACK of the headers (about 40 ms per call on Linux).
    disable_nagle_algorithm = True
    error_content_type = "application/json"
    error_message_format = '{"message": "%(message)s"}'
    server: _Server

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.endpoint.client_timeout)

    def log_message(self, format: str, *args: Any) -> None:
        # http.server's own messages (malformed request lines, timeouts in the headers) become log lines.
        self.server.endpoint._log_line(f"{self.client_address[0]} {format % args}")

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        return None  # one line per call is written by _dispatch, with the operation

    def _read_body(self) -> bytes | _Reply:
        endpoint = self.server.endpoint
        length_header = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            # No SDK streams an IoT request; refusing chunked bodies outright also leaves no doubt about
            # where a request ends when both headers are sent.
            self.close_connection = True
            return _refusal(
                411, "LengthRequiredException", "A request body needs a Content-Length, not Transfer-Encoding"
            )
        if length_header is None:
            return b""
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            return _refusal(400, "BadRequestException", f"Content-Length {length_header!r} is not a length")
        if length > endpoint.max_body:
            self.close_connection = True
            return _refusal(
                413,
                "RequestEntityTooLargeException",
                f"The request body of {length} bytes is larger than the {endpoint.max_body} bytes accepted",
            )
        deadline = time.monotonic() + endpoint.client_timeout
        chunks: list[bytes] = []
        remaining = length
        try:
            while remaining:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = self.rfile.read1(min(remaining, 65536))
                if not chunk:
                    self.close_connection = True
                    return _refusal(400, "BadRequestException", "The request body ended before its length")
                chunks.append(chunk)
                remaining -= len(chunk)
        except TimeoutError:
            self.close_connection = True
            message = f"The request was not received within {endpoint.client_timeout} s"
            return _refusal(408, "RequestTimeoutException", message)
        return b"".join(chunks)

    def _dispatch(self) -> None:
        started = time.monotonic()
        endpoint = self.server.endpoint
        body = self._read_body()
        operation: str | None = None
        if isinstance(body, _Reply):
            reply = body
        else:
            address = self.server.server_address
            host = self.headers.get("Host") or f"{address[0]!s}:{address[1]}"
            request = HttpRequest(self.command, f"http://{host}{self.path}", self.headers, body)
            operation, reply = endpoint.respond(request)
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
        error = reply.headers.get("x-amzn-ErrorType", "").split(":", 1)[0]
        elapsed = (time.monotonic() - started) * 1000
        path = self.path.split("?", 1)[0]
        endpoint._log_line(
            f"{self.client_address[0]} {self.command} {path} {operation or '-'} {reply.status}"
            f"{' ' + error if error else ''} {elapsed:.1f}ms"
        )

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch


def serve(
    world: World | Iterable[World] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    region: str | None = None,
    log: Log | None = None,
    reject_inactive_authorizers: bool = False,
) -> Endpoint:
    """Start a local AWS IoT endpoint over ``world`` in a background thread and return it.

    Point any SDK at ``endpoint.url`` (``AWS_ENDPOINT_URL_IOT`` or ``endpoint_url=``); stop it with
    ``endpoint.stop()`` or use it as a context manager. ``port=0`` picks a free port.
    """
    endpoint = Endpoint(
        world,
        host=host,
        port=port,
        region=region,
        log=log,
        reject_inactive_authorizers=reject_inactive_authorizers,
    )
    return endpoint.start()


__all__ = ["DEFAULT_CLIENT_TIMEOUT", "DEFAULT_MAX_BODY", "Endpoint", "Log", "serve"]
