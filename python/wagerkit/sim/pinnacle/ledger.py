"""The simulated Pinnacle account: bet acceptance and rejection, dedupe, live delay, settlement.

Rules (documented ones cited in ``bookmaker-facts.md`` §1.5-1.6; **choice** where docs are
silent, written down in the README):

- a straight bet is checked in this order: betting status, duplicate ``uniqueRequestId``, event,
  cutoff, period status, market, ``lineId`` (``LINE_CHANGED``, or ``SCORE_CHANGED`` when a live
  goal moved the line; with ``acceptBetterLine`` a better price on a newer line is taken),
  stake limits (min, max, cumulative ``ABOVE_EVENT_MAX``), funds;
- the ``uniqueRequestId`` of a bet that was accepted or is pending is kept 30 minutes; a repeat
  gets ``DUPLICATED_REQUEST`` with the original ``betId`` (**choice**: declined requests are not
  remembered, as the manual says "if the bet is accepted, we store the uniqueRequestId");
- bets on live events wait ``live_delay`` seconds in ``PENDING_ACCEPTANCE`` (no ``betId`` yet),
  then are ACCEPTED if the period is still open, the score unchanged and the price not worse for
  the bettor, else NOT_ACCEPTED (**choice**); pending rows carry ``betId: 0`` because the v4
  schema requires the field (**choice**);
- win/risk are rounded half-even to cents (**choice**, the docs give no rule);
- settlement uses the scenario result (or a seeded one), with Asian quarter lines split in two.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from wagerkit.sim.pinnacle.market import Event, Market, Period, Special, iso, to_team_side
from wagerkit.sim.pinnacle.render import Formatter

__all__ = ["BetRecord", "Ledger", "Rejected"]

DEDUPE_SECONDS = 1800.0
_MAX_REMEMBERED = 100_000


class Rejected(Exception):
    """A bet answered with ``PROCESSED_WITH_ERROR`` and this code."""

    def __init__(self, code: str, bet_id: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.bet_id = bet_id


def cents(x: float) -> float:
    return round(x + 0.0, 2)


@dataclass
class BetRecord:
    kind: str  # STRAIGHT | PARLAY | TEASER | SPECIAL
    uid: str
    bet_id: int
    status: str
    placed_at: float
    risk: float
    win: float
    price: float  # decimal
    odds_format: str
    update_sequence: int
    bet_type: str = ""
    sport_id: int = 0
    league_id: int = 0
    event_id: int = 0
    period_number: int = 0
    side: str | None = None  # home/away/draw for team bets, OVER/UNDER for totals
    team_side: str | None = None  # home/away for team totals
    handicap: float | None = None
    line_id: int = 0
    is_live: bool = False
    score: tuple[int, int] = (0, 0)
    decide_at: float = 0.0
    settled_at: float | None = None
    win_loss: float | None = None
    legs: list[dict[str, Any]] = field(default_factory=list)
    special_id: int = 0
    contestant_id: int = 0
    teaser_id: int = 0


class Ledger:
    """Bets, balance and the dedupe window of one simulated account."""

    def __init__(self, market: Market, scenario: dict[str, Any]) -> None:
        self.market = market
        account = scenario.get("account", {})
        self.currency = str(account.get("currency", "USD"))
        self.balance = float(account.get("balance", 10_000.0))
        self.credit = float(account.get("credit", 0.0))
        self.min_risk = float(scenario.get("min_risk", 1.0))
        self.live_delay = float(scenario.get("live_delay", 6.0))
        self.live_acceptance = str(scenario.get("live_acceptance", "price"))
        self.betting_status = str(scenario.get("betting_status", "ALL_BETTING_ENABLED"))
        self.rates = {c["code"]: float(c["rate"]) for c in scenario.get("currencies", [])}
        self.teasers = {int(t["id"]): t for t in scenario.get("teasers", [])}
        self.bets: dict[int, BetRecord] = {}
        self.by_uid: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._bet_id = 800_000_000
        self._sequence = 100_000_000
        self.risk_on_line: dict[tuple[int, int, str], float] = {}

    # -- helpers -----------------------------------------------------------------------------

    @property
    def rate(self) -> float:
        return self.rates.get(self.currency, 1.0)

    def formatter(self, odds_format: str) -> Formatter:
        return Formatter(odds_format, self.rate, self.currency == "USD")

    def _next_bet_id(self) -> int:
        self._bet_id += 1
        return self._bet_id

    def _seq(self) -> int:
        self._sequence += 1
        return self._sequence

    def outstanding(self) -> float:
        return cents(
            sum(
                b.risk for b in self.bets.values() if b.status in ("ACCEPTED", "PENDING_ACCEPTANCE")
            )
        )

    def _remember(self, uid: str, bet_id: int) -> None:
        now = self.market.now
        self.by_uid[uid.lower()] = (now, bet_id)
        self.by_uid.move_to_end(uid.lower())
        while self.by_uid and (
            len(self.by_uid) > _MAX_REMEMBERED
            or next(iter(self.by_uid.values()))[0] + DEDUPE_SECONDS <= now
        ):
            self.by_uid.popitem(last=False)

    def seen(self, uid: str) -> BetRecord | None:
        entry = self.by_uid.get(uid.lower())
        if entry is None or entry[0] + DEDUPE_SECONDS <= self.market.now:
            return None
        return self.bets.get(entry[1])

    def max_risk(self, max_volume_usd: float, decimal: float) -> float:
        """Pinnacle's FAQ: price > 2 → max risk = max volume, else volume / (price - 1); in the
        client currency, floored to whole units when not USD."""
        volume = max_volume_usd * self.rate
        if self.currency != "USD":
            volume = math.floor(volume)
        return volume if decimal > 2 else volume / (decimal - 1)

    # -- straight ----------------------------------------------------------------------------

    def _selection(
        self,
        event: Event,
        period: Period,
        bet_type: str,
        team: str | None,
        side: str | None,
        alt: int | None,
    ) -> tuple[tuple[Any, ...], float, float | None, float] | None:
        """(selection key, decimal price, bettor handicap, USD max volume) or None."""
        team_side = to_team_side(team, event.home_team_type)
        sels = Market.selections(period)
        if bet_type == "MONEYLINE":
            key: tuple[Any, ...] = ("MONEYLINE", None, team_side)
            if key in sels:
                return key, sels[key], None, period.max_moneyline
            return None
        if bet_type == "SPREAD":
            key = ("SPREAD", alt, team_side)
            line = self.market.find_line(period, "SPREAD", alt)
            if key in sels and line is not None and team_side in ("home", "away"):
                hdp = line.points if team_side == "home" else -line.points
                return key, sels[key], hdp, (line.max or period.max_spread)
            return None
        if bet_type == "TOTAL_POINTS":
            key = ("TOTAL_POINTS", alt, (side or "").upper())
            line = self.market.find_line(period, "TOTAL_POINTS", alt)
            if key in sels and line is not None:
                return key, sels[key], line.points, (line.max or period.max_total)
            return None
        if bet_type == "TEAM_TOTAL_POINTS":
            key = ("TEAM_TOTAL_POINTS", alt, team_side, (side or "").upper())
            lines = period.team_home if team_side == "home" else period.team_away
            for line in lines:
                if line.alt == alt and line.offered and key in sels:
                    return key, sels[key], line.points, period.max_team_total
            return None
        return None

    def _stake(
        self, stake: float, win_risk: str, fill: str, decimal: float, max_risk: float
    ) -> tuple[float, float]:
        if fill == "FILLMAXLIMIT":
            risk = max_risk
        else:
            risk = stake if win_risk.upper() == "RISK" else stake / (decimal - 1)
            if fill == "FILLANDKILL":
                risk = min(risk, max_risk)
        risk = math.floor(risk * 100 + 1e-9) / 100
        return risk, cents(risk * (decimal - 1))

    def _check_funds_and_limits(
        self, risk: float, max_risk: float, line_key: tuple[int, int, str]
    ) -> None:
        if risk < self.min_risk:
            raise Rejected("BELOW_MIN_BET_AMOUNT")
        if risk > max_risk + 1e-9:
            raise Rejected("ABOVE_MAX_BET_AMOUNT")
        if self.risk_on_line.get(line_key, 0.0) + risk > max_risk + 1e-9:
            raise Rejected("ABOVE_EVENT_MAX")
        if risk > self.balance + self.credit + 1e-9:
            raise Rejected("INSUFFICIENT_FUNDS")

    def place_straight(self, req: dict[str, Any]) -> BetRecord:
        """Accept (ACCEPTED or PENDING_ACCEPTANCE) or raise :class:`Rejected`."""
        uid = str(req["uniqueRequestId"])
        if self.betting_status == "ALL_BETTING_CLOSED":
            raise Rejected("ALL_BETTING_CLOSED")
        earlier = self.seen(uid)
        if earlier is not None:
            raise Rejected("DUPLICATED_REQUEST", earlier.bet_id or None)
        event = self.market.events.get(int(req["eventId"]))
        if event is None or event.settled or event.sport_id != int(req["sportId"]):
            raise Rejected("INVALID_EVENT")
        if event.live and self.betting_status == "ALL_LIVE_BETTING_CLOSED":
            raise Rejected("ALL_LIVE_BETTING_CLOSED")
        period = event.periods.get(int(req["periodNumber"]))
        if period is None:
            raise Rejected("OFFLINE_EVENT")
        if period.closed or period.cutoff <= self.market.now:
            raise Rejected("PAST_CUTOFFTIME")
        if period.status != 1:
            raise Rejected("OFFLINE_EVENT")
        bet_type = str(req["betType"])
        alt = req.get("altLineId")
        sel = self._selection(event, period, bet_type, req.get("team"), req.get("side"), alt)
        if sel is None:
            raise Rejected("OFFLINE_EVENT")
        key, decimal, hdp, max_volume = sel
        line_id = int(req["lineId"])
        better = False
        if line_id != period.line_id:
            old = period.history.get(line_id)
            if old is None:
                raise Rejected("LINE_CHANGED")
            old_score, old_prices = old
            if event.live and old_score != event.score:
                raise Rejected("SCORE_CHANGED")
            old_price = old_prices.get(key)
            if old_price is None or not (req.get("acceptBetterLine") and decimal >= old_price):
                raise Rejected("LINE_CHANGED")
            better = decimal > old_price
        max_risk = self.max_risk(max_volume, decimal)
        risk, win = self._stake(
            float(req.get("stake") or 0.0),
            str(req.get("winRiskStake", "RISK")),
            str(req.get("fillType") or "NORMAL"),
            decimal,
            max_risk,
        )
        line_key = (event.id, period.number, repr(key))
        self._check_funds_and_limits(risk, max_risk, line_key)
        live = event.live and event.starts <= self.market.now
        bet = BetRecord(
            kind="STRAIGHT",
            uid=uid,
            bet_id=0 if live else self._next_bet_id(),
            status="PENDING_ACCEPTANCE" if live else "ACCEPTED",
            placed_at=self.market.now,
            risk=risk,
            win=win,
            price=decimal,
            odds_format=str(req.get("oddsFormat", "AMERICAN")).upper(),
            update_sequence=self._seq(),
            bet_type=bet_type,
            sport_id=event.sport_id,
            league_id=event.league_id,
            event_id=event.id,
            period_number=period.number,
            side=key[2],
            team_side=key[2] if bet_type == "TEAM_TOTAL_POINTS" else None,
            handicap=hdp,
            line_id=period.line_id,
            is_live=event.live,
            score=event.score,
            decide_at=self.market.now + self.live_delay,
        )
        if bet_type == "TEAM_TOTAL_POINTS":
            bet.side = key[3]
        bet.legs = [{"better": better, "alt": alt}]
        self.balance = cents(self.balance - risk)
        self.risk_on_line[line_key] = self.risk_on_line.get(line_key, 0.0) + risk
        # Pending bets are stored under a private negative key until they get a real betId.
        store_id = bet.bet_id or -self._next_bet_id()
        self.bets[store_id] = bet
        self._remember(uid, store_id)
        return bet

    def decide_pending(self) -> None:
        """Resolve live-delay bets whose delay has passed."""
        now = self.market.now
        for store_id, bet in list(self.bets.items()):
            if bet.status != "PENDING_ACCEPTANCE" or bet.decide_at > now:
                continue
            event = self.market.events[bet.event_id]
            period = event.periods[bet.period_number]
            ok = self.live_acceptance == "always"
            if self.live_acceptance == "price":
                key = self._key_of(bet)
                current = Market.selections(period).get(key)
                ok = (
                    not period.closed
                    and period.status == 1
                    and event.score == bet.score
                    and current is not None
                    and current >= bet.price
                )
            bet.update_sequence = self._seq()
            if ok:
                bet.status = "ACCEPTED"
                bet.bet_id = self._next_bet_id()
                del self.bets[store_id]
                self.bets[bet.bet_id] = bet
                self._remember(bet.uid, bet.bet_id)
            else:
                bet.status = "NOT_ACCEPTED"
                self.balance = cents(self.balance + bet.risk)

    @staticmethod
    def _key_of(bet: BetRecord) -> tuple[Any, ...]:
        alt = None
        for leg in bet.legs:
            alt = leg.get("alt", alt)
        if bet.bet_type == "TEAM_TOTAL_POINTS":
            return (bet.bet_type, alt, bet.team_side, bet.side)
        return (bet.bet_type, alt, bet.side)

    # -- parlay, teaser, special -------------------------------------------------------------

    def parlay_leg(
        self, leg: dict[str, Any], *, by_handicap: bool = False
    ) -> tuple[str | None, dict[str, Any]]:
        """Validate one parlay leg: (errorCode or None, details)."""
        event = self.market.events.get(int(leg.get("eventId", 0)))
        if event is None or event.settled:
            return "EVENT_NO_LONGER_AVAILABLE_FOR_BETTING", {}
        if event.live:
            return "CANNOT_PARLAY_LIVE_GAME", {}
        period = event.periods.get(int(leg.get("periodNumber", -1)))
        if period is None or period.closed or period.status != 1:
            return "EVENT_NO_LONGER_AVAILABLE_FOR_BETTING", {}
        bet_type = str(leg.get("legBetType", ""))
        alt = leg.get("altLineId")
        if (
            by_handicap
            and bet_type in ("SPREAD", "TOTAL_POINTS")
            and leg.get("handicap") is not None
        ):
            asked = float(leg["handicap"])
            team_side = to_team_side(leg.get("team"), event.home_team_type)
            want = asked if (bet_type == "TOTAL_POINTS" or team_side == "home") else -asked
            line = self.market.find_line(period, bet_type, None, want)
            alt = line.alt if line is not None else -1
        sel = self._selection(event, period, bet_type, leg.get("team"), leg.get("side"), alt)
        if sel is None:
            return "WAGER_TYPE_NO_LONGER_AVAILABLE_FOR_BETTING", {}
        if not by_handicap and int(leg.get("lineId", 0)) != period.line_id:
            return "LINE_CHANGED", {"lineId": period.line_id}
        key, decimal, hdp, _ = sel
        return None, {
            "lineId": period.line_id,
            "altLineId": alt,
            "price": decimal,
            "event": event,
            "period": period,
            "key": key,
            "handicap": hdp,
        }

    def place_parlay(
        self, req: dict[str, Any]
    ) -> tuple[BetRecord | None, list[dict[str, Any]], list[dict[str, Any]], float]:
        uid = str(req["uniqueRequestId"])
        if self.betting_status == "ALL_BETTING_CLOSED":
            raise Rejected("ALL_BETTING_CLOSED")
        earlier = self.seen(uid)
        if earlier is not None:
            raise Rejected("DUPLICATED_REQUEST", earlier.bet_id)
        legs = list(req.get("legs") or [])
        if len(legs) < 2:
            raise Rejected("TOO_FEW_LEGS")
        if len(legs) > 10:
            raise Rejected("TOO_MANY_LEGS")
        valid: list[dict[str, Any]] = []
        invalid: list[dict[str, Any]] = []
        details = []
        for leg in legs:
            code, info = self.parlay_leg(leg)
            row: dict[str, Any] = {
                "status": "VALID" if code is None else "PROCESSED_WITH_ERROR",
                "legId": str(leg.get("uniqueLegId", "")),
                "lineId": int(info.get("lineId", leg.get("lineId", 0))),
            }
            if code is not None:  # a null errorCode breaks the spec's enum (OAS 3.0 nullable)
                row["errorCode"] = code
            if code is None:
                row["price"] = info["price"]
                valid.append(row)
                details.append(info)
            else:
                invalid.append(row)
        odds = math.prod(d["price"] for d in details) if details else 1.0
        if invalid:
            raise _ParlayRejected("INVALID_LEGS", valid, invalid, odds)
        options = list(req.get("roundRobinOptions") or ["Parlay"])
        n_bets = 0
        for opt in options:
            size = _RR_SIZES.get(opt)
            if size is None or (opt != "Parlay" and size >= len(legs)):
                raise _ParlayRejected("INVALID_ROUND_ROBIN_OPTIONS", valid, invalid, odds)
            n_bets += math.comb(len(legs), len(legs) if opt == "Parlay" else size)
        risk_each = float(req.get("riskAmount") or 0.0)
        risk = cents(risk_each * n_bets)
        if risk_each < self.min_risk:
            raise Rejected("BELOW_MIN_BET_AMOUNT")
        if risk > self.balance + self.credit:
            raise Rejected("INSUFFICIENT_FUNDS")
        bet = BetRecord(
            kind="PARLAY",
            uid=uid,
            bet_id=self._next_bet_id(),
            status="ACCEPTED",
            placed_at=self.market.now,
            risk=risk,
            win=cents(risk * (odds - 1)),
            price=odds,
            odds_format=str(req.get("oddsFormat", "AMERICAN")).upper(),
            update_sequence=self._seq(),
            bet_type="PARLAY",
        )
        bet.legs = [
            {
                "event": d["event"].id,
                "period": d["period"].number,
                "key": d["key"],
                "price": d["price"],
                "handicap": d["handicap"],
                "betType": d["key"][0],
                "sportId": d["event"].sport_id,
                "leagueId": d["event"].league_id,
            }
            for d in details
        ]
        self.balance = cents(self.balance - risk)
        self.bets[bet.bet_id] = bet
        self._remember(uid, bet.bet_id)
        return bet, valid, invalid, odds

    def place_teaser(self, req: dict[str, Any]) -> tuple[BetRecord, list[dict[str, Any]]]:
        uid = str(req["uniqueRequestId"])
        earlier = self.seen(uid)
        if earlier is not None:
            raise Rejected("DUPLICATED_REQUEST", earlier.bet_id)
        teaser = self.teasers.get(int(req.get("teaserId", 0)))
        if teaser is None:
            raise Rejected("TEASER_DOES_NOT_EXIST")
        legs = list(req.get("legs") or [])
        if len(legs) < int(teaser["minLegs"]):
            raise Rejected("TOO_FEW_LEGS")
        if len(legs) > int(teaser["maxLegs"]):
            raise Rejected("TOO_MANY_LEGS")
        valid: list[dict[str, Any]] = []
        stored = []
        points = float(teaser["points"])
        for leg in legs:
            event = self.market.events.get(int(leg.get("eventId", 0)))
            period = event.periods.get(0) if event else None
            if (
                event is None
                or period is None
                or period.closed
                or int(leg.get("lineId", 0)) != period.line_id
            ):
                raise _TeaserRejected(
                    "INVALID_LEGS",
                    valid,
                    [
                        {
                            "status": "PROCESSED_WITH_ERROR",
                            "errorCode": "LINE_IS_NOT_AVAILABLE",
                            "legId": str(leg.get("legId", "")),
                        }
                    ],
                )
            bet_type = str(leg.get("betType"))
            main = self.market.find_line(period, bet_type, None)
            if main is None:
                raise _TeaserRejected(
                    "INVALID_LEGS",
                    valid,
                    [
                        {
                            "status": "PROCESSED_WITH_ERROR",
                            "errorCode": "LINE_IS_NOT_AVAILABLE",
                            "legId": str(leg.get("legId", "")),
                        }
                    ],
                )
            team_side = to_team_side(leg.get("team"), event.home_team_type)
            if bet_type == "SPREAD":
                base = main.points if team_side == "home" else -main.points
                teased = base + points
                side = team_side
            else:
                side = str(leg.get("side", "OVER")).upper()
                teased = main.points - points if side == "OVER" else main.points + points
            valid.append(
                {
                    "status": "VALID",
                    "legId": str(leg.get("legId", "")),
                    "lineId": period.line_id,
                    "points": teased,
                }
            )
            stored.append(
                {
                    "event": event.id,
                    "period": 0,
                    "key": (bet_type, None, side),
                    "handicap": teased,
                    "betType": bet_type,
                    "sportId": event.sport_id,
                    "leagueId": event.league_id,
                    "price": 1.0,
                }
            )
        price = next(
            float(p["price"]) for p in teaser["payouts"] if int(p["numberOfLegs"]) == len(legs)
        )
        stake = float(req.get("stake") or 0.0)
        risk = (
            stake if str(req.get("winRiskStake", "RISK")).upper() == "RISK" else stake / (price - 1)
        )
        risk = cents(risk)
        if risk < self.min_risk:
            raise Rejected("BELOW_MIN_BET_AMOUNT")
        if risk > self.balance + self.credit:
            raise Rejected("INSUFFICIENT_FUNDS")
        bet = BetRecord(
            kind="TEASER",
            uid=uid,
            bet_id=self._next_bet_id(),
            status="ACCEPTED",
            placed_at=self.market.now,
            risk=risk,
            win=cents(risk * (price - 1)),
            price=price,
            odds_format=str(req.get("oddsFormat", "AMERICAN")).upper(),
            update_sequence=self._seq(),
            bet_type="TEASER",
            teaser_id=int(teaser["id"]),
        )
        bet.legs = stored
        self.balance = cents(self.balance - risk)
        self.bets[bet.bet_id] = bet
        self._remember(uid, bet.bet_id)
        return bet, valid

    def place_special(self, req: dict[str, Any]) -> BetRecord:
        uid = req.get("uniqueRequestId")
        if not uid:
            raise Rejected("UNIQUE_REQUEST_ID_REQUIRED")
        if self.betting_status == "ALL_BETTING_CLOSED":
            raise Rejected("ALL_BETTING_CLOSED")
        earlier = self.seen(str(uid))
        if earlier is not None:
            raise Rejected("DUPLICATED_REQUEST", earlier.bet_id)
        special = self.market.specials.get(int(req.get("specialId", 0)))
        if special is None:
            raise Rejected("CONTEST_NOT_FOUND")
        if special.cutoff <= self.market.now:
            raise Rejected("PAST_CUTOFFTIME")
        contestant = next(
            (c for c in special.contestants if c.id == int(req.get("contestantId", 0))), None
        )
        if contestant is None or contestant.price is None:
            raise Rejected("CONTEST_NOT_FOUND")
        if contestant.line_id != int(req.get("lineId", 0)):
            raise Rejected("LINE_CHANGED")
        decimal = float(contestant.price)
        max_risk = self.max_risk(contestant.max or special.max_bet, decimal)
        risk, win = self._stake(
            float(req.get("stake") or 0.0),
            str(req.get("winRiskStake", "RISK")),
            "NORMAL",
            decimal,
            max_risk,
        )
        self._check_funds_and_limits(risk, max_risk, (special.id, contestant.id, "special"))
        bet = BetRecord(
            kind="SPECIAL",
            uid=str(uid),
            bet_id=self._next_bet_id(),
            status="ACCEPTED",
            placed_at=self.market.now,
            risk=risk,
            win=win,
            price=decimal,
            odds_format=str(req.get("oddsFormat", "AMERICAN")).upper(),
            update_sequence=self._seq(),
            bet_type="SPECIAL",
            sport_id=special.sport_id,
            league_id=special.league_id,
            special_id=special.id,
            contestant_id=contestant.id,
        )
        self.balance = cents(self.balance - risk)
        key = (special.id, contestant.id, "special")
        self.risk_on_line[key] = self.risk_on_line.get(key, 0.0) + risk
        self.bets[bet.bet_id] = bet
        self._remember(str(uid), bet.bet_id)
        return bet

    # -- settlement --------------------------------------------------------------------------

    def settle_due(self) -> None:
        """Settle events (and their bets) whose settle time has come; specials at cutoff+1h."""
        now = self.market.now
        for event in self.market.events.values():
            if not event.settled and event.settle_at <= now:
                event.settled = True
                event.settled_at = event.settle_at  # settled when due, whenever we notice
                self.market._settlement_id += 1
                event.settlement_id = self.market._settlement_id
                event.settled_version = self.market.bump()
                event.version = self.market.bump()
                self._settle_event_bets(event)
        for special in self.market.specials.values():
            if special.status == "H" and special.cutoff + 3600 <= now and special.version >= 0:
                special.version = -special.version  # settled marker
                for bet in self.bets.values():
                    if (
                        bet.kind == "SPECIAL"
                        and bet.special_id == special.id
                        and bet.status == "ACCEPTED"
                    ):
                        won = special.contestants and bet.contestant_id == special.contestants[0].id
                        self._close(
                            bet,
                            "WON" if won else "LOSE",
                            bet.win if won else -bet.risk,
                            at=special.cutoff + 3600,
                        )

    def _close(self, bet: BetRecord, status: str, win_loss: float, *, at: float) -> None:
        bet.status = status
        bet.win_loss = cents(win_loss)
        bet.settled_at = at
        bet.update_sequence = self._seq()
        self.balance = cents(self.balance + bet.risk + bet.win_loss)

    @staticmethod
    def _scores(event: Event, period_number: int) -> tuple[int, int]:
        result = event.result or (0, 0)
        return event.half_result or (0, 0) if period_number == 1 else result

    @staticmethod
    def grade(
        event: Event, period_number: int, key: tuple[Any, ...], handicap: float | None
    ) -> float:
        """Fraction of the selection that wins: 1 won, 0.5 half won, 0 push, -0.5, -1 lost."""
        home, away = Ledger._scores(event, period_number)
        bet_type = key[0]
        if bet_type == "MONEYLINE":
            outcome = "home" if home > away else "away" if away > home else "draw"
            return 1.0 if key[2] == outcome else -1.0
        if bet_type == "SPREAD":
            own, other = (home, away) if key[2] == "home" else (away, home)
            value, line = float(own - other), float(handicap or 0.0)
            return _asian(value + line)
        if bet_type == "TOTAL_POINTS":
            total = float(home + away) - float(handicap or 0.0)
            return _asian(total if key[2] == "OVER" else -total)
        if bet_type == "TEAM_TOTAL_POINTS":
            score = float(home if key[2] == "home" else away) - float(handicap or 0.0)
            return _asian(score if key[3] == "OVER" else -score)
        return 0.0

    def _settle_event_bets(self, event: Event) -> None:
        for bet in list(self.bets.values()):
            if bet.status != "ACCEPTED":
                continue
            if bet.kind == "STRAIGHT" and bet.event_id == event.id:
                g = self.grade(event, bet.period_number, self._key_of(bet), bet.handicap)
                status = {
                    1.0: "WON",
                    0.5: "HALF_WON_HALF_PUSHED",
                    0.0: "PUSHED",
                    -0.5: "HALF_LOST_HALF_PUSHED",
                    -1.0: "LOST",
                }[g]
                wl = bet.win * g if g > 0 else bet.risk * g
                self._close(bet, status, wl, at=event.settled_at)
            elif bet.kind in ("PARLAY", "TEASER") and any(
                leg["event"] == event.id for leg in bet.legs
            ):
                events = [self.market.events[leg["event"]] for leg in bet.legs]
                if not all(e.settled for e in events):
                    continue
                factor = 1.0
                for leg, ev in zip(bet.legs, events, strict=True):
                    g = self.grade(ev, leg["period"], leg["key"], leg["handicap"])
                    leg["grade"] = g
                    price = leg["price"] if bet.kind == "PARLAY" else 2.0
                    factor *= {1.0: price, 0.5: (1 + price) / 2, 0.0: 1.0, -0.5: 0.5, -1.0: 0.0}[g]
                if bet.kind == "TEASER":
                    factor = bet.price if all(leg["grade"] > 0 for leg in bet.legs) else 0.0
                wl = bet.risk * factor - bet.risk
                lost = "LOST" if bet.kind == "PARLAY" else "LOSE"
                self._close(
                    bet,
                    "WON" if wl > 0 else ("REFUNDED" if wl == 0 else lost),
                    wl,
                    at=max(e.settled_at for e in events),
                )

    # -- reading -----------------------------------------------------------------------------

    def by_request_ids(self, uids: list[str]) -> list[BetRecord]:
        out = []
        now = self.market.now
        for uid in uids:
            entry = self.by_uid.get(uid.lower())
            if entry is None or entry[0] + DEDUPE_SECONDS <= now:
                continue
            bet = self.bets.get(entry[1])
            if bet is not None and bet.placed_at + DEDUPE_SECONDS > now:
                out.append(bet)
        return out


def _asian(margin: float) -> float:
    """Grade a handicap/total margin, splitting quarter lines into two half-bets."""
    frac = abs(margin * 4) % 2
    if math.isclose(frac, 1.0):  # quarter line: average of the two neighbouring half-lines
        return (_whole(margin - 0.25) + _whole(margin + 0.25)) / 2
    return _whole(margin)


def _whole(margin: float) -> float:
    if margin > 1e-9:
        return 1.0
    if margin < -1e-9:
        return -1.0
    return 0.0


_RR_SIZES = {
    "Parlay": 0,
    "TwoLegRoundRobin": 2,
    "ThreeLegRoundRobin": 3,
    "FourLegRoundRobin": 4,
    "FiveLegRoundRobin": 5,
    "SixLegRoundRobin": 6,
    "SevenLegRoundRobin": 7,
    "EightLegRoundRobin": 8,
}


class _ParlayRejected(Rejected):
    def __init__(
        self, code: str, valid: list[dict[str, Any]], invalid: list[dict[str, Any]], odds: float
    ) -> None:
        super().__init__(code)
        self.valid, self.invalid, self.odds = valid, invalid, odds


class _TeaserRejected(Rejected):
    def __init__(
        self, code: str, valid: list[dict[str, Any]], invalid: list[dict[str, Any]]
    ) -> None:
        super().__init__(code)
        self.valid, self.invalid = valid, invalid


def parlay_rejected(
    exc: Rejected,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float] | None:
    if isinstance(exc, _ParlayRejected):
        return exc.valid, exc.invalid, exc.odds
    return None


def teaser_rejected(exc: Rejected) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    if isinstance(exc, _TeaserRejected):
        return exc.valid, exc.invalid
    return None


def date_of(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


def special_of(market: Market, bet: BetRecord) -> Special | None:
    return market.specials.get(bet.special_id)


__all__ += ["date_of", "iso", "parlay_rejected", "special_of", "teaser_rejected"]
