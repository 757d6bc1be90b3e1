"""Bets from placement to settlement: PENDING → PLACED → CONFIRMED, or REJECTED; then settled.

A bookmaker answers after its ``betDelay`` (0: the bet is CONFIRMED in the placement response,
like the quickstart's example). A bet the bookmaker rejects gives its stake and limit back and
reopens its order. Settlement pays into the account in the account currency:

- back bet: risk = stake, win = stake × (price − 1)
- lay bet (exchange): risk = liability = stake × (price − 1), win = the backer's stake
- WON → risk + win, HALF_WON → risk + win/2, VOID/PUSH → risk, HALF_LOST → risk/2, LOST → 0

``settlementAmount`` is that payout (what the bookmaker returns), so profit = payout − risk.
Results are given per outcome from the selection's point of view; a lay bet's status is the
mirror (the selection WON → the lay LOST).

Only a CONFIRMED bet is settled: a bet still PENDING or PLACED when its fixture is settled is
settled the moment its bookmaker confirms it (the fixture's results are kept, also across a
restart with ``--db``), and one the bookmaker then rejects is refunded and never settled. That
is what a bettor expects: every bet the bookmaker accepted is paid on the result, however late
the acceptance came.
"""

from __future__ import annotations

import asyncio
import uuid
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from wagerkit._core import Leg
from wagerkit.errors import InvalidInput
from wagerkit.sim.abp import records as r
from wagerkit.sim.abp.records import Account, Bet, Order

if TYPE_CHECKING:
    from wagerkit.sim.abp.service import AbpSim

__all__ = ["BetLifecycle", "payout"]

_MIRROR = {"WON": "LOST", "LOST": "WON", "HALF_WON": "HALF_LOST", "HALF_LOST": "HALF_WON"}


def liability(stake: int, price: float) -> int:
    """A lay bet's liability in minor units, rounded up (never understated)."""
    return int((Decimal(stake) * (Decimal(repr(price)) - 1)).to_integral_value(ROUND_CEILING))


def max_lay_stake(balance: int, price: float) -> int:
    """The largest lay stake (minor units) whose :func:`liability` is at most ``balance``."""
    if price <= 1.0:
        return 0
    stake = int((Decimal(balance) / (Decimal(repr(price)) - 1)).to_integral_value(ROUND_FLOOR))
    while stake > 0 and liability(stake, price) > balance:
        stake -= 1
    return stake


def payout(bet: Bet, result: str) -> int:
    """What the bookmaker pays back for ``result`` (the bettor's view), minor units."""
    risk = Decimal(bet.risk)
    price = Decimal(repr(bet.price))
    win = Decimal(bet.stake) * (price - 1) if bet.back else Decimal(bet.stake)
    amounts = {
        "WON": risk + win,
        "HALF_WON": risk + win / 2,
        "VOID": risk,
        "PUSH": risk,
        "HALF_LOST": risk / 2,
        "LOST": Decimal(0),
    }
    return int(amounts[result].to_integral_value(ROUND_HALF_EVEN))


