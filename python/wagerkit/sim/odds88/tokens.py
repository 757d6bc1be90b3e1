"""JWTs for the local Odds88 server: HS256, signed with a per-process random key.

The real venue's token format is not documented beyond "JWT"; these carry ``sub`` (the client
id), ``iat``, ``exp`` (24 hours later, the documented reuse window) and a random ``jti``, so a
client that reads ``exp`` sees the same lifetime the docs promise.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

__all__ = ["TokenSigner"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Issue and check tokens; ``now`` is passed in so the simulator's clock decides expiry."""

    def __init__(self, lifetime: float = 24 * 3600.0) -> None:
        self._key = secrets.token_bytes(32)
        self.lifetime = lifetime

    def issue(self, client_id: str, now: float) -> str:
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {
            "sub": client_id,
            "iat": int(now),
            "exp": int(now + self.lifetime),
            "jti": secrets.token_hex(8),
        }
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self._key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def verify(self, token: str, now: float) -> str | None:
        """The client id of a valid, unexpired token; ``None`` for anything else."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = hmac.new(self._key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(expected, _unb64(parts[2])):
                return None
            claims = json.loads(_unb64(parts[1]))
        except ValueError:
            return None
        subject = claims.get("sub") if isinstance(claims, dict) else None
        exp = claims.get("exp") if isinstance(claims, dict) else None
        if not isinstance(subject, str) or not isinstance(exp, int) or now >= exp:
            return None
        return subject
