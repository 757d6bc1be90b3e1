"""The OddsPapi overlay: what the local OddsPapi server adds to the ABP scenario.

The fixtures, markets, bookmakers, quotes, rates and moves come from an ABP scenario
(:mod:`wagerkit.sim.abp.scenario`, the default one unless told otherwise), so the two
simulators can never disagree on an id, a price or a limit. The overlay adds API keys with their
plans (entitlements), sport names, Pinnacle ids, catalogue markets nobody quotes, per-bookmaker
fixture state (``staleOdds``/``suspended``), extra price moves and recorded history.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import yaml

from wagerkit.errors import InvalidInput
from wagerkit.sim.abp.scenario import MoveSpec

__all__ = ["KeySpec", "Overlay", "load_overlay"]


class _Spec(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """camelCase keys; a typo is an error, not a silent default."""


class KeySpec(_Spec):
    """An API key and its plan; ``None`` entitles everything of that kind."""

    name: str
    api_key: str
    sports: list[int] | None = None
    bookmakers: list[str] | None = None
    channels: list[str] | None = None

    def __repr__(self) -> str:
        return f"KeySpec(name={self.name!r}, apiKey=***)"


class SportSpec(_Spec):
    sport_id: int
    sport_name: str
    slug: str | None = None


class OutcomeSpec(_Spec):
    outcome_id: int
    outcome_name: str


class CatalogueMarketSpec(_Spec):
    market_id: int
    sport_id: int
    market_name: str
    outcomes: list[OutcomeSpec]
    market_name_short: str | None = None
    market_type: str | None = None
    period: str = "fulltime"
    handicap: float | None = None


class BookmakerStateSpec(_Spec):
    fixture_id: str
    bookmaker: str
    stale_odds: bool = False
    suspended: bool = False
    participants_rotated: bool = False


class HistorySpec(_Spec):
    """``ticks`` recorded per quote before the start, ``spacing`` seconds apart."""

    ticks: int = 24
    spacing: float = 900.0
    seed: int = 7


class RateLimitSpec(_Spec):
    """(requests, window seconds) per key per endpoint."""

    odds: tuple[int, float] = (10, 1.0)
    other: tuple[int, float] = (200, 60.0)


class Overlay(_Spec):
    keys: list[KeySpec]
    name: str = "unnamed"
    abp_scenario: str | None = None
    sports: list[SportSpec] = msgspec.field(default_factory=list)
    bookmaker_names: dict[str, str] = msgspec.field(default_factory=dict)
    pinnacle_ids: dict[str, int] = msgspec.field(default_factory=dict)
    extra_markets: list[CatalogueMarketSpec] = msgspec.field(default_factory=list)
    bookmaker_state: list[BookmakerStateSpec] = msgspec.field(default_factory=list)
    moves: list[MoveSpec] = msgspec.field(default_factory=list)
    history: HistorySpec = msgspec.field(default_factory=HistorySpec)
    rate_limits: RateLimitSpec = msgspec.field(default_factory=RateLimitSpec)


def default_overlay_path() -> Path:
    return Path(str(resources.files("wagerkit.sim.oddspapi") / "scenarios" / "default.yaml"))


def load_overlay(source: str | Path | dict[str, Any] | None = None) -> Overlay:
    """Read an overlay file (YAML or JSON) or take decoded data; ``None`` is the default."""
    if isinstance(source, dict):
        data: Any = source
    else:
        file = Path(source) if source is not None else default_overlay_path()
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise InvalidInput(f"cannot read scenario {file}: {exc}", field="scenario") from exc
    try:
        overlay = msgspec.convert(data, Overlay)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"invalid OddsPapi scenario: {exc}", field="scenario") from exc
    keys = [k.api_key for k in overlay.keys]
    if not keys or len(set(keys)) != len(keys):
        raise InvalidInput("scenario keys must be present and unique", field="scenario")
    return overlay
