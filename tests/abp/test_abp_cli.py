"""``wagerkit abp …`` against the simulator: tables by default, JSON with --json, key and URL
from flags or the environment."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid

import httpx
import msgspec
import pytest

from wagerkit.abp import AbpAdapter, OrderRequest
from wagerkit.cli import main
from wagerkit.execution import LocalStatus, ManagedOrder, OrderManager
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
    assert len(out.strip().splitlines()) == 1  # one JSON document
    doc = json.loads(out)
    preview, placed = doc["preview"], doc["result"]
    assert preview["status"] == "filled"
    assert preview["currency"] == "USD" and preview["stake"] == 10.0
    assert 9.98 <= preview["filled"] <= 10.0  # major units (minor-unit rounding across FX)
    assert preview["legs"] and all(
        isinstance(leg["stake"], float) and leg["currency"] for leg in preview["legs"]
    )
    assert abs(sum(leg["orderStake"] for leg in preview["legs"]) - preview["filled"]) < 1e-9
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
    converted = json.loads(out)["converted"]
    assert set(converted) == {
        "currency",
        "groupBy",
        "pnl",
        "totalNetPnl",
        "totalStaked",
        "totalSettledBets",
    }
    assert converted["currency"] == "USD" and converted["groupBy"] == "bookmaker"
    code, out = run(capsys, "positions", "--json", "--user-ref", "cli")
    doc = json.loads(out)
    converted = doc["converted"]
    assert converted["currency"] == "USD" and converted["totalOpenBets"] >= 1
    (row,) = converted["positions"]
    assert set(row) == {"bookmaker", "openBets", "totalStake", "avgPrice"}
    # major units like ABP's own figures (one USD bet: the same number)
    assert isinstance(converted["totalStake"], float) and 9.9 <= converted["totalStake"] <= 10.0
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
    def place_once_logged_in() -> None:
        # The order must be published after the watch's WebSocket login, or the stream never
        # sees it: wait for that condition (bounded), never for a guessed time.
        deadline = time.monotonic() + 20
        while env.state()["wsConnections"] < 1:
            assert time.monotonic() < deadline, "the watch never logged in"
            time.sleep(0.01)
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
        ).raise_for_status()

    t = threading.Thread(target=place_once_logged_in)
    t.start()
    code, out = run(
        capsys, "watch", "--channels", "orders", "--count", "1", "--seconds", "20", "--json"
    )
    t.join()
    assert code == 0
    event = json.loads(out.strip().splitlines()[0])
    assert event["channel"] == "orders" and event["payload"]["userRef"] == "w"


# --------------------------------------------------------------------------------------------
# bad arguments: one clean line, never a traceback, nothing sent


PLACE = ["place", FIX, "103", "10", "1.95", "--user-ref", "bad"]


@pytest.mark.parametrize(
    "argv",
    [
        [*PLACE, "--expires-in", "nan"],
        [*PLACE, "--expires-in", "1e20"],
        [*PLACE, "--expires-in", "-1"],
        ["place", FIX, "103", "nan", "1.95", "--user-ref", "bad"],
        ["place", FIX, "103", "10", "inf", "--user-ref", "bad"],
        ["place", FIX, "103", "ten", "1.95", "--user-ref", "bad"],
        [*PLACE, "--bookmakers", ",,"],
        [*PLACE, "--currency", "XYZ"],
        [*PLACE, "--player-id", "-1"],
        [*PLACE, "--request-uuid", "not-a-uuid"],
        [*PLACE, "--timeout", "nan"],
        [*PLACE, "--timeout", "0"],
        [*PLACE, "--base-url", "ftp://example.com"],
        [*PLACE, "--base-url", "http://abp.example.com"],
        ["orders", "--request-uuid", "zzz"],
        ["orders"],
        ["positions", "--user-ref", "bad", "--currency", "DOLLARS"],
        ["watch", "--seconds", "nan"],
        ["watch", "--channels", "no-such-channel", "--seconds", "5"],
        ["betslip", FIX, "103", "--currency", "XYZ"],
    ],
)
def test_a_bad_argument_is_one_clean_error_line_and_nothing_is_sent(
    env: SimHandle, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    try:
        code = main(["abp", *argv])
    except SystemExit as exc:  # argparse refused it: usage and a message, exit 2
        code = exc.code  # type: ignore[assignment]
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert "Traceback" not in err and "error" in err.lower()
    assert env.api_key not in err
    assert env.state()["orders"] == 0


# --------------------------------------------------------------------------------------------
# --request-uuid: a re-run can never become a second bet


def test_a_rerun_with_the_same_request_uuid_never_places_twice(
    env: SimHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    uid = str(uuid.uuid4())
    argv = [*PLACE[:-1], "rerun", "--request-uuid", uid.upper()]  # any UUID form is accepted
    code, out = run(capsys, *argv, "--json")
    assert code == 0 and json.loads(out)["requestUuid"] == uid
    code, out = run(capsys, *argv, "--json")
    assert code == 0 and json.loads(out)["status"] == "ALREADY_PLACED"
    env.advance(3600)  # past ABP's 30-minute duplicate window: ABP would accept it again
    code, out = run(capsys, *argv)
    assert code == 0 and "already at ABP" in out
    orders = httpx.get(
        env.base_url + "/orders", headers=env.headers, params={"requestUuids": uid}
    ).json()["orders"]
    assert len(orders) == 1, "exactly one order, however often the command is re-run"


def test_the_request_uuid_is_printed_before_sending(
    env: SimHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["abp", *PLACE])
    captured = capsys.readouterr()
    uid = captured.out.split(":")[0].strip()
    assert code == 0 and f"--request-uuid {uid}" in captured.err


def test_an_unknown_outcome_prints_the_uuid_and_how_to_resume(
    env: SimHandle, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unknown(self: OrderManager, order: OrderRequest) -> ManagedOrder:
        managed = ManagedOrder(AbpAdapter(self.client).intent(order))
        managed.mark(LocalStatus.UNKNOWN, "lookups kept failing")
        return managed

    monkeypatch.setattr(OrderManager, "place", unknown)
    uid = str(uuid.uuid4())
    code = main(["abp", *PLACE, "--lay", "--request-uuid", uid])
    captured = capsys.readouterr()
    assert code == 3
    assert f"{uid}: UNKNOWN" in captured.out
    assert f"wagerkit abp orders --request-uuid {uid}" in captured.err
    resume = next(line for line in captured.err.splitlines() if "resume" in line)
    assert resume.split("resume (safe):")[1].split() == [
        "wagerkit", "abp", *PLACE[:3], "10.0", "1.95", "--user-ref", "bad", "--lay",
        "--request-uuid", uid,
    ]  # fmt: skip
    assert env.api_key not in captured.err
    code = main(["abp", *PLACE, "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 3 and doc["status"] == "UNKNOWN" and doc["requestUuid"] in doc["resume"]


@pytest.mark.parametrize("extra", [(), ("--json",), ("--test",), ("--test", "--json")])
def test_a_declined_order_exits_1(
    env: SimHandle, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...]
) -> None:
    # no account at a bookmaker "nobook": the order is declined, nothing placed
    code, out = run(
        capsys,
        "place",
        FIX,
        "103",
        "10",
        "1.5",
        "--user-ref",
        "dec",
        "--bookmakers",
        "nobook",
        *extra,
    )
    assert "DECLINED" in out
    if "--json" in extra:
        assert json.loads(out)["status"] == "DECLINED"
    assert code == 1


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ("orders", "--order-id, --request-uuid, --user-ref"),
        ("cancel", "--order-id, --request-uuid, --user-ref"),
        ("bets", "--bet-id, --order-id, --user-ref"),
    ],
)
def test_listing_or_cancelling_without_a_filter_names_the_cli_flags(
    env: SimHandle, capsys: pytest.CaptureFixture[str], command: str, flags: str
) -> None:
    code = main(["abp", command])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert flags in err and "order_ids" not in err and "user_ref" not in err


def test_a_missing_key_is_one_readable_line(
    abp_sim: SimHandle, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ABP_API_KEY", raising=False)
    code = main(["abp", "accounts", "--base-url", abp_sim.base_url])
    err = capsys.readouterr().err
    assert code == 2
    assert "--api-key" in err and "ABP_API_KEY environment variable" in err
    assert "***" not in err and "=" not in err


def test_pnl_json_converted_is_camel_case_major_units_with_win_rate() -> None:
    from wagerkit.abp import analytics
    from wagerkit.cli.abp import _pnl_json

    report = analytics.PnlReport(
        "EUR",
        "userRef",
        [analytics.PnlGroup("r", 2, 1, 1, 0, 0, 2000, 1950, 1000, 950)],
        950,
        2000,
        2,
    )
    doc = _pnl_json(report)
    assert doc["pnl"] == [
        {
            "userRef": "r",
            "settledBets": 2,
            "wins": 1,
            "losses": 1,
            "voids": 0,
            "pushes": 0,
            "totalStaked": 20.0,
            "totalWon": 19.5,
            "totalLost": 10.0,
            "netPnl": 9.5,
            "winRate": 50.0,
        }
    ]
    assert (doc["currency"], doc["totalNetPnl"], doc["totalStaked"]) == ("EUR", 9.5, 20.0)


def test_a_retry_is_one_readable_line_with_endpoint_attempt_and_delay(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    import stamina.instrumentation

    before = stamina.instrumentation.get_on_retry_hooks()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ABP_API_KEY", "secret-key-123")
    code = main(["abp", "accounts", "--base-url", f"http://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 1
    lines = err.splitlines()
    retries = [ln for ln in lines if ln.startswith("retrying GET /accounts: attempt ")]
    assert len(retries) == 3 and all(
        re.search(r"attempt \d in \d+\.\d\ds after", r) for r in retries
    )
    assert "stamina.retry_scheduled" not in err and "secret-key-123" not in err
    assert lines[-1].startswith("error: ConnectFailed: GET /accounts")
    assert stamina.instrumentation.get_on_retry_hooks() == before  # restored after the command


def test_tables_on_a_pipe_never_cut_ids_or_names(
    env: SimHandle, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # a pipe: rich would assume 80 columns
    ref = "a-rather-long-user-reference-for-the-table"
    code, out = run(capsys, "place", FIX, "103", "10", "1.95", "--user-ref", ref, "--json")
    assert code == 0
    uid = json.loads(out)["requestUuid"]
    code, out = run(capsys, "orders", "--user-ref", ref)
    assert code == 0
    assert uid in out and ref in out and "FILLED" in out and "…" not in out
    assert "1.950" in out  # prices with 3 decimals
    code, out = run(capsys, "accounts")
    assert code == 0 and "sharpbet_user" in out and "…" not in out


def test_watch_lines_are_readable_for_every_channel() -> None:
    from wagerkit.abp.messages import decode_payload
    from wagerkit.cli.abp import _summary

    balance = decode_payload(
        "balance",
        msgspec.Raw(
            b'{"bookmaker":"sharpbet","username":"sharpbet_user","balance":9983.06,'
            b'"currencyId":"EUR"}'
        ),
    )
    assert _summary(balance) == "balance sharpbet/sharpbet_user: 9,983.06 EUR"
    slip = decode_payload(
        "betslip",
        msgspec.Raw(
            b'{"fixtureId":"id1","outcomeId":103,"bookmaker":"pinnacle","account":"pin_user",'
            b'"price":1.9,"limit":250,"limitCurrency":"USD","active":true}'
        ),
    )
    assert _summary(slip) == "fixture id1 outcome 103: pinnacle (pin_user) @ 1.900 limit 250.00 USD"
    assert "{" not in _summary({"fixtureId": "id1", "status": "LIVE", "nested": {"a": 1}})
