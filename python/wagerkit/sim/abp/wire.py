"""Render stored records as ABP's JSON objects (camelCase, amounts as numbers in major units).

Field names, nesting and currencies follow abp-facts §6-§10 and the multi-currency page:
order amounts in the order currency, bet and account amounts in the account currency, and a
``currencyInfo`` on every order, bet and account (null when no rate is known).
"""

from __future__ import annotations

from typing import Any

from wagerkit._core import Fx, minor_to_float
from wagerkit.sim.abp.clock import iso
from wagerkit.sim.abp.market import Market, QuoteState, Selection, market_key
from wagerkit.sim.abp.records import Account, Bet, Order

__all__ = [
    "account_json",
    "bet_json",
    "currency_info",
    "fixture_info",
    "money",
    "order_json",
    "outcome_info",
    "quote_json",
]

_STATUS_NAMES = {0: "Pre-Game", 1: "Live", 2: "Finished", 3: "Cancelled"}


def money(amount: int | None, currency: str) -> float | None:
    """Minor units to the float ABP puts on the wire (None stays None)."""
    return None if amount is None else minor_to_float(amount, currency)


def currency_info(fx: Fx, currency: str) -> dict[str, Any] | None:
    """``{currency, currencyValue, updatedAt}``, or None when no rate is known."""
    if currency not in fx:
        return None
    return {
        "currency": currency,
        "currencyValue": fx.rate(currency),
        "updatedAt": fx.updated_at(currency),
    }


def fixture_info(market: Market, fixture_id: str) -> dict[str, Any] | None:
    fixture = market.fixtures.get(fixture_id)
    if fixture is None:
        return None
    status_id = market.fixture_status.get(fixture_id, fixture.status_id)
    return {
        "fixtureId": fixture.fixture_id,
        "status": {
            "live": status_id == 1,
            "statusId": status_id,
            "statusName": _STATUS_NAMES.get(status_id, "Unknown"),
        },
        "sport": {"sportId": fixture.sport_id, "sportName": fixture.sport_name},
        "tournament": {
            "tournamentId": fixture.tournament_id,
            "tournamentName": fixture.tournament_name,
            "categoryName": fixture.category_name,
        },
        "startTime": int(market.world_start + fixture.starts_in),
        "participants": {
            "participant1Id": fixture.participant1_id,
            "participant1Name": fixture.participant1_name,
            "participant2Id": fixture.participant2_id,
            "participant2Name": fixture.participant2_name,
        },
    }


def outcome_info(market: Market, fixture_id: str, outcome_id: int, player_id: int) -> Any:
    sel = market.selection(fixture_id, outcome_id, player_id)
    if sel is None:
        return None
    m = sel.market
    return {
        "marketId": m.market_id,
        "marketName": m.market_name,
        "marketNameShort": m.market_name_short or m.market_name,
        "marketType": m.market_type,
        "period": m.period,
        "playerProp": m.player_id != 0,
        "handicap": m.handicap,
        "outcomeId": m.outcome_id,
        "outcomeName": m.outcome_name,
    }


def bet_json(bet: Bet, fx: Fx) -> dict[str, Any]:
    """A bet: placedStake and settlementAmount in placedCurrency (the account currency)."""
    stake = minor_to_float(bet.stake, bet.currency)
    received = None
    if bet.bookmaker_bet_id is not None:
        received = {
            "betId": bet.bookmaker_bet_id,
            "status": "rejected" if bet.status == "REJECTED" else "accepted",
            "price": bet.price,
        }
    return {
        "betId": bet.bet_id,
        "orderId": bet.order_id,
        "bookmaker": bet.bookmaker,
        "betStatus": bet.status,
        "settlementStatus": bet.settlement_status,
        "clientName": bet.client,
        "testBet": bet.test_bet,
        "requestUuid": bet.request_uuid,
        "bookmakerBetId": bet.bookmaker_bet_id,
        "betRequestId": bet.bet_request_id,
        "placedPrice": bet.price,
        "placedStake": stake,
        "placedCurrency": bet.currency,
        "placedAt": iso(bet.placed_at),
        "declineReason": bet.decline_reason,
        "userRef": bet.user_ref,
        "account": bet.account,
        "fixtureId": bet.fixture_id,
        "outcomeId": bet.outcome_id,
        "playerId": bet.player_id,
        "back": bet.back,
        "sentData": {"stake": stake, "price": bet.price},
        "receivedData": received,
        "currencyInfo": currency_info(fx, bet.currency),
        "settlementAmount": money(bet.settlement_amount, bet.currency),
        "settledAt": None if bet.settled_at is None else iso(bet.settled_at),
        "updatedAt": iso(bet.updated_at),
    }


