"""Transport tests run under both event loops anyio supports."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Parametrise every ``@pytest.mark.anyio`` test over asyncio and trio."""
    return str(request.param)
