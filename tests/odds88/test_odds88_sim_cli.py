"""``wagerkit sim odds88`` and the in-process server helper."""

from __future__ import annotations

import httpx
import pytest

from wagerkit.cli import build_parser, main
from wagerkit.errors import InvalidInput
from wagerkit.sim._server import ServerThread
from wagerkit.sim.odds88 import create_app
from wagerkit.sim.odds88.testing import odds88_server


def test_cli_registers_the_odds88_simulator() -> None:
    args = build_parser().parse_args(
        ["sim", "odds88", "--port", "0", "--client-id", "me", "--password", "pw-123"]
    )
    assert (args.port, args.client_id, args.password) == (0, "me", "pw-123")
    assert callable(args.func)


def test_cli_help_does_not_show_a_password(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sim", "odds88", "--help"])
    out = capsys.readouterr().out
    assert "--client-id" in out and "--password" in out
    assert "sim-password" not in out


def test_server_binds_loopback_only() -> None:
    with pytest.raises(InvalidInput):
        ServerThread(create_app(), host="0.0.0.0")  # noqa: S104


def test_health_and_plain_login() -> None:
    with odds88_server(client_id="me", password="pw-123") as srv:
        assert "pw-123" not in repr(srv)
        assert httpx.get(f"{srv.base_url}/health").json() == {"status": "ok"}
        login = httpx.post(
            f"{srv.base_url}/api/Account/login", json={"clientId": "me", "password": "pw-123"}
        )
        assert login.status_code == 200 and login.headers["content-type"].startswith("text/plain")
        bad = httpx.post(f"{srv.base_url}/api/Account/login", json={"clientId": "me"})
        assert bad.status_code == 400 and bad.json()["status"] == 400
        denied = httpx.post(f"{srv.base_url}/api/Cashout/subscribe", json={"betIds": []})
        assert denied.status_code == 401 and denied.content == b""


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_long_running_simulator_keeps_bounded_state() -> None:
    """A demo server runs for weeks: old bets are forgotten first, lapsed subscriptions are
    dropped, and the test histories have caps."""
    from wagerkit.clock import FakeClock
    from wagerkit.errors import NotFound
    from wagerkit.odds88 import Odds88Client
    from wagerkit.sim.odds88 import SUBSCRIPTION_TTL

    from .helpers import bet_request

    clock = FakeClock()
    async with (
        odds88_server(clock=clock, max_bets=3) as srv,
        Odds88Client(srv.base_url, srv.client_id, srv.password, clock=clock) as odds88,
    ):
        ids = [(await odds88.place_bet("p1", bet_request())).request_id for _ in range(5)]
        assert len(srv.sim.bets) == 3
        with pytest.raises(NotFound):
            await odds88.get_bet("p1", str(ids[0]))
        assert (await odds88.get_bet("p1", str(ids[-1]))).accepted
        await odds88.subscribe_cashout([str(i) for i in ids[2:]])
        clock.advance(SUBSCRIPTION_TTL + 1)
        await odds88.subscribe_cashout([str(ids[-1])])
        assert len(srv.sim._subs) == 1  # the two lapsed ones are gone
    assert srv.sim.subscribe_calls.maxlen is not None


def test_a_busy_port_is_one_error_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sim", "odds88", "--port", str(port)]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"error: 127.0.0.1:{port} is already in use (pick another --port, or --port 0 for a "
        "free one)\n"
    )
    assert captured.out == ""
    assert main(["sim", "odds88", "--port", "70000"]) == 2
    assert capsys.readouterr().err.startswith("error: --port must be 0..65535")
