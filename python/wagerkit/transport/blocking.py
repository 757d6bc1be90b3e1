"""Run an async client from blocking code (scripts, notebooks).

Each blocking client owns a :class:`BlockingRunner`: an event loop in a worker thread (an anyio
blocking portal). Its methods call the async client's methods through it, so the two clients
share one implementation, one set of method names and one behaviour.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from anyio.from_thread import BlockingPortal, start_blocking_portal

__all__ = ["BlockingRunner", "BlockingTwin"]

T = TypeVar("T")


class BlockingRunner:
    """An event loop in a background thread that runs coroutines for blocking callers."""

    def __init__(self, backend: str = "asyncio") -> None:
        self._stack = contextlib.ExitStack()
        self._portal: BlockingPortal = self._stack.enter_context(
            start_blocking_portal(backend=backend)
        )

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``await fn(*args, **kwargs)`` on the runner's loop and return its result."""
        return self._portal.call(functools.partial(fn, *args, **kwargs))

    def hold(self, cm: AbstractAsyncContextManager[T]) -> AbstractContextManager[T]:
        """Enter an async context manager on the runner's loop from blocking code.

        Long-lived async resources (a client's task group, an open feed) stay open on the
        runner's loop for as long as the returned blocking context manager is held.
        """
        return self._portal.wrap_async_context_manager(cm)

    def iterate(self, make: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
        """Turn an async iterator (e.g. all pages of orders) into a blocking one."""
        agen = make()

        async def step() -> tuple[bool, T | None]:
            try:
                return True, await agen.__anext__()
            except StopAsyncIteration:
                return False, None

        while True:
            more, item = self._portal.call(step)
            if not more:
                return
            yield item  # type: ignore[misc]

    def close(self) -> None:
        """Stop the loop and its thread."""
        self._stack.close()

    def close_after(self, aclose: Callable[[], Awaitable[object]]) -> None:
        """Run a client's async ``aclose`` on the loop, then stop the loop and its thread even
        when that close fails: what every blocking client's ``close`` does."""
        try:
            self.call(aclose)
        finally:
            self.close()


class _AsyncClosable(Protocol):
    async def aclose(self) -> None: ...


class BlockingTwin:
    """``close()`` and the context manager of a blocking client that drives an async client
    (``_client``) on its own :class:`BlockingRunner` (``_runner``): written once for every venue."""

    _runner: BlockingRunner
    _client: _AsyncClosable

    def close(self) -> None:
        """Close the connection pool and stop the worker thread."""
        self._runner.close_after(self._client.aclose)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
