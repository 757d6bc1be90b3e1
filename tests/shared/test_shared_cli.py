"""``wagerkit budget``: the shared budgets as a table and as JSON, from a real Redis."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.shared.redis_server import RedisServer
from wagerkit.cli import main
from wagerkit.execution.shared import RedisBudget


def test_budget_json_and_table(
    rclient: Any, redis_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    b = RedisBudget(rclient, "abp:0123abcd:all", 100, 1.0)
    for _ in range(7):
        assert b.try_acquire()
    b.penalize(5)
    assert main(["budget", "--redis", redis_server.url, "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["name"], row["used"], row["limit"], row["waiting"]) == (
        "abp:0123abcd:all",
        7,
        100,
        0,
    )
    assert 4 < row["blocked_for"] <= 5
    assert main(["budget", "--redis", redis_server.url]) == 0
    table = capsys.readouterr().out
    assert "abp:0123abcd:all" in table and "100" in table


def test_budget_without_redis_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.shared.redis_server import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    assert main(["budget", "--redis", url, "--timeout", "0.2"]) == 2
    assert "shared store unreachable" in capsys.readouterr().err
