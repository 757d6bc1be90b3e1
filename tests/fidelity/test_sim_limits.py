"""The shared request bounds of the simulators: the body cap reads no further than the cap (so
a huge body is never held), and JSON depth is refused exactly past the limit."""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wagerkit.sim._contract import MAX_DEPTH, ContractViolation, decode_json
from wagerkit.sim._limits import BodyLimit

CHUNK = 64 * 1024


async def _app(scope: Any, receive: Any, send: Any) -> None:
    message = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(message["body"])).encode()})


def _drive(limit: BodyLimit, chunks: int, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """Feed ``chunks`` chunks of 64 KiB; return (status, chunks the middleware read)."""
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "headers": headers}
    anyio.run(limit, scope, receive, send)
    return sent[0]["status"], read


def test_a_streamed_body_is_read_only_up_to_the_cap() -> None:
    limit = BodyLimit(_app, max_bytes=4 * CHUNK)
    status, read = _drive(limit, chunks=1000, headers=[])  # a 64 MB upload
    assert status == 413
    assert read == 5  # the first chunk past the cap ends the reading: ~256 KiB held at most


def test_a_declared_length_over_the_cap_is_refused_unread() -> None:
    limit = BodyLimit(_app, max_bytes=4 * CHUNK)
    status, read = _drive(limit, chunks=1000, headers=[(b"content-length", b"65536000")])
    assert (status, read) == (413, 0)


def test_a_body_within_the_cap_reaches_the_app_whole() -> None:
    limit = BodyLimit(_app, max_bytes=4 * CHUNK)
    status, read = _drive(limit, chunks=4, headers=[])
    assert (status, read) == (200, 4)


def _nest(depth: int) -> bytes:
    return b'{"a":' * (depth - 1) + b"[]" + b"}" * (depth - 1)


@given(st.integers(min_value=1, max_value=3 * MAX_DEPTH))
def test_depth_is_refused_exactly_past_the_limit(depth: int) -> None:
    if depth <= MAX_DEPTH:
        assert decode_json(_nest(depth)) is not None
    else:
        with pytest.raises(ContractViolation):
            decode_json(_nest(depth))


@given(st.binary(max_size=200))
def test_any_bytes_decode_or_raise_the_typed_error(raw: bytes) -> None:
    # anything but ContractViolation (RecursionError, UnicodeDecodeError...) fails the test
    with contextlib.suppress(ContractViolation):
        decode_json(raw)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=20,
)


@given(JSON)
def test_shallow_json_round_trips(value: Any) -> None:
    assert decode_json(msgspec.json.encode(value)) == value
