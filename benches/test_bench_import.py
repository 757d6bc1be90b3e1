"""Start-up cost: ``import wagerkit.abp`` and ``wagerkit --help`` against ``import httpx``.

A bot pays the import once per process, but a CLI, a cron job or a test worker pays it on every
start, and the import used to drag in rich and the simulators. Each call here runs a fresh
interpreter (``subprocess``), so nothing is cached in ``sys.modules``; the baseline is the same
interpreter importing httpx, which wagerkit's clients need anyway. Each child prints a name it
could only know after the import, and the parent checks it, so every timed call did the work.

Gates (ratios, same run, about half of what was measured): importing the ABP client costs at
most 5× importing httpx alone (measured about 2.5×: httpx plus msgspec, anyio, stamina, the
WebSocket stack and the engine), and ``wagerkit --help`` costs no more than importing httpx
(measured 2-3× faster: it imports the package and the engine, not rich, httpx or a
simulator). The eager variant (every command area imported, as before the lazy command table)
is measured for the table, ungated.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from benches.ratio_gate import compare, measure_only

OPTIONAL = ("rich", "starlette", "uvicorn", "yaml")


# Both sides run as on the core install: the extras' modules are unimportable (here they are
# installed, and httpx itself would load rich for its own command line when it can).
LEAN = f"""
import importlib.abc, sys
class _Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {OPTIONAL!r}:
            raise ModuleNotFoundError(name, name=name)
sys.meta_path.insert(0, _Absent())
"""


def _fresh(code: str, expect: str) -> Callable[[], str]:
    """One call = a new interpreter running ``code``; its stdout must contain ``expect``."""

    def run() -> str:
        result = subprocess.run(  # noqa: S603 (our interpreter, our code)
            [sys.executable, "-c", LEAN + code],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert expect in result.stdout, result.stdout
        return result.stdout

    return run


IMPORT_HTTPX = _fresh("import httpx; print(httpx.AsyncClient.__name__)", "AsyncClient")
IMPORT_ABP = _fresh("import wagerkit.abp as abp; print(abp.AbpClient.__name__)", "AbpClient")
HELP_LAZY = _fresh(
    "from wagerkit.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    "sim",
)
HELP_EAGER = _fresh(
    "sys.meta_path.pop(0)\nfrom wagerkit.cli import build_parser\nbuild_parser().print_help()",
    "sim",
)  # the eager parser needs the extras: it imports every area


def test_bench_import_abp_vs_httpx(benchmark: Any) -> None:
    """``import wagerkit.abp`` in a fresh interpreter: ≤ 5× ``import httpx``."""
    compare(
        benchmark,
        "fresh interpreter: import wagerkit.abp",
        IMPORT_ABP,
        IMPORT_HTTPX,
        baseline_name="import httpx",
        min_ratio=0.2,  # measured 0.4-0.5× (2-2.5× slower) in three timed runs
    )


def test_bench_help_startup(benchmark: Any) -> None:
    """``wagerkit --help`` (lazy command table): no slower than ``import httpx``; eager shown."""
    result = compare(
        benchmark,
        "fresh interpreter: wagerkit --help",
        HELP_LAZY,
        IMPORT_HTTPX,
        baseline_name="import httpx",
        min_ratio=1.0,  # measured 2.0-3.1× in three timed runs
    )
    if result is not None:
        measure_only(
            "fresh interpreter: wagerkit --help",
            HELP_LAZY,
            HELP_EAGER,
            "every command area imported (eager)",
        )
