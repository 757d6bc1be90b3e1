"""ABP (55-Tech Automated Bet Placing v2): typed async and blocking clients, safe order
placement, the live stream, and USD-correct positions and PnL.

A bot in a few lines::

    async with AbpClient() as abp:                     # key from ABP_API_KEY
        order = OrderRequest.create("id1000004461512432", 103, 10.0, 1.95, user_ref="bot-1")
        print((await abp.preview(order)).describe())   # how ABP would fill it right now
        placed = await OrderManager(abp).place(order)  # never a second bet on retry
"""

from wagerkit.abp.adapter import AbpAdapter
from wagerkit.abp.blocking import BlockingAbpClient
from wagerkit.abp.client import DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, AbpClient
from wagerkit.abp.livebook import LiveBook
from wagerkit.abp.models import (
    Account,
    AccountCreate,
    AccountUpdate,
    Bet,
    Betslip,
    BetslipQuote,
    BetStatus,
    CurrencyInfo,
    DeclinedOrder,
    Order,
    OrderStatus,
    PlaceOrdersResponse,
    SettlementStatus,
)
from wagerkit.abp.orders import MAX_ORDERS_PER_REQUEST, OrderRequest
from wagerkit.abp.preview import Preview, preview_order
from wagerkit.abp.state import StateCache
from wagerkit.abp.stream import AbpStream

__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "MAX_ORDERS_PER_REQUEST",
    "AbpAdapter",
    "AbpClient",
    "AbpStream",
    "Account",
    "AccountCreate",
    "AccountUpdate",
    "Bet",
    "BetStatus",
    "Betslip",
    "BetslipQuote",
    "BlockingAbpClient",
    "CurrencyInfo",
    "DeclinedOrder",
    "LiveBook",
    "Order",
    "OrderRequest",
    "OrderStatus",
    "PlaceOrdersResponse",
    "Preview",
    "SettlementStatus",
    "StateCache",
    "preview_order",
]
