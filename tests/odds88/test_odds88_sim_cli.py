"""``wagerkit sim odds88`` and the in-process server helper."""

from __future__ import annotations

import httpx
import pytest

from wagerkit.cli import build_parser
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
