"""Venue-neutral execution: an intent is placed at most once, whatever the network or a crash.

:class:`OrderManager` journals, dedupes, submits through a venue's adapter
(:class:`~wagerkit.execution.adapter.VenueAdapter`), resends only what is safe, and calls an
intent NOT_SENT only by proof; :class:`ManagedOrder` carries each intent's lifecycle with
timestamps. :class:`SqliteJournal` is the durable, queryable journal (the bot's order history);
:class:`MemoryJournal` is for tests. This package imports no venue: each venue registers its
adapter (``wagerkit.abp.adapter`` ...).
"""

from wagerkit.execution.adapter import (
    Failure,
    Intent,
    LocalStatus,
    SubmitAnswer,
    VenueAdapter,
    VenueRecord,
    default_decidable_at,
)
from wagerkit.execution.journal import Journal, JournalEntry, JournalIntent, MemoryJournal
from wagerkit.execution.lifecycle import ManagedOrder, Transition
from wagerkit.execution.manager import DEDUPE_WINDOW, OrderManager
from wagerkit.execution.registry import adapter_for, register_adapter
from wagerkit.execution.sqlite import DEFAULT_RETENTION, SqliteJournal

__all__ = [
    "DEDUPE_WINDOW",
    "DEFAULT_RETENTION",
    "Failure",
    "Intent",
    "Journal",
    "JournalEntry",
    "JournalIntent",
    "LocalStatus",
    "ManagedOrder",
    "MemoryJournal",
    "OrderManager",
    "SqliteJournal",
    "SubmitAnswer",
    "Transition",
    "VenueAdapter",
    "VenueRecord",
    "adapter_for",
    "default_decidable_at",
    "register_adapter",
]
