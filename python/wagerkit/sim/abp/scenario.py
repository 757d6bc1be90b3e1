"""The scenario file: the world the simulator starts from, in YAML (or JSON).

A scenario lists the clients (API keys), bookmakers, accounts, exchange rates, fixtures with
their markets and per-bookmaker quotes, and optional schedules of price moves and settlements.
Field names follow ABP's camelCase wire names so a scenario reads like the API it feeds.
The default scenario (``scenarios/default.yaml``) is built around the quickstart's fixture.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import yaml

from wagerkit._core import is_currency
from wagerkit.errors import InvalidInput

__all__ = [
    "AccountSpec",
    "BookmakerSpec",
    "ClientSpec",
    "FixtureSpec",
    "MarketSpec",
    "MoveSpec",
    "QuoteSpec",
    "Scenario",
    "SettleSpec",
    "default_scenario_path",
    "load_scenario",
    "parse_scenario",
]

RESULTS = ("WON", "LOST", "VOID", "HALF_WON", "HALF_LOST", "PUSH")


class _Spec(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Base: camelCase keys; a typo in a scenario is an error, not a silent default."""


class ClientSpec(_Spec):
    """An API client (ABP's clientName). ``apiKey`` may be omitted: one is generated at start."""

    name: str
    api_key: str | None = None
    rps: int = 100
    bookmakers: list[str] = msgspec.field(default_factory=list)  # allowed slugs; empty = all
    active: bool = True

    def __repr__(self) -> str:
        return f"ClientSpec(name={self.name!r}, api_key=***, rps={self.rps})"


class BookmakerSpec(_Spec):
    """A bookmaker the simulator quotes for.

    ``currency`` is the currency of its quote limits and of ``maxStake``/``minStake`` (the
    bookmaker step of the limit cascade). ``betDelay`` is seconds from PENDING to the bookmaker's
    answer (and again to CONFIRMED); 0 confirms at once. ``rejectRate`` is the share of bets the
    bookmaker rejects (seeded, reproducible).
    """

    slug: str
    currency: str = "USD"
    max_stake: float | None = None
    min_stake: float | None = None
    bet_delay: float = 0.0
    reject_rate: float = 0.0
    exchange: bool = False


class AccountSpec(_Spec):
    """A bookmaker account owned by ``client``; amounts in ``currencyId`` major units."""

    client: str
    bookmaker: str
    username: str
    password: str = "sim-password"  # noqa: S105 - a placeholder the API always masks as ***
    currency_id: str = "USD"
    balance: float = 0.0
    credit: float | None = None
    active: bool = True
    priority: int = 0
    max_stake: float | None = None
    min_stake: float | None = None
    verify_betslip: bool = False
    multi_limit_allowed: bool = True
    meta: dict[str, Any] = msgspec.field(default_factory=dict)

    def __repr__(self) -> str:
        return f"AccountSpec({self.bookmaker}/{self.username}, client={self.client!r})"


class QuoteSpec(_Spec):
    """One bookmaker's price on a selection; ``limit``/``limitMin`` in the bookmaker currency.

    ``back: false`` is an exchange lay quote (the price a layer offers).
    """

    bookmaker: str
    price: float
    limit: float
    limit_min: float | None = None
    active: bool = True
    back: bool = True
    bookmaker_market_id: str | None = None
    bookmaker_outcome_id: str | None = None


class MarketSpec(_Spec):
    """One selection (outcome) of a fixture, with ABP's outcomeInfo fields."""

    outcome_id: int
    market_id: int
    market_name: str
    outcome_name: str
    player_id: int = 0
    market_name_short: str | None = None
    market_type: str = "1x2"
    period: str = "fulltime"
    handicap: float | None = None
    quotes: list[QuoteSpec] = msgspec.field(default_factory=list)


class FixtureSpec(_Spec):
    """A fixture with OddsPapi-style metadata. ``startsIn`` is seconds after server start."""

    fixture_id: str
    sport_id: int
    sport_name: str
    tournament_id: int
    tournament_name: str
    category_name: str
    participant1_id: int
    participant1_name: str
    participant2_id: int
    participant2_name: str
    starts_in: float = 7200.0
    status_id: int = 0
    markets: list[MarketSpec] = msgspec.field(default_factory=list)


class MoveSpec(_Spec):
    """A scheduled quote change ``after`` seconds (simulator clock) from start.

    Unset fields keep their value; setting ``limit`` also refreshes the consumed limit.
    """

    after: float
    fixture_id: str
    outcome_id: int
    bookmaker: str
    player_id: int = 0
    back: bool = True
    price: float | None = None
    limit: float | None = None
    limit_min: float | None = None
    active: bool | None = None


