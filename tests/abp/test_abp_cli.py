"""``wagerkit abp …`` against the simulator: tables by default, JSON with --json, key and URL
from flags or the environment."""

from __future__ import annotations

import json
import threading
import time

import pytest

from wagerkit.cli import main
from wagerkit.sim.abp.testing import SimHandle

FIX = "id1000004461512432"


@pytest.fixture
def env(abp_sim: SimHandle, monkeypatch: pytest.MonkeyPatch) -> SimHandle:
    monkeypatch.setenv("ABP_API_KEY", abp_sim.api_key)
    monkeypatch.setenv("ABP_BASE_URL", abp_sim.base_url)
    monkeypatch.setenv("COLUMNS", "160")
    return abp_sim


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["abp", *argv])
    return code, capsys.readouterr().out


def test_accounts_with_flags_and_json(
    abp_sim: SimHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(
        capsys, "accounts", "--json", "--api-key", abp_sim.api_key, "--base-url", abp_sim.base_url
    )
    assert code == 0
    rows = json.loads(out)
    assert {r["bookmaker"] for r in rows} >= {"pinnacle", "sharpbet"}
    assert all(r["password"] == "***" for r in rows)


def test_betslip_table_shows_the_merged_book(
    env: SimHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "betslip", FIX, "103")
    assert code == 0
    assert "merged book" in out and "sharpbet" in out and "pinnacle" in out and "EUR" in out
    assert out.index("sharpbet") < out.index("pinnacle")  # best price first
    code, out = run(capsys, "betslip", FIX, "103", "--json")
    assert json.loads(out)["fixtureId"] == FIX


def test_place_test_then_real_then_list_and_cancel(
    env: SimHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(
        capsys,
        "place",
        FIX,
        "103",
        "10",
        "1.95",
        "--user-ref",
        "cli",
        "--test",
        "--json",
        "--preview",
    )
    assert code == 0
    preview, placed = (json.loads(line) for line in out.strip().splitlines())
    assert preview["preview"]["status"] == "filled"
    assert placed["status"] == "ACCEPTED" and placed["order"]["testOrder"] is True
    code, out = run(capsys, "place", FIX, "103", "10", "1.95", "--user-ref", "cli")
    assert code == 0 and "ACCEPTED" in out
    code, out = run(capsys, "orders", "--user-ref", "cli", "--json")
    assert len(json.loads(out)) >= 1
    code, out = run(capsys, "bets", "--user-ref", "cli")
    assert code == 0 and "CONFIRMED" in out
    code, out = run(capsys, "positions", "--user-ref", "cli")
    assert "ABP /positions" in out and "converted to USD" in out
    code, out = run(capsys, "pnl", "--json", "--user-ref", "cli")
    assert set(json.loads(out)) == {"abp", "converted"}
    code, out = run(capsys, "cancel", "--user-ref", "cli", "--json")
    assert json.loads(out)["status"] == "cancelled"


def test_bad_input_exits_2_and_never_prints_the_key(
    env: SimHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["abp", "place", FIX, "103", "-5", "1.95", "--user-ref", "x"])
    err = capsys.readouterr().err
    assert code == 2 and "order_stake" in err
    code = main(["abp", "accounts", "--api-key", "nope-not-a-key"])
    captured = capsys.readouterr()
    assert code == 1 and "AuthError" in captured.err and "nope-not-a-key" not in captured.err


def test_watch_prints_stream_events(env: SimHandle, capsys: pytest.CaptureFixture[str]) -> None:
    def place_soon() -> None:
        time.sleep(0.5)
        import httpx

        httpx.post(
            env.base_url + "/place-orders",
            headers=env.headers,
            json={
                "orders": [
                    {
                        "requestUuid": "6f1c2a52-9d3e-4c57-8a8f-0d1b2c3d4e5f",
                        "fixtureId": FIX,
                        "outcomeId": 103,
                        "playerId": 0,
                        "orderStake": 5.0,
                        "orderPrice": 1.5,
                        "userRef": "w",
                        "testOrder": False,
                    }
                ]
            },
        )

    t = threading.Thread(target=place_soon)
    t.start()
    code, out = run(
        capsys, "watch", "--channels", "orders", "--count", "1", "--seconds", "20", "--json"
    )
    t.join()
    assert code == 0
    event = json.loads(out.strip().splitlines()[0])
    assert event["channel"] == "orders" and event["payload"]["userRef"] == "w"
