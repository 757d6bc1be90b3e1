"""The venue-adapter protocol: everything the order manager needs to know about one venue.

Why a protocol: the manager decides (journal first, refuse a second submit, resend only within
the venue's dedupe window, call an order NOT_SENT only by proof), and a venue adapter only
translates (nautilus_trader's split of ExecutionEngine and ExecutionClient). A new venue is one
file in its own package that implements :class:`VenueAdapter`; ``wagerkit.execution`` never
imports a venue.

The contract, method by method (``P`` is the venue's own request type, e.g. ABP's
``OrderRequest``, a Pinnacle bet request, an Odds88 cashout request):

``venue``, ``max_batch``
    The venue's name as stored in the journal (``"abp"``, ``"pinnacle"``, ``"odds88"``) and how
    many intents one :meth:`~VenueAdapter.submit` may carry (ABP 100, Pinnacle 1).
``dedupe_window``
    Seconds, counted from the *first* send of a key, during which the venue itself skips a
    request that repeats it. Resending the same key is safe only inside this window; after it,
    the manager never resends (the venue might take the repeat as a new bet).
``clock_skew``
    Seconds of disagreement to allow between our clock and the venue's when comparing against
    a venue time (an expiry); added to every "decidable" time.
``intent(payload)``
    Validates one request (raising :class:`~wagerkit.errors.InvalidInput`, nothing sent) and
    returns its :class:`Intent`: the idempotency key fixed *before* anything is sent, the kind,
    the user's reference and, when the venue enforces one, the expiry after which the venue can
    no longer act on it.
``submit(intents, timeout=...)``
    Sends one batch (at most ``max_batch``) and returns one :class:`SubmitAnswer` per intent
    the venue answered for (ACCEPTED with its :class:`VenueRecord`, or DECLINED with the
    reason). An intent the answer does not mention is treated as ambiguous. A failure of the
    whole batch is raised as an exception; :meth:`~VenueAdapter.classify` says what it proves.
``classify(exc)``
    Maps a failure of :meth:`~VenueAdapter.submit` to a :class:`Failure`: NOT_SENT only when
    it proves that *this* send left nothing at the venue (connect refused, a refusal by an
    auth layer before the request is read, our own rate limiter), DECLINED when the venue
    read the batch and refused it as a whole (400/422), AMBIGUOUS otherwise. The manager
    treats anything that is not a :class:`~wagerkit.errors.WagerkitError` as AMBIGUOUS
    whatever this says (a RecursionError while decoding an answer is a ProtocolError, and a
    2xx that cannot be read may have placed the bet).
``lookup(intents)``
    Asks the venue for requests by key; returns key -> :class:`VenueRecord` for those it has
    (a request the venue refused after reading it, when it still answers for it, as a record
    with ``placed=False``: the intent ends DECLINED, not ACCEPTED).
    A key absent from the result is *not yet* proof of anything: see ``decidable_at``. Raises a
    :class:`~wagerkit.errors.WagerkitError` when the venue could not be asked.
``decidable_at(intent, last_sent_at)``
    Epoch seconds after which a lookup that misses the key proves it was never placed: the
    venue can no longer act on a request still on the wire. Typically the expiry plus
    ``clock_skew`` when the venue enforces one, else the last send plus the dedupe window
    (:func:`default_decidable_at`). Before that time a miss leaves the intent UNKNOWN.
``encode(payload)`` / ``decode(data)``
    The request as bytes for the journal and back, exactly (same key, same body), so that
    ``recover()`` after a crash can look it up, resend it within the window, and show it in
    ``wagerkit history``.

Adapters must be safe to call from one event loop at a time; the manager never calls
:meth:`~VenueAdapter.submit` twice concurrently for the same key.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

__all__ = [
    "Failure",
    "Intent",
    "LocalStatus",
    "SubmitAnswer",
    "VenueAdapter",
    "VenueRecord",
    "Version",
    "default_decidable_at",
]

P = TypeVar("P")

Version = tuple[float, ...]
"""The venue's own ordering of versions of one request (e.g. ABP ``(updatedAt,)`` as epoch
seconds, a stream ``seq``); a record with a lower version is older whatever its status."""


class LocalStatus(enum.StrEnum):
    """Where an intent is from the bot's side; the venue's own status is in its record."""

    CREATED = "CREATED"
    """Journaled; nothing sent yet."""
    SENT = "SENT"
    """A request carrying it went out (or may have) and no answer was read yet. The manager
    never leaves an intent SENT by an exception; only a cancelled task can (reconcile covers
    it)."""
    ACCEPTED = "ACCEPTED"
    """The venue holds it (see its record for the venue's status)."""
    DECLINED = "DECLINED"
    """The venue read it and refused it at placement; nothing was placed."""
    NOT_SENT = "NOT_SENT"
    """Proven not placed: no byte left, or the venue refused the whole request before storing
    it, or a lookup missed it after the venue could no longer act on it. Safe to place anew
    (with a new key)."""
    UNKNOWN = "UNKNOWN"
    """It may exist at the venue; not decidable before ``decidable_at``. Never re-place it."""

    @property
    def resolved(self) -> bool:
        """Whether the bot knows if the venue holds it."""
        return self in _RESOLVED


_RESOLVED = frozenset({LocalStatus.ACCEPTED, LocalStatus.DECLINED, LocalStatus.NOT_SENT})


class Failure(enum.StrEnum):
    """What a failed submit proves about the intents it carried."""

    NOT_SENT = "not_sent"
    """This send left nothing at the venue (an earlier send of the same key still might)."""
    DECLINED = "declined"
    """The venue read the request and refused it as a whole: nothing was placed by it."""
    AMBIGUOUS = "ambiguous"
    """The request may have been acted on: look it up, resend only within the window."""


@dataclasses.dataclass(frozen=True, slots=True)
class Intent(Generic[P]):
    """One request to a venue, identified by its idempotency key for life.

    ``expires_at`` (epoch seconds) is when the venue stops acting on it, when it has such a
    rule (ABP ``expiresAt``); ``None`` when only the dedupe window bounds it.
    """

    venue: str
    key: str
    payload: P
    kind: str = "order"
    """What it is at the venue: ``order`` (ABP), ``straight``/``parlay``/``teaser``/``special``
    (Pinnacle), ``bet``/``cashout`` (Odds88)."""
    user_ref: str | None = None
    expires_at: float | None = None
    created_at: float = dataclasses.field(default_factory=time.time)


@dataclasses.dataclass(frozen=True, slots=True)
class VenueRecord:
    """What the venue says about one request: its id, its own status word, and its version.

    ``final`` is True when the venue will not change it any more (reconciliation stops reading
    it); ``raw`` is the venue's decoded object (an ABP ``Order``, a Pinnacle bet...).

    ``placed`` is False when the venue says it refused the request and never placed it (a
    Pinnacle live bet ``NOT_ACCEPTED`` after the delay, an Odds88 bet ``Rejected``): the
    manager then marks the intent DECLINED with the status word as the reason, whether the word
    came in the placement answer, a lookup after a lost answer, or a stream. Such a record is
    also ``final``. Default True, so adapters that never decline later need not set it.
    """

    key: str
    venue_id: str | None
    status: str
    final: bool = False
    version: Version = ()
    raw: Any = None
    placed: bool = True

    def newer_than(self, other: VenueRecord | None) -> bool:
        """The venue's latest word wins: not behind ``other`` in the venue's own ordering.

        Equal versions count as newer (a fresh read of the same version is harmless); an
        empty version is only taken over no record at all.
        """
        if other is None:
            return True
        if not self.version or not other.version:
            return bool(self.version) or not other.version
        return self.version >= other.version


@dataclasses.dataclass(frozen=True, slots=True)
class SubmitAnswer:
    """The venue's answer for one intent of a batch: ACCEPTED (with its record), DECLINED
    (with ``reason``), or UNKNOWN (the answer was unclear for this one)."""

    key: str
    status: LocalStatus
    record: VenueRecord | None = None
    reason: str = ""


@runtime_checkable
class VenueAdapter(Protocol[P]):
    """What a venue supplies to :class:`~wagerkit.execution.OrderManager` (see the module
    doc for the contract of each member)."""

    venue: str
    max_batch: int
    dedupe_window: float
    clock_skew: float

    def intent(self, payload: P) -> Intent[P]: ...

    async def submit(
        self, intents: Sequence[Intent[P]], *, timeout: float | None = None
    ) -> Sequence[SubmitAnswer]: ...

    def classify(self, exc: BaseException) -> Failure: ...

    async def lookup(self, intents: Sequence[Intent[P]]) -> Mapping[str, VenueRecord]: ...

    def decidable_at(self, intent: Intent[P], last_sent_at: float) -> float: ...

    def encode(self, payload: P) -> bytes: ...

    def decode(self, data: bytes) -> P: ...


def default_decidable_at(
    intent: Intent[Any], last_sent_at: float, *, dedupe_window: float, clock_skew: float
) -> float:
    """When a lookup miss proves "never placed" under the usual venue rules.

    With an expiry the venue enforces: the expiry plus the skew (but never later than the
    window rule). Otherwise: the last send plus the venue's dedupe window plus the skew, by
    which time any request still on the wire has long been dropped or answered.
    """
    by_window = last_sent_at + dedupe_window + clock_skew
    if intent.expires_at is not None:
        return min(intent.expires_at + clock_skew, by_window)
    return by_window
