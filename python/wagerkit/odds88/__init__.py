"""Odds88: cashout with self-renewing subscriptions, the cashout and settlement feeds, Bets V2.

``Odds88Client`` is async (anyio); ``BlockingOdds88Client`` has the same methods for scripts.
Models are msgspec Structs (``models``); money is exact (``Amount``, ``BetAmount``); every
refusal is an error of :mod:`wagerkit.errors` (``rejects`` adds the Odds88 details).
"""

from wagerkit.clock import Clock, FakeClock, SystemClock
from wagerkit.odds88.auth import TokenManager
from wagerkit.odds88.blocking import BlockingFeed, BlockingOdds88Client
from wagerkit.odds88.client import CashoutConfirmation, Odds88Client
from wagerkit.odds88.enums import (
    BetResultType,
    BetSettlement,
    CashoutPriceChange,
    CashoutStatus,
    CurrencyType,
    PriceChange,
    RejectReason,
    ResponseCode,
    SelectionSettlement,
)
from wagerkit.odds88.execution import Odds88Adapter, Odds88Bet, Odds88Cashout
from wagerkit.odds88.feeds import CashoutFeed, SettlementFeed
from wagerkit.odds88.models import (
    Amount,
    BetAmount,
    BetItem,
    BetRequest,
    BetResult,
    CashedOut,
    CashoutAvailable,
    CashoutNotSupported,
    CashoutUpdate,
    MaxBet,
    Player,
    SettledBet,
)
from wagerkit.odds88.rejects import BetRejected, BetRequestRefused, CashoutRejected
from wagerkit.odds88.subscriptions import SubscriptionKeeper

__all__ = [
    "Amount",
    "BetAmount",
    "BetItem",
    "BetRejected",
    "BetRequest",
    "BetRequestRefused",
    "BetResult",
    "BetResultType",
    "BetSettlement",
    "BlockingFeed",
    "BlockingOdds88Client",
    "CashedOut",
    "CashoutAvailable",
    "CashoutConfirmation",
    "CashoutFeed",
    "CashoutNotSupported",
    "CashoutPriceChange",
    "CashoutRejected",
    "CashoutStatus",
    "CashoutUpdate",
    "Clock",
    "CurrencyType",
    "FakeClock",
    "MaxBet",
    "Odds88Adapter",
    "Odds88Bet",
    "Odds88Cashout",
    "Odds88Client",
    "Player",
    "PriceChange",
    "RejectReason",
    "ResponseCode",
    "SelectionSettlement",
    "SettledBet",
    "SettlementFeed",
    "SubscriptionKeeper",
    "SystemClock",
    "TokenManager",
]