class BetLifecycle:
    """Opens bets for placement, walks them through the bookmaker's answer, settles them."""

    def __init__(self, sim: AbpSim) -> None:
        self.sim = sim

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.sim.rng.getrandbits(128), version=4))

    def open_bet(self, order: Order, leg: Leg, acc: Account, *, test: bool = False) -> Bet:
        """A bet for one engine leg: debit the balance, use up limit, start the bookmaker clock.

        ``test`` bets (testOrder) are only shown: nothing is stored, debited or sent.
        """
        sim = self.sim
        now = sim.clock.now()
        state = sim.market.bookmakers[leg.bookmaker]
        risk = leg.stake if order.back else liability(leg.stake, leg.price)
        bet = Bet(
            bet_id=0 if test else sim.store.next_id("bet"),  # a test bet uses up no id
            order_id=order.order_id,
            client=order.client,
            bookmaker=leg.bookmaker,
            account=acc.username,
            request_uuid=order.request_uuid,
            bet_request_id=self._uuid(),
            fixture_id=order.fixture_id,
            outcome_id=order.outcome_id,
            player_id=order.player_id,
            market_key=leg.key,
            back=order.back,
            price=leg.price,
            stake=leg.stake,
            currency=leg.currency,
            order_stake=leg.order_stake,
            order_currency=order.currency,
            risk=risk,
            user_ref=order.user_ref,
            test_bet=test,
            placed_at=now,
            updated_at=now,
        )
        if test:
            return bet
        bet.doomed = state.reject_rate > 0 and sim.rng.random() < state.reject_rate
        if state.bet_delay <= 0:
            if bet.doomed:
                bet.status = r.BET_REJECTED
                bet.decline_reason = "Bet rejected by bookmaker"
                bet.bookmaker_bet_id = self._bookmaker_id()
                self._answered(state.spec.slug, ok=False)
                sim.save_bet(bet, "INSERT")
                return bet
            bet.status = r.BET_CONFIRMED
            bet.bookmaker_bet_id = self._bookmaker_id()
            self._answered(state.spec.slug, ok=True)
        acc.balance -= risk
        sim.market.consume(acc, leg.key, order.back, leg.stake)
        sim.save_account(acc, balance=True)
        sim.save_bet(bet, "INSERT")
        sim.save_market()
        if bet.status == r.BET_PENDING:
            sim.spawn(self._progress(bet.bet_id))
        else:
            self._settle_if_known(bet)
        return bet

    def _bookmaker_id(self) -> str:
        return str(self.sim.rng.randrange(10**9, 10**10))

    def _answered(self, bookmaker: str, *, ok: bool) -> None:
        sim = self.sim
        state = sim.market.bookmakers[bookmaker]
        opened = state.record(
            ok, sim.clock.now(), sim.config.circuit_threshold, sim.config.circuit_cooldown
        )
        if opened:
            sim.bus.publish("status", "UPDATE", sim.status_payload())

    async def _progress(self, bet_id: int) -> None:
        """Wait out the bookmaker: answer (PLACED or REJECTED), then confirm."""
        sim = self.sim
        bet = sim.store.bets[bet_id]
        delay = sim.market.bookmakers[bet.bookmaker].bet_delay
        if bet.status == r.BET_PENDING:
            await asyncio.sleep(delay)
            with sim.lock:
                if bet.status != r.BET_PENDING:
                    return
                bet.bookmaker_bet_id = self._bookmaker_id()
                if bet.doomed:
                    self.reject(bet, "Bet rejected by bookmaker")
                    return
                bet.status = r.BET_PLACED
                self._answered(bet.bookmaker, ok=True)
                sim.save_bet(bet, "STATUS")
        await asyncio.sleep(delay)
        with sim.lock:
            if bet.status == r.BET_PLACED:
                bet.status = r.BET_CONFIRMED
                sim.save_bet(bet, "STATUS")
                self._order_changed(bet)
                self._settle_if_known(bet)

    def reject(self, bet: Bet, reason: str) -> None:
        """The bookmaker said no: refund, give the limit back, reopen the order."""
        sim = self.sim
        bet.status = r.BET_REJECTED
        bet.decline_reason = reason
        self._answered(bet.bookmaker, ok=False)
        acc = sim.store.accounts.get((bet.bookmaker, bet.account))
        if acc is not None:
            acc.balance += bet.risk
            sim.market.release(acc.engine_id, bet.market_key, bet.back, bet.stake)
            sim.save_account(acc, balance=True)
            sim.save_market()
        sim.save_bet(bet, "STATUS")
        order = sim.store.orders.get(bet.order_id)
        if order is not None:
            order.filled -= bet.order_stake
            sim.placement.reopen(order)

    def _order_changed(self, bet: Bet) -> None:
        order = self.sim.store.orders.get(bet.order_id)
        if order is not None:
            self.sim.save_order(order, "UPDATE")

    def resume(self) -> None:
        """After a restart, bets still waiting for their bookmaker continue."""
        for bet in self.sim.store.bets.values():
            if bet.status in (r.BET_PENDING, r.BET_PLACED):
                self.sim.spawn(self._progress(bet.bet_id))

    # -- settlement ----------------------------------------------------------------------------

    def settle_fixture(
        self, fixture_id: str, results: dict[str, str], default: str | None = None
    ) -> list[Bet]:
        """Settle every confirmed, unsettled bet on the fixture; returns the bets settled.

        ``results`` maps outcomeId (text, or ``"outcomeId:playerId"``) to a result; outcomes
        not named take ``default`` (None leaves them open). The results are kept (merged with
        earlier ones for the fixture) so that bets confirmed later are settled on them too.
        """
        sim = self.sim
        for result in [*results.values(), *([default] if default else [])]:
            if result not in r.SETTLEMENT_RESULTS:
                raise InvalidInput(f"unknown result {result!r}", field="results")
        settled: list[Bet] = []
        with sim.lock:
            if default is not None or results:
                sim.market.record_results(fixture_id, results, default)
            for bet in list(sim.store.bets.values()):
                if bet.fixture_id == fixture_id and self._settle_if_known(bet):
                    settled.append(bet)
            if default is not None or results:
                sim.market.fixture_status[fixture_id] = 2
                sim.save_market()
                sim.bus.publish("fixtures", "UPDATE", sim.fixture_info(fixture_id))
        return settled

    def awaiting_confirmation(self, fixture_id: str) -> list[Bet]:
        """Bets of the fixture with a known result that wait for their bookmaker to confirm."""
        return [
            bet
            for bet in self.sim.store.bets.values()
            if bet.fixture_id == fixture_id
            and bet.settlement_status == r.UNSETTLED
            and bet.status in (r.BET_PENDING, r.BET_PLACED)
            and self.sim.market.result_for(fixture_id, bet.outcome_id, bet.player_id) is not None
        ]

    def _settle_if_known(self, bet: Bet) -> bool:
        """Settle a confirmed, unsettled bet when its outcome's result is known."""
        sim = self.sim
        if bet.status != r.BET_CONFIRMED or bet.settlement_status != r.UNSETTLED:
            return False
        found = sim.market.result_for(bet.fixture_id, bet.outcome_id, bet.player_id)
        if found is None:
            return False
        mine = found if bet.back else _MIRROR.get(found, found)
        bet.settlement_status = mine
        bet.settlement_amount = payout(bet, mine)
        bet.settled_at = sim.clock.now()
        acc = sim.store.accounts.get((bet.bookmaker, bet.account))
        if acc is not None and acc.client == bet.client:
            acc.balance += bet.settlement_amount
            sim.save_account(acc, balance=True)
        sim.save_bet(bet, "SETTLED")
        return True
