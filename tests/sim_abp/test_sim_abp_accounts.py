"""Accounts CRUD: masking, currencyInfo, ownership, validation."""

from __future__ import annotations

import httpx

from wagerkit.sim.abp.testing import SimHandle


def test_list_is_ordered_by_priority_and_masks_passwords(http: httpx.Client) -> None:
    accounts = http.get("/accounts").json()
    assert [a["username"] for a in accounts] == [
        "pinnacle_main",
        "sharpbet_user",
        "vertex_uk",
        "betfair_main",
    ]
    assert {a["password"] for a in accounts} == {"***"}
    assert {a["client"] for a in accounts} == {"your-client"}
    sharp = accounts[1]
    assert sharp["currencyId"] == "EUR"
    assert sharp["currencyInfo"] == {
        "currency": "EUR",
        "currencyValue": 0.84788876,
        "updatedAt": "2026-02-07T17:29:32+00:00",
    }
    assert http.get("/accounts", params={"bookmaker": "vertex"}).json()[0]["maxStake"] == 500.0


def test_create_get_patch_delete(http: httpx.Client) -> None:
    created = http.post(
        "/accounts",
        json={
            "bookmaker": "pinnacle",
            "username": "second",
            "password": "hunter2",
            "currencyId": "GBP",
            "balance": 250.5,
            "priority": 3,
            "maxStake": 100,
            "meta": {"note": "x"},
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["password"] == "***" and "hunter2" not in created.text
    assert body["balance"] == 250.5 and body["currencyId"] == "GBP"
    assert body["currencyInfo"]["currency"] == "GBP"
    assert body["minStake"] is None and body["maxStake"] == 100.0
    assert body["multiLimitAllowed"] is True and body["verifyBetslip"] is False

    got = http.get("/accounts/pinnacle/second").json()
    assert got == body

    patched = http.patch(
        "/accounts/pinnacle/second",
        json={
            "balance": 10,
            "active": False,
            "maxStake": None,
            "meta": {"a": 1},
            "password": "new-secret",
        },
    )
    assert patched.status_code == 200
    p = patched.json()
    assert (p["balance"], p["active"], p["maxStake"], p["meta"]) == (10.0, False, None, {"a": 1})
    assert "new-secret" not in patched.text and p["password"] == "***"
    assert p["priority"] == 3  # untouched fields stay

    # currencyId change relabels, never converts (ABP: balances are native, unconverted)
    relabel = http.patch("/accounts/pinnacle/second", json={"currencyId": "USD"}).json()
    assert relabel["balance"] == 10.0 and relabel["currencyInfo"]["currencyValue"] == 1.0

    assert http.delete("/accounts/pinnacle/second").status_code == 204
    assert http.get("/accounts/pinnacle/second").status_code == 404
    assert http.delete("/accounts/pinnacle/second").status_code == 404


def test_create_conflicts_and_validation(http: httpx.Client) -> None:
    dup = http.post(
        "/accounts", json={"bookmaker": "pinnacle", "username": "pinnacle_main", "password": "x"}
    )
    assert dup.status_code == 409
    # another client's account name is taken too (the key is bookmaker + username)
    assert (
        http.post(
            "/accounts",
            json={"bookmaker": "pinnacle", "username": "pinnacle_other", "password": "x"},
        ).status_code
        == 409
    )
    bad = http.post(
        "/accounts",
        json={"bookmaker": "pinnacle", "balance": -1, "currencyId": "XXX", "priority": "high"},
    )
    assert bad.status_code == 422
    detail = bad.json()["detail"]
    locs = {tuple(d["loc"]) for d in detail}
    assert {
        ("body", "username"),
        ("body", "password"),
        ("body", "balance"),
        ("body", "currencyId"),
        ("body", "priority"),
    } <= locs
    assert all(set(d) == {"loc", "msg", "type"} for d in detail)
    assert http.post("/accounts", content=b"{not json").status_code == 422
    assert http.patch("/accounts/pinnacle/pinnacle_main", json={"active": "yes"}).status_code == 422


def test_other_clients_account_is_forbidden(abp_sim: SimHandle, http: httpx.Client) -> None:
    assert http.get("/accounts/pinnacle/pinnacle_other").status_code == 403
    assert http.patch("/accounts/pinnacle/pinnacle_other", json={"balance": 1}).status_code == 403
    assert http.delete("/accounts/pinnacle/pinnacle_other").status_code == 403
    other = httpx.get(
        abp_sim.base_url + "/accounts/pinnacle/pinnacle_other",
        headers=abp_sim.headers_for("other-client"),
    )
    assert other.json()["balance"] == 1000.0
