"""The README's Pinnacle section is run, not just read: every Python snippet in it executes
against the local server, the shell command starts the server, and every API name the prose
puts in backticks exists. A renamed class (``ManualClock``, gone for ``FakeClock``) fails
here instead of in a user's first five minutes."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import re
import shlex
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from wagerkit import clock as clock_module
from wagerkit import errors
from wagerkit import execution as execution_package
from wagerkit.clock import FakeClock
from wagerkit.pinnacle import (
    _http,
    batch,
    client,
    execution,
    feed,
    mapping,
    pacer,
    placement,
    stakes,
)
from wagerkit.pinnacle import errors as pinnacle_errors
from wagerkit.sim.pinnacle import scenario, testing
from wagerkit.transport import RetryPolicy

README = Path(__file__).resolve().parents[2] / "README.md"
CLI = Path(sys.executable).with_name("wagerkit")


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- section:pinnacle -->")
    end = text.index("<!-- /section:pinnacle -->")
    return text[start:end]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(), flags=re.S)


def _as_coroutine(code: str, *params: str) -> str:
    """A snippet written at top level (``async with`` …) as the body of an async function."""
    return f"async def _snippet({', '.join(params)}):\n" + textwrap.indent(code, "    ")


async def _printed(code: str, **names: Any) -> str:
    """Run an async snippet with ``names`` as its free variables; return what it printed."""
    namespace: dict[str, Any] = {}
    exec(compile(_as_coroutine(code, *names), str(README), "exec"), namespace)  # noqa: S102
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        await namespace["_snippet"](**names)
    return out.getvalue()


def test_the_section_has_the_snippets_these_tests_run() -> None:
    assert len(_blocks("python")) == 3 and len(_blocks("bash")) == 1
    assert "ManualClock" not in _section()


def _run_against_cli_server(code: str, cwd: Path) -> list[str]:
    """Run a snippet as printed (only the port changed: 8082 may be taken) against
    ``wagerkit sim pinnacle --policy off``, as the section tells newcomers to start it."""
    assert code.count("http://127.0.0.1:8082") == 1
    port = _free_port()
    with _serving([str(CLI), "sim", "pinnacle", "--policy", "off", "--port", str(port)]):
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/client/balance", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never came up"
                time.sleep(0.05)
        done = subprocess.run(  # noqa: S603 - our interpreter, the README's code
            [sys.executable, "-c", code.replace("8082", str(port))],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=cwd,
        )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_client_snippet_places_a_bet(tmp_path: Path) -> None:
    (line,) = _run_against_cli_server(_blocks("python")[0], tmp_path)
    status, bet_id, risk = line.split()
    assert status == "ACCEPTED" and int(bet_id) > 0 and float(risk) == 10.0


def test_the_special_batch_snippet_places_one_bet_per_pick(tmp_path: Path) -> None:
    lines = _run_against_cli_server(_blocks("python")[1], tmp_path)
    journal = (tmp_path / "specials.journal").read_text().split()
    assert len(lines) == 2 and [line.split()[0] for line in lines] == journal
    assert all(line.split()[1] == "ACCEPTED" for line in lines)


def test_the_in_process_server_snippet_runs() -> None:
    code = _blocks("python")[2]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {})  # noqa: S102
    currency_line, retry_line = out.getvalue().splitlines()
    assert currency_line.split() == ["USD", "10000.0"]
    assert retry_line == "retry after 3600.0"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serving(argv: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a wedged server
            proc.kill()
            proc.wait(timeout=10)


def test_the_shell_command_serves_the_api() -> None:
    (command,) = [line for line in _blocks("bash")[0].splitlines() if line.strip()]
    optional = re.findall(r"\[([^\]]*)\]", command)
    argv = shlex.split(re.sub(r"\s*\[[^\]]*\]", "", command))
    assert argv[:3] == ["wagerkit", "sim", "pinnacle"] and "8082" in argv
    help_text = subprocess.run(  # noqa: S603
        [str(CLI), *argv[1:3], "--help"], capture_output=True, text=True, check=True
    ).stdout
    for option in optional:  # the optional flags exist, with the choices shown
        flag, _, values = option.partition(" ")
        assert flag in help_text
        if "|" in values:
            assert "{" + values.replace("|", ",") + "}" in help_text
    port = _free_port()
    argv[argv.index("8082")] = str(port)  # 8082 may be taken on a test machine
    user = argv[argv.index("--username") + 1]
    password = argv[argv.index("--password") + 1]
    with _serving([str(CLI), *argv[1:]]) as proc:
        answer = None
        for _ in range(300):  # bounded: up to ~30 s for the process to start
            if proc.poll() is not None:
                pytest.fail(f"the server exited: {proc.stderr.read() if proc.stderr else ''!r}")
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/v2/sports", auth=(user, password), timeout=1.0
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None and answer.status_code == 200
        assert answer.json()["sports"]


# -- every API name the prose mentions exists -----------------------------------------------------

_MODULES: tuple[ModuleType, ...] = (
    client,
    execution,
    execution_package,
    feed,
    mapping,
    pacer,
    placement,
    batch,
    stakes,
    _http,
    pinnacle_errors,
    errors,
    clock_module,
    testing,
    scenario,
)
_SPEC_SCHEMAS = {"SportPeriod", "StraightBetV4"}  # names from the spec files, not Python
_VARIABLES = {"client", "sim", "feed", "wagerkit"}


def _known_names() -> set[str]:
    """Every public name of the Pinnacle modules, their classes' attributes, and the
    parameters of every function and method among them (``max_429_wait=…``)."""
    names: set[str] = {m.__name__ for m in _MODULES} | {"wagerkit"}
    names.update(dir(RetryPolicy))  # max_retry_after, timeout: the policy a bet obeys
    objects: list[Any] = []
    for module in _MODULES:
        for name, value in vars(module).items():
            names.add(name)
            objects.append(value)
    for value in list(objects):
        if inspect.isclass(value):
            for attr, member in vars(value).items():
                names.add(attr)
                objects.append(member)
            names.update(getattr(value, "__dataclass_fields__", {}))
    for value in objects:
        if callable(value):
            with contextlib.suppress(TypeError, ValueError):
                names.update(inspect.signature(value).parameters)
    return names


def _api_names() -> set[str]:
    """Backticked tokens that look like Python API names: CamelCase classes, snake_case names,
    calls (``x()``), keyword arguments (``x=…``) and dotted paths. Wire names (camelCase,
    UPPER_CASE codes, paths) are the spec's, not ours."""
    out: set[str] = set()
    for token in re.findall(r"`([^`\n]+)`", _section()):
        token = token.strip()
        called = token.endswith(")")
        token = re.sub(r"\(.*\)$", "", token)  # fill_book(book, …) -> fill_book
        token = token.split("=", 1)[0]  # wait=False -> wait
        if not re.fullmatch(r"\.?[A-Za-z_][\w.]*", token):
            continue
        token = token.lstrip(".")
        head = token.split(".")[0]
        camel = head[0].isupper() and any(c.islower() for c in head)
        snake = "_" in token and token == token.lower()
        if camel or snake or called or "." in token:
            if head[0].islower() and any(c.isupper() for c in head):
                continue  # camelCase: a wire field
            out.add(token)
    return out - _SPEC_SCHEMAS


def _importable(dotted: str) -> bool:
    """``wagerkit.x.y``: a module, or an attribute of the longest module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(target, attr):
                return False
            target = getattr(target, attr)
        return True
    return False


def _exists(name: str, known: set[str]) -> bool:
    if name.startswith("wagerkit."):
        return _importable(name)
    return all(part in known or part in _VARIABLES for part in name.split("."))


def test_every_api_name_in_the_section_exists() -> None:
    known = _known_names()
    names = _api_names()
    assert {"AsyncPinnacleClient", "FakeClock", "max_429_wait", "running_pinnacle"} <= names
    missing = sorted(name for name in names if not _exists(name, known))
    assert not missing, f"README names that do not exist: {missing}"


def test_the_scenario_the_section_points_to_exists() -> None:
    assert "`DEFAULT_SCENARIO`" in _section() and scenario.DEFAULT_SCENARIO


def test_fake_clock_replaces_manual_clock() -> None:
    assert not hasattr(clock_module, "ManualClock")
    assert FakeClock(auto_advance=True).auto_advance
