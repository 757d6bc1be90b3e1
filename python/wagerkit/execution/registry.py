"""Which adapter drives a venue client, without ``execution`` importing any venue.

A venue package registers a factory for its client type when it is imported
(``register_adapter(AbpClient, AbpAdapter)``), so ``OrderManager(abp_client)`` keeps working
while the import arrows all point down: the venue imports ``execution``, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wagerkit.errors import InvalidInput
from wagerkit.execution.adapter import VenueAdapter

__all__ = ["adapter_for", "register_adapter"]

_FACTORIES: list[tuple[type, Callable[..., VenueAdapter[Any]]]] = []


def register_adapter(client_type: type, factory: Callable[..., VenueAdapter[Any]]) -> None:
    """Let ``OrderManager(client)`` build ``factory(client, **options)`` for that client type."""
    for i, (held, _) in enumerate(_FACTORIES):
        if held is client_type:
            _FACTORIES[i] = (client_type, factory)
            return
    _FACTORIES.append((client_type, factory))


def _is_adapter(obj: object) -> bool:
    return all(
        hasattr(obj, name)
        for name in ("venue", "submit", "lookup", "classify", "decidable_at", "intent", "encode")
    )


def adapter_for(obj: object, **options: Any) -> VenueAdapter[Any]:
    """``obj`` itself when it is an adapter, else the registered adapter around a client.

    ``options`` (e.g. ABP's ``state``) go to the factory; an adapter given directly must have
    been built with them already.
    """
    if _is_adapter(obj):
        return obj  # type: ignore[return-value]
    for client_type, factory in _FACTORIES:
        if isinstance(obj, client_type):
            return factory(obj, **options)
    raise InvalidInput(
        f"no execution adapter for {type(obj).__name__}: pass a VenueAdapter "
        "(see wagerkit.execution.adapter) or a venue client whose package registers one",
        field="venue",
    )
