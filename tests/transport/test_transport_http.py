"""HttpTransport: URL policy, failure mapping onto the error tree, secrets kept out of errors."""

from __future__ import annotations

import httpx
import pytest

from wagerkit.errors import ConnectFailed, InvalidInput, MaybePlaced, NetworkError
from wagerkit.transport import HttpTransport, RateLimiter, check_base_url, is_loopback_url

pytestmark = pytest.mark.anyio

SECRET = "sk-live-5f1e2d3c4b5a69788796"


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.8.9.10", True),
        ("http://localhost:1/x", True),
        ("http://[::1]:80", True),
        ("https://v2.55-tech.com", False),
        ("http://10.0.0.1", False),
    ],
)
def test_loopback_detection(url: str, loopback: bool) -> None:
    """Only this machine counts as loopback; private ranges do not."""
    assert is_loopback_url(url) is loopback


def test_plain_http_refused_for_remote_hosts() -> None:
    """An API key must never travel in clear text to another machine."""
    with pytest.raises(InvalidInput, match="https"):
        check_base_url("http://v2.55-tech.com")
    assert check_base_url("http://v2.55-tech.com", allow_insecure=True) == "http://v2.55-tech.com"
    assert check_base_url("https://v2.55-tech.com/") == "https://v2.55-tech.com"


def test_garbage_url_refused() -> None:
    """A base URL that is not http(s)/ws(s) is invalid input."""
    with pytest.raises(InvalidInput):
        check_base_url("ftp://example.com")
    with pytest.raises(InvalidInput):
        check_base_url("not a url")


def _raising(exc: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


async def test_connect_error_means_never_sent() -> None:
    """A refused connection maps to ConnectFailed: retrying cannot duplicate anything."""
    transport = HttpTransport(
        "https://venue.test", transport=_raising(httpx.ConnectError("refused"))
    )
    with pytest.raises(ConnectFailed):
        await transport.request("POST", "/place-orders", json={"orders": []})
    await transport.aclose()


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("server hung up"),
        httpx.ReadError("reset"),
        httpx.DecodingError("broken gzip body"),
        httpx.WriteTimeout("half sent"),
    ],
)
async def test_failure_after_send_is_maybe_placed(exc: Exception) -> None:
    """Timeouts and resets after sending are ambiguous and carry the request id."""
    transport = HttpTransport("https://venue.test", transport=_raising(exc))
    with pytest.raises(MaybePlaced) as info:
        await transport.request("POST", "/place-orders", json={}, request_id="abc")
    assert info.value.request_id == "abc"
    assert isinstance(info.value, NetworkError)
    await transport.aclose()


async def test_secrets_never_appear_in_errors_or_repr() -> None:
    """A secret echoed in a transport error message is scrubbed, and repr shows no header."""
    transport = HttpTransport(
        "https://venue.test",
        headers={"x-api-key": SECRET},
        secrets=[SECRET],
        transport=_raising(httpx.ReadTimeout(f"timed out sending x-api-key={SECRET}")),
    )
    with pytest.raises(MaybePlaced) as info:
        await transport.request("GET", "/orders")
    assert SECRET not in str(info.value)
    assert SECRET not in repr(transport)
    await transport.aclose()


async def test_json_body_is_encoded_and_response_returned() -> None:
    """Bodies go out as JSON with the right content type; any status comes back unraised."""
    seen: dict[str, object] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["body"] = request.content
        seen["ctype"] = request.headers["content-type"]
        return httpx.Response(422, json={"detail": []})

    limiter = RateLimiter(1000)
    async with HttpTransport(
        "https://venue.test", transport=httpx.MockTransport(handler), limiter=limiter
    ) as transport:
        response = await transport.request("POST", "/x", json={"a": 1})
    assert response.status_code == 422
    assert seen == {"body": b'{"a":1}', "ctype": "application/json"}


def test_repr_hides_credentials_in_the_url() -> None:
    """A base URL with user:password@ never shows them in a repr."""
    transport = HttpTransport("https://bot:hunter22@venue.test/api")
    assert "hunter22" not in repr(transport) and "bot" not in repr(transport)
    assert "venue.test" in repr(transport)
