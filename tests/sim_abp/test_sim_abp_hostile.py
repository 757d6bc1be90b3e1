"""Hostile request bodies against the ABP simulator: deep JSON and oversized bodies get ABP's
own answers (422 ``json_invalid``, 413), never a 500, on every JSON POST (admin included)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from wagerkit.sim._contract import MAX_DEPTH
from wagerkit.sim._limits import DEFAULT_MAX_BODY
from wagerkit.sim.abp.testing import SimHandle

JSON_POSTS = ["/place-orders", "/cancel-orders", "/accounts", "/_admin/quotes", "/_admin/rates"]


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("path", JSON_POSTS)
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_json_is_a_422_json_invalid(http: httpx.Client, path: str, depth: int) -> None:
    answer = http.post(path, content=_nested(depth), headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["type"] == "json_invalid"


def test_json_at_the_depth_limit_reaches_the_handler(http: httpx.Client) -> None:
    # a list nested exactly MAX_DEPTH deep is JSON the server reads: the handler refuses its
    # shape (not an object of orders), which is a different answer than json_invalid
    answer = http.post("/place-orders", content=_nested(MAX_DEPTH))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] != "json_invalid"


@pytest.fixture
def raw(abp_sim: SimHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=abp_sim.base_url, headers=abp_sim.headers, timeout=30) as c:
        yield c


@pytest.mark.parametrize("path", JSON_POSTS)
def test_oversized_body_is_a_413(raw: httpx.Client, path: str) -> None:
    answer = raw.post(path, content=b" " * (DEFAULT_MAX_BODY + 1))
    assert answer.status_code == 413
    assert answer.json() == {"detail": "Request body too large"}


def test_oversized_streamed_body_without_length_is_a_413(raw: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:  # chunked transfer: no Content-Length to refuse up front
        for _ in range(40):
            yield b" " * 65_536

    answer = raw.post("/place-orders", content=chunks())
    assert answer.status_code == 413


def test_the_server_still_answers_after_hostile_bodies(raw: httpx.Client) -> None:
    raw.post("/place-orders", content=_nested(100_000))
    raw.post("/place-orders", content=b"x" * (DEFAULT_MAX_BODY * 3))
    assert raw.get("/health").status_code == 200
