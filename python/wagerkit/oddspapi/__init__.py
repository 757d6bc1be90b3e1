"""OddsPapi v5: find what to bet on (fixtures, markets, outcome ids), every bookmaker's odds
with their limits, history, CLV and settlement; the ids feed ABP and Pinnacle directly.

``AsyncOddsPapiClient`` (anyio) and its blocking twin ``OddsPapiClient``; discovery helpers in
:mod:`.discovery`; :class:`OddsBook` feeds OddsPapi quotes into an engine Book;
:class:`OddsStream` is the live WebSocket stream, kept whole (:class:`LiveOdds`).
"""

from wagerkit.oddspapi.blocking import OddsPapiClient
from wagerkit.oddspapi.book import OddsBook
from wagerkit.oddspapi.client import DEFAULT_BASE_URL, AsyncOddsPapiClient
from wagerkit.oddspapi.discovery import (
    MarketCatalogue,
    Selection,
    find_fixtures,
    find_selection,
    outcome_ids,
)
from wagerkit.oddspapi.errors import (
    BookmakerNotAllowed,
    ChannelNotAllowed,
    EntitlementError,
    InvalidRequest,
    RateLimiterDown,
    SportNotAllowed,
)
from wagerkit.oddspapi.historical import HistoricalTick
from wagerkit.oddspapi.limits import EndpointLimits
from wagerkit.oddspapi.liveodds import LiveOdds
from wagerkit.oddspapi.stream import OddsStream, TooManyConnections

__all__ = [
    "DEFAULT_BASE_URL",
    "AsyncOddsPapiClient",
    "BookmakerNotAllowed",
    "ChannelNotAllowed",
    "EndpointLimits",
    "EntitlementError",
    "HistoricalTick",
    "InvalidRequest",
    "LiveOdds",
    "MarketCatalogue",
    "OddsBook",
    "OddsPapiClient",
    "OddsStream",
    "RateLimiterDown",
    "Selection",
    "SportNotAllowed",
    "TooManyConnections",
    "find_fixtures",
    "find_selection",
    "outcome_ids",
]
