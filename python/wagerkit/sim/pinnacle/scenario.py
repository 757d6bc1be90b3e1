"""What the local Pinnacle server offers: sports, leagues, events, prices, account, timing.

A scenario is plain data (YAML or JSON, see :data:`DEFAULT_SCENARIO` for every key), so a demo
or a test can describe its own market in a few lines. Times are seconds relative to the moment
the server starts (``starts: 3600`` = an hour from now); prices are decimal odds; limits are
max *volume* in USD, as Pinnacle publishes them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from wagerkit.errors import InvalidInput

__all__ = ["DEFAULT_SCENARIO", "load_scenario", "merge_scenario"]

DEFAULT_SCENARIO: dict[str, Any] = {
    "seed": 7,
    # Prices move every ``tick_seconds``; each tick changes each open period with this chance.
    "tick_seconds": 5.0,
    "move_probability": 0.5,
    "policy": "2025",
    "live_delay": 6.0,
    "min_risk": 1.0,
    "betting_status": "ALL_BETTING_ENABLED",
    "account": {"currency": "USD", "balance": 10_000.0, "credit": 0.0},
    "users": {"demo": "demo"},
    "currencies": [
        {"code": "USD", "name": "US Dollar", "rate": 1.0},
        {"code": "EUR", "name": "Euro", "rate": 0.92},
        {"code": "GBP", "name": "British Pound", "rate": 0.79},
        {"code": "JPY", "name": "Japanese Yen", "rate": 151.0},
    ],
    "sports": [
        {
            "id": 29,
            "name": "Soccer",
            "periods": [
                {"number": 0, "description": "Match", "shortDescription": "FT"},
                {"number": 1, "description": "1st Half", "shortDescription": "1H"},
            ],
            "leagues": [
                {
                    "id": 1980,
                    "name": "England - Premier League",
                    "homeTeamType": "Team1",
                    "container": "England",
                    "events": [
                        {"id": 1600000001, "home": "Arsenal", "away": "Chelsea", "starts": 7200},
                        {"id": 1600000002, "home": "Liverpool", "away": "Everton", "starts": 9000},
                        {
                            "id": 1600000003,
                            "home": "Leeds",
                            "away": "Fulham",
                            "starts": -1800,
                            "live": True,
                            "duration": 7200,
                            "score": [1, 0],
                        },
                    ],
                },
                {
                    "id": 2036,
                    "name": "Italy - Serie A",
                    "homeTeamType": "Team2",
                    "container": "Italy",
                    "events": [
                        {"id": 1600000011, "home": "Milan", "away": "Inter", "starts": 600},
                        {"id": 1600000012, "home": "Roma", "away": "Lazio", "starts": 86400},
                    ],
                },
            ],
            "specials": [
                {
                    "id": 1700000001,
                    "leagueId": 1980,
                    "name": "Premier League winner",
                    "category": "Outright Winner",
                    "cutoff": 604800,
                    "maxBet": 500.0,
                    "contestants": [
                        {"id": 1700000101, "name": "Arsenal", "price": 2.8},
                        {"id": 1700000102, "name": "Liverpool", "price": 3.1},
                        {"id": 1700000103, "name": "Man City", "price": 2.6},
                    ],
                }
            ],
        }
    ],
    "teasers": [
        {
            "groupId": 1,
            "groupName": "Soccer teasers",
            "id": 11,
            "description": "Soccer 1 goal teaser",
            "sportId": 29,
            "points": 1.0,
            "minLegs": 2,
            "maxLegs": 4,
            "payouts": [
                {"numberOfLegs": 2, "price": 1.9},
                {"numberOfLegs": 3, "price": 2.6},
                {"numberOfLegs": 4, "price": 3.5},
            ],
        }
    ],
}


def merge_scenario(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_scenario(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_scenario(source: str | Path | Mapping[str, Any] | None) -> dict[str, Any]:
    """The default scenario, with a file (YAML or JSON) or a mapping merged over it."""
    if source is None:
        return copy.deepcopy(DEFAULT_SCENARIO)
    if isinstance(source, Mapping):
        data: Any = source
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot read scenario {path}: {exc}", field="scenario") from None
        try:
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise InvalidInput(f"scenario {path} is not valid: {exc}", field="scenario") from None
    if not isinstance(data, Mapping):
        raise InvalidInput("a scenario must be a mapping", field="scenario")
    return merge_scenario(DEFAULT_SCENARIO, data)