def order_json(order: Order, market: Market, bets: list[Bet]) -> dict[str, Any]:
    """An order: orderStake, filledStake and remainingStake in orderCurrency."""
    ccy = order.currency
    return {
        "orderId": order.order_id,
        "requestUuid": order.request_uuid,
        "allowedBookmakers": order.allowed_bookmakers,
        "fixtureId": order.fixture_id,
        "outcomeId": order.outcome_id,
        "playerId": order.player_id,
        "orderPrice": order.price,
        "orderStake": minor_to_float(order.stake, ccy),
        "filledStake": minor_to_float(order.filled, ccy),
        "remainingStake": minor_to_float(max(0, order.stake - order.filled), ccy),
        "userRef": order.user_ref,
        "testOrder": order.test_order,
        "orderCurrency": ccy,
        "back": order.back,
        "expiresAt": iso(order.expires_at),
        "acceptBetterOdds": order.accept_better_odds,
        "acceptPartialStake": order.accept_partial_stake,
        "clientName": order.client,
        "orderStatus": order.status,
        "createdAt": iso(order.created_at),
        "updatedAt": iso(order.updated_at),
        "meta": order.meta,
        "bets": [bet_json(b, market.fx) for b in bets],
        "fixtureInfo": fixture_info(market, order.fixture_id),
        "outcomeInfo": outcome_info(market, order.fixture_id, order.outcome_id, order.player_id),
        "playerInfo": None,
        "currencyInfo": currency_info(market.fx, ccy),
    }


def account_json(acc: Account, fx: Fx) -> dict[str, Any]:
    """An account with its password masked; balance and limits in currencyId."""
    ccy = acc.currency
    return {
        "bookmaker": acc.bookmaker,
        "username": acc.username,
        "client": acc.client,
        "password": "***",
        "balance": minor_to_float(acc.balance, ccy),
        "credit": money(acc.credit, ccy),
        "active": acc.active,
        "priority": acc.priority,
        "maxStake": money(acc.max_stake, ccy),
        "minStake": money(acc.min_stake, ccy),
        "currencyId": ccy,
        "verifyBetslip": acc.verify_betslip,
        "meta": acc.meta,
        "createdAt": iso(acc.created_at),
        "updatedAt": iso(acc.updated_at),
        "multiLimitAllowed": acc.multi_limit_allowed,
        "currencyInfo": currency_info(fx, ccy),
    }


def quote_json(
    market: Market,
    sel: Selection,
    quote: QuoteState,
    account: Account,
    limit: int | None,
    limit_min: int,
    lay: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One betslip entry: limits after the cascade in the account currency, plus USD."""
    ccy = account.currency
    fx = market.fx
    usd_limit = usd_min = None
    if ccy in fx:
        usd_limit = None if limit is None else money(fx.to_usd(limit, ccy), "USD")
        usd_min = money(fx.to_usd(limit_min, ccy), "USD")
    fid, oid, pid = sel.key
    meta: dict[str, Any] = {}
    if lay is not None:
        meta["lay"] = lay
    return {
        "price": quote.price,
        "limit": money(limit, ccy),
        "limitMin": money(limit_min, ccy),
        "limitCurrency": ccy,
        "limitUsd": usd_limit,
        "limitMinUsd": usd_min,
        "active": quote.active and account.active and not market.is_closed(sel),
        "account": account.username,
        "currencyInfo": currency_info(fx, ccy),
        "bookmakerFixtureId": f"{quote.bookmaker}-{fid}",
        "bookmakerMarketId": quote.bookmaker_market_id,
        "bookmakerOutcomeId": quote.bookmaker_outcome_id,
        "marketKey": market_key(fid, quote.bookmaker, oid, pid),
        "meta": meta,
    }
