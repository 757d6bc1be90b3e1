"""Run an ASGI app on 127.0.0.1 in a background thread, for tests, demos and paper trading.

The simulators run on uvicorn (asyncio). Running them in their own thread with their own event
loop means the code under test can use any event loop (asyncio or trio, through anyio) or none
at all (the blocking clients), and a test can talk to the server over real HTTP/WebSocket.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import uvicorn

from wagerkit.errors import InvalidInput

__all__ = ["LOOPBACK", "ServerThread", "ServesInThread", "check_loopback"]

LOOPBACK = "127.0.0.1"


def check_loopback(host: str) -> None:
    """Refuse to bind a simulator anywhere but the loopback interface."""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise InvalidInput(f"simulators bind to loopback only, not {host!r}", field="host")


class StartsAndStops:
    """The sync and async context managers of anything with ``start()`` and ``stop()``: a
    server thread, or a simulator wrapper around one (written once, used by both)."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ServerThread(StartsAndStops):
    """An ASGI app served by uvicorn on a loopback port in a daemon thread.

    Use it as a context manager (sync or async)::

        with ServerThread(app) as server:
            httpx.get(server.base_url + "/health")

    ``port=0`` picks a free port; the real one is in :attr:`port` once started.
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        log_level: str = "warning",
        startup_timeout: float = 10.0,
    ) -> None:
        check_loopback(host)
        self._app = app
        self._host = host
        self._requested_port = port
        self._log_level = log_level
        self._startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port: int = port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self._host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:PORT``."""
        return f"ws://{self._host}:{self.port}"

    def start(self) -> Self:
        """Bind the socket, start serving, and return once the server accepts connections."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # uvicorn writes headers and body separately; without NODELAY (inherited by accepted
        # sockets) Nagle + delayed ACK adds ~40 ms to every loopback request.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self._host, self._requested_port))
        self.port = sock.getsockname()[1]
        self._socket = sock
        config = uvicorn.Config(
            self._app,
            log_level=self._log_level,
            ws="wsproto",
            lifespan="on",
            ws_ping_interval=None,  # the simulators run their own documented keepalive
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="wagerkit-sim", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not server.started:
            if not self._thread.is_alive():
                raise RuntimeError("simulator thread exited during startup")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("simulator did not start in time")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread (bounded)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
        self._server = self._thread = self._socket = None


class ServesInThread(StartsAndStops):
    """Start/stop of a simulator wrapper that serves on a :class:`ServerThread` kept in
    ``self.server``, written once for every ``Running*`` class."""

    server: ServerThread

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
