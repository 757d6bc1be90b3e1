"""ABP WebSocket frames (abp-facts §13) and their decoders, built once.

Every frame is decoded into one :class:`Envelope` (``type`` says which kind); a data frame's
``payload`` stays raw until its channel says what it is, so a frame for a channel we do not care
about costs almost nothing.
"""

from __future__ import annotations

from typing import Any

import msgspec

from wagerkit.abp.models import Account, Bet, BetslipUpdate, CurrencyInfo, Order

__all__ = [
    "ANY_DECODER",
    "ENVELOPE_DECODER",
    "NOT_DECODED",
    "PAYLOAD_DECODERS",
    "PONG",
    "Envelope",
    "StreamEvent",
    "decode_envelope",
    "decode_payload",
    "login_frame",
]


class Envelope(msgspec.Struct, rename="camel", gc=False, frozen=True):
    """Any server frame: ``login_ok``, ``data``, ``ping``, ``pong``, ``heartbeat``, ``error``."""

    type: str
    channel: str | None = None
    event: str | None = None
    payload: msgspec.Raw = msgspec.Raw()
    ts: float | None = None
    seq: int | None = None
    require_ack: bool = False
    client_name: str | None = None
    channels: list[str] | None = None
    subscription_id: str | int | None = None
    reliable_delivery: bool | None = None
    message: str | None = None
    code: str | int | None = None
    error: str | None = None
    detail: Any = None


class _Login(msgspec.Struct, rename="camel", frozen=True):
    type: str
    api_key: str
    channels: list[str]
    reliable_delivery: bool = False


class _NotDecoded:
    """Marks a payload the engine already applied but nobody has read as a Python object."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not decoded yet>"


NOT_DECODED: Any = _NotDecoded()


class StreamEvent(msgspec.Struct, gc=False):
    """One data frame, decoded: ``data`` is an Order, Bet, Account, BetslipUpdate,
    CurrencyInfo, or the plain JSON value for channels without a documented shape; ``None``
    when the frame was bad (counted in ``AbpStream.bad_frames``).

    ``raw`` is the payload exactly as ABP sent it (a zero-copy :class:`msgspec.Raw`;
    ``bytes(event.raw)`` copies it out), so what the venue said stays reachable even when
    ``data`` could not be built from it.

    ``data`` of a ``betslip`` frame that the engine applied to a
    :class:`~wagerkit.abp.livebook.LiveBook` in one call is decoded only when first read (then
    kept): most bots read the book, not the frame, and the decode would double the Python-side
    cost of the frame. The engine checked the payload with the same field types, so the decode
    succeeds.

    A msgspec Struct rather than a dataclass: one is built per stream message, and a frozen
    dataclass's ``__init__`` costs about 0.7 µs against 60 ns. Not frozen only so that a lazily
    decoded ``data`` is kept; treat it as read-only. Not tracked by the garbage collector
    (``gc=False``): an event built from decoded JSON holds no cycles.
    """

    channel: str
    event: str
    seq: int | None
    ts: float | None
    _data: Any
    raw: msgspec.Raw = msgspec.field(default_factory=msgspec.Raw)

    @property
    def data(self) -> Any:
        """The payload as a typed object (see the class doc); ``None`` for a bad frame."""
        data = self._data
        if data is NOT_DECODED:
            data = self._data = decode_payload(self.channel, self.raw)
        return data


PONG = b'{"type":"pong"}'

ENVELOPE_DECODER = msgspec.json.Decoder(Envelope)
_encoder = msgspec.json.Encoder()
PAYLOAD_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    "orders": msgspec.json.Decoder(Order),
    "bets": msgspec.json.Decoder(Bet),
    "settlements": msgspec.json.Decoder(Bet),
    "accounts": msgspec.json.Decoder(Account),
    "betslip": msgspec.json.Decoder(BetslipUpdate),
    "currencies": msgspec.json.Decoder(CurrencyInfo),
}
ANY_DECODER = msgspec.json.Decoder()


def decode_envelope(data: bytes | str) -> Envelope:
    return ENVELOPE_DECODER.decode(data)


def decode_payload(channel: str, payload: msgspec.Raw) -> Any:
    """The payload typed by its channel (plain JSON for undocumented channels)."""
    decoder = PAYLOAD_DECODERS.get(channel, ANY_DECODER)
    return decoder.decode(payload)


def login_frame(api_key: str, channels: list[str], reliable_delivery: bool = False) -> bytes:
    """The first frame after connecting (must be sent within 30 s). ``[]`` = every channel.

    Contains the key: never log it.
    """
    return _encoder.encode(_Login("login", api_key, channels, reliable_delivery))
