"""The ``apiKey`` query parameter, added where nothing can log it.

OddsPapi authenticates with ``?apiKey=`` on every request. httpx logs each request's URL (at
INFO) and exceptions can carry it, so the key is not put in the URL the client builds: this
transport wrapper adds it to a copy of the request at the last moment, below httpx's logging,
and the client's error messages are scrubbed of it as well (:func:`wagerkit.errors.redact`).
"""

from __future__ import annotations

import re

import httpx

from wagerkit.errors import InvalidInput

__all__ = ["KeyTransport", "check_api_key"]

_KEY = re.compile(r"[A-Za-z0-9_-]{8,128}")


def check_api_key(api_key: object) -> str:
    """The key as given, or :class:`InvalidInput` (without echoing it) when it cannot be one.

    OddsPapi keys are 32 hex characters; any 8-128 URL-safe characters are accepted so test
    and future keys work, and nothing with spaces or separators is ever sent.
    """
    if not isinstance(api_key, str) or not _KEY.fullmatch(api_key):
        raise InvalidInput(
            "api_key must be 8-128 letters, digits, '-' or '_' (OddsPapi keys are 32 hex chars)",
            field="api_key",
        )
    return api_key


class KeyTransport(httpx.AsyncBaseTransport):
    """Wrap ``inner`` so every request leaves with ``apiKey`` in its query string."""

    def __init__(self, api_key: str, inner: httpx.AsyncBaseTransport) -> None:
        self._key = api_key
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        keyed = httpx.Request(
            request.method,
            request.url.copy_merge_params({"apiKey": self._key}),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return await self._inner.handle_async_request(keyed)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __repr__(self) -> str:
        return "KeyTransport(apiKey=***)"
