"""Order execution that can never turn a retry into a second bet.

:class:`OrderManager` journals, dedupes, submits, retries only what is safe, and looks orders up
by requestUuid after any ambiguous failure; :class:`ManagedOrder` carries each order's
lifecycle with timestamps.
"""

from wagerkit.execution.journal import FileJournal, Journal, JournalEntry, MemoryJournal
from wagerkit.execution.lifecycle import LocalStatus, ManagedOrder, Transition
from wagerkit.execution.manager import DEDUPE_WINDOW, OrderManager

__all__ = [
    "DEDUPE_WINDOW",
    "FileJournal",
    "Journal",
    "JournalEntry",
    "LocalStatus",
    "ManagedOrder",
    "MemoryJournal",
    "OrderManager",
    "Transition",
]
