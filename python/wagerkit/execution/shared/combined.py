"""A claim and a budget take in one round trip: the cost of sharing per request.

The two Lua scripts (:mod:`~wagerkit.execution.shared.orders`' claim and
:mod:`~wagerkit.execution.shared.budget`'s take) are wrapped as two local functions of one
script, so a request pays one EVALSHA: one network round trip, instead of two.
"""

from __future__ import annotations

from typing import Any

from wagerkit.execution.shared import budget as _budget
from wagerkit.execution.shared import orders as _orders
from wagerkit.execution.shared.budget import RedisBudget
from wagerkit.execution.shared.orders import ClaimRecord, SharedOrders
from wagerkit.execution.shared.store import guarded

__all__ = ["claim_and_take"]

_BOTH = f"""
local function claim(KEYS, ARGV)
{_orders._CLAIM}
end
local function take(KEYS, ARGV)
{_budget._TAKE}
end
local c = claim({{KEYS[1], KEYS[2], KEYS[3]}}, {{ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]}})
local t = take({{KEYS[4], KEYS[5], KEYS[6], KEYS[7]}}, {{ARGV[6], ARGV[7], ARGV[8], ARGV[9]}})
return {{c, t[1]}}
"""

_scripts: dict[int, Any] = {}


def claim_and_take(
    shared: SharedOrders, budget: RedisBudget, record: ClaimRecord, window: float
) -> tuple[str | None, bool]:
    """Claim ``record`` for ``window`` s and take a budget slot now: (holder or None, taken).

    A slot is taken even when the claim is refused (one slot of a venue's budget is cheap; a
    second round trip to give it back is not). A refused claim means: send nothing.
    """
    client = shared.client
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_BOTH)
    call = shared._claim_call(record, window)
    keys = [*call["keys"], *budget._keys]
    args = [*call["args"], budget.limit, budget._span_us, "", budget._stale_us]
    claimed, taken = guarded(lambda: script(keys=keys, args=args), "a claim and a budget take")
    return shared.claimed(record, claimed), bool(taken)