class SettleSpec(_Spec):
    """A scheduled settlement: ``results`` maps outcomeId (text) to WON/LOST/VOID/HALF_WON/...

    ``default`` applies to outcomes of the fixture that ``results`` does not name.
    """

    after: float
    fixture_id: str
    results: dict[str, str] = msgspec.field(default_factory=dict)
    default: str | None = None


class Scenario(_Spec):
    """A whole simulated world."""

    clients: list[ClientSpec]
    name: str = "unnamed"
    rates: dict[str, float] = msgspec.field(default_factory=dict)
    rates_updated_at: str | None = None
    bookmakers: list[BookmakerSpec] = msgspec.field(default_factory=list)
    accounts: list[AccountSpec] = msgspec.field(default_factory=list)
    fixtures: list[FixtureSpec] = msgspec.field(default_factory=list)
    moves: list[MoveSpec] = msgspec.field(default_factory=list)
    settlements: list[SettleSpec] = msgspec.field(default_factory=list)


def default_scenario_path() -> Path:
    """The scenario shipped as package data (the quickstart's world)."""
    return Path(str(resources.files("wagerkit.sim.abp") / "scenarios" / "default.yaml"))


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read and check a scenario file; ``None`` loads the default scenario."""
    file = Path(path) if path is not None else default_scenario_path()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read scenario {file}: {exc}", field="scenario") from exc
    return parse_scenario(data)


def parse_scenario(data: Any) -> Scenario:
    """Build a :class:`Scenario` from decoded YAML/JSON and check that it holds together."""
    try:
        scenario = msgspec.convert(data, Scenario)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"invalid scenario: {exc}", field="scenario") from exc
    _check(scenario)
    return scenario


def _check(s: Scenario) -> None:
    """Cross-references a schema cannot express (unknown client, bookmaker, currency...)."""
    problems: list[str] = []
    clients = {c.name for c in s.clients}
    if not s.clients:
        problems.append("at least one client is required")
    if len(clients) != len(s.clients):
        problems.append("client names must be unique")
    keys = [c.api_key for c in s.clients if c.api_key]
    if len(set(keys)) != len(keys):
        problems.append("client apiKeys must be unique")
    slugs = {b.slug for b in s.bookmakers}
    for ccy, value in s.rates.items():
        if not is_currency(ccy) or value <= 0:
            problems.append(f"rates: bad rate {ccy}={value}")
    for b in s.bookmakers:
        if not is_currency(b.currency):
            problems.append(f"bookmaker {b.slug}: unknown currency {b.currency}")
        elif b.currency != "USD" and b.currency not in s.rates:
            problems.append(
                f"bookmaker {b.slug}: no rate for its currency {b.currency} "
                f"(add {b.currency} to rates; its limits are in {b.currency})"
            )
        if not 0.0 <= b.reject_rate <= 1.0:
            problems.append(f"bookmaker {b.slug}: rejectRate must be within [0, 1]")
    seen: set[tuple[str, str]] = set()
    for a in s.accounts:
        if a.client not in clients:
            problems.append(f"account {a.username}: unknown client {a.client}")
        if a.bookmaker not in slugs:
            problems.append(f"account {a.username}: unknown bookmaker {a.bookmaker}")
        if not is_currency(a.currency_id):
            problems.append(f"account {a.username}: unknown currency {a.currency_id}")
        if (a.bookmaker, a.username) in seen:
            problems.append(f"account {a.bookmaker}/{a.username} is listed twice")
        seen.add((a.bookmaker, a.username))
    fixtures = {f.fixture_id: f for f in s.fixtures}
    for f in s.fixtures:
        for m in f.markets:
            for q in m.quotes:
                if q.bookmaker not in slugs:
                    problems.append(
                        f"{f.fixture_id}/{m.outcome_id}: unknown bookmaker {q.bookmaker}"
                    )
                if q.price <= 1.0 or q.limit < 0:
                    problems.append(f"{f.fixture_id}/{m.outcome_id}: bad quote at {q.bookmaker}")
    for mv in s.moves:
        if mv.fixture_id not in fixtures or mv.bookmaker not in slugs:
            problems.append(f"move at {mv.after}s: unknown fixture or bookmaker")
    for st in s.settlements:
        if st.fixture_id not in fixtures:
            problems.append(f"settlement at {st.after}s: unknown fixture {st.fixture_id}")
        for result in [*st.results.values(), *([st.default] if st.default else [])]:
            if result not in RESULTS:
                problems.append(f"settlement of {st.fixture_id}: unknown result {result}")
    if problems:
        raise InvalidInput("invalid scenario: " + "; ".join(problems), field="scenario")
