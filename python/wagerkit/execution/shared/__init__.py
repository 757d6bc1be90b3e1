"""Shared backends for many bot processes on one account (the ``wagerkit[redis]`` extra).

Behind the same interfaces as the in-process defaults, which stay the default:

- :class:`RedisBudget` implements :class:`~wagerkit.transport.Limiter` (pass it as
  ``AbpClient(limiter=...)``): one exact sliding-window budget per venue, key and endpoint
  class for every process.
- :class:`SharedOrders` is the cross-process dedupe window (claims) and order ownership
  (leases); pass it as ``OrderManager(..., shared=...)``.
- :func:`connect` builds a redis-py client that reconnects by itself; an unreachable store is
  :class:`~wagerkit.errors.SharedStateUnavailable`, and a placement then fails closed.
"""

from wagerkit.execution.shared.budget import BudgetState, RedisBudget, budget_states
from wagerkit.execution.shared.combined import claim_and_take
from wagerkit.execution.shared.orders import ClaimRecord, SharedOrders
from wagerkit.execution.shared.pacing import RedisPacing
from wagerkit.execution.shared.store import connect, process_owner

__all__ = [
    "BudgetState",
    "ClaimRecord",
    "RedisBudget",
    "RedisPacing",
    "SharedOrders",
    "budget_states",
    "claim_and_take",
    "connect",
    "process_owner",
]
