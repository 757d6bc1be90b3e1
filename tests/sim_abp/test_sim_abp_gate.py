"""Public endpoints, API-key authentication, client scoping, rate limiting and faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sim_abp.conftest import order, place, place_one
from wagerkit.sim.abp.ratelimit import SlidingWindowLimiter
from wagerkit.sim.abp.scenario import parse_scenario
from wagerkit.sim.abp.testing import SimHandle


@pytest.mark.parametrize("path", ["/health", "/ready", "/status", "/metrics"])
def test_public_endpoints_need_no_key(abp_sim: SimHandle, path: str) -> None:
    response = httpx.get(abp_sim.base_url + path)
    assert response.status_code == 200
    assert "x-ratelimit-limit" not in response.headers


def test_status_lists_bookmaker_circuits(abp_sim: SimHandle) -> None:
    body = httpx.get(abp_sim.base_url + "/status").json()
    assert body["status"] == "ok"
    assert body["bookmakers"]["pinnacle"] == {"circuit": "closed"}


def test_missing_key_is_403_with_documented_body(abp_sim: SimHandle) -> None:
    response = httpx.get(abp_sim.base_url + "/accounts")
    assert response.status_code == 403
    assert response.json() == {"detail": "Missing API key header: x-api-key"}


def test_invalid_key_is_401_with_documented_body(abp_sim: SimHandle) -> None:
    response = httpx.get(abp_sim.base_url + "/accounts", headers={"x-api-key": "nope"})
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid or inactive API key"}


def test_header_name_is_case_insensitive(abp_sim: SimHandle) -> None:
    response = httpx.get(abp_sim.base_url + "/accounts", headers={"X-API-Key": abp_sim.api_key})
    assert response.status_code == 200


def test_unknown_path_is_404_detail(http: httpx.Client) -> None:
    response = http.get("/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_one_client_never_sees_another_clients_data(abp_sim: SimHandle, http: httpx.Client) -> None:
    mine = place_one(http, userRef="shared-ref")
    other = httpx.Client(base_url=abp_sim.base_url, headers=abp_sim.headers_for("other-client"))
    accounts = other.get("/accounts").json()
    assert [a["username"] for a in accounts] == ["pinnacle_other"]
    assert other.get("/orders", params={"userRef": "shared-ref"}).json()["orders"] == []
    assert other.get("/orders", params={"orderIds": str(mine["orderId"])}).json()["orders"] == []
    assert other.get("/bets", params={"orderIds": str(mine["orderId"])}).json()["bets"] == []
    bet_id = mine["bets"][0]["betId"]
    assert other.get(f"/bets/{bet_id}").status_code == 403
    assert other.get("/accounts/pinnacle/pinnacle_main").status_code == 403
    assert other.get("/positions").json()["positions"] == []
    # the same requestUuid is a different order for another client (keys scope idempotency)
    replay = place(other, order(requestUuid=mine["requestUuid"], bookmakers="pinnacle"))
    assert replay.status_code == 200
    other.close()


def test_bookmaker_allow_list_denies_with_documented_body() -> None:
    from wagerkit.sim.abp.scenario import load_scenario
    from wagerkit.sim.abp.testing import fast_config, start_abp_sim

    base = load_scenario()
    data: dict[str, Any] = {
        "name": "restricted",
        "clients": [{"name": "your-client", "bookmakers": ["pinnacle"]}],
        "rates": base.rates,
        "bookmakers": [{"slug": b.slug, "currency": b.currency} for b in base.bookmakers],
        "accounts": [
            {"client": "your-client", "bookmaker": "pinnacle", "username": "p", "balance": 100},
            {
                "client": "your-client",
                "bookmaker": "sharpbet",
                "username": "s",
                "currencyId": "EUR",
                "balance": 100,
            },
        ],
    }
    with (
        start_abp_sim(fast_config(scenario=parse_scenario(data))) as sim,
        httpx.Client(base_url=sim.base_url, headers=sim.headers) as http,
    ):
        assert [a["bookmaker"] for a in http.get("/accounts").json()] == ["pinnacle"]
        denied = http.post(
            "/accounts", json={"bookmaker": "sharpbet", "username": "x", "password": "pw"}
        )
        assert denied.status_code == 403
        assert denied.json() == {"error": "Access denied to endpoint"}
        denied = place(http, order(bookmakers="sharpbet"))
        assert denied.status_code == 403
        assert denied.json() == {"error": "Access denied to endpoint"}


def _rate_limited(http: httpx.Client, n: int) -> list[httpx.Response]:
    return [http.get("/accounts") for _ in range(n)]


@pytest.mark.sim_options(rps=5)
def test_rate_limit_sliding_window_headers_and_body(abp_sim: SimHandle, http: httpx.Client) -> None:
    # The limiter reads a frozen clock, so a slow machine cannot let the window slide
    # between these requests; the test moves it explicitly.
    now = [1000.0]
    abp_sim.sim.limiter = SlidingWindowLimiter(lambda: now[0])
    responses = _rate_limited(http, 5)
    assert [r.status_code for r in responses] == [200] * 5
    assert responses[0].headers["x-ratelimit-limit"] == "5"
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["4", "3", "2", "1", "0"]
    assert int(responses[-1].headers["x-ratelimit-reset"]) >= 1
    refused = http.get("/accounts")
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Rate limit exceeded", "limit": "5", "retry_after": 1}
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    # other keys have their own window
    other = httpx.get(abp_sim.base_url + "/accounts", headers=abp_sim.headers_for("other-client"))
    assert other.status_code == 200
    # refused requests do not count: once the window slides, requests pass again
    now[0] += 0.99
    assert http.get("/accounts").status_code == 429  # still inside the 1 s window
    now[0] += 0.02
    assert http.get("/accounts").status_code == 200
    # public endpoints are not limited
    assert all(http.get("/health").status_code == 200 for _ in range(8))


def test_default_rate_limit_is_100_per_second(http: httpx.Client) -> None:
    assert http.get("/accounts").headers["x-ratelimit-limit"] == "100"


def test_injected_5xx_hits_exactly_the_next_requests(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    abp_sim.faults(failNext=2, failStatus=503)
    assert [http.get("/accounts").status_code for _ in range(3)] == [503, 503, 200]
    # a failed placement placed nothing
    abp_sim.faults(failNext=1, failStatus=500)
    body = order()
    assert place(http, body).status_code == 500
    assert http.get("/orders", params={"requestUuids": body["requestUuid"]}).json()["orders"] == []


def test_injected_latency_still_answers(abp_sim: SimHandle, http: httpx.Client) -> None:
    assert abp_sim.faults(latency=0.05)["latency"] == 0.05
    assert http.get("/accounts").status_code == 200
    assert abp_sim.clear_faults()["latency"] == 0.0


def test_dropped_response_after_commit_is_reconcilable(
    abp_sim: SimHandle, http: httpx.Client
) -> None:
    abp_sim.faults(dropNextPlacements=1)
    body = order()
    with pytest.raises(httpx.TransportError):
        place(http, body)
    # the order was committed: a lookup by requestUuid finds it, a resend is a duplicate
    found = http.get("/orders", params={"requestUuids": body["requestUuid"]}).json()["orders"]
    assert len(found) == 1 and found[0]["orderStatus"] == "FILLED"
    assert place(http, body).status_code == 409


def test_admin_is_absent_without_the_flag() -> None:
    from wagerkit.sim.abp.testing import fast_config, start_abp_sim

    with start_abp_sim(fast_config(admin=False)) as sim:
        assert httpx.get(sim.base_url + "/_admin/state").status_code == 403  # no key: gate
        assert httpx.get(sim.base_url + "/_admin/state", headers=sim.headers).status_code == 404


def test_admin_state_shows_no_secrets(abp_sim: SimHandle) -> None:
    text = httpx.get(abp_sim.admin_url + "/state").text
    for key in abp_sim.keys.values():
        assert key not in text
    assert "sim-password" not in text
    assert abp_sim.api_key not in repr(abp_sim) and abp_sim.api_key not in repr(abp_sim.sim.keys)
