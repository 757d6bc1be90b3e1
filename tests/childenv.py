"""The environment of a child Python process that a test starts (a README snippet, a bot to kill).

Why: CI installs the built wheel and runs pytest against site-packages, where the source tree's
``python/wagerkit`` has no compiled engine. A child must import the same wagerkit as the test
itself (the interpreter's own, ``sys.executable``, with whatever ``PYTHONPATH`` the test run was
given) and find the ``tests`` package at the repository root; it is never pointed at
``<repo>/python``. This works with an editable install, an installed wheel, and a checkout run
with ``PYTHONPATH=python``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ROOT", "child_env", "child_pythonpath"]

ROOT = Path(__file__).resolve().parents[1]
"""The repository root: the directory that holds the ``tests`` package."""


def child_pythonpath(inherited: Mapping[str, str] | None = None) -> str:
    """The repository root, then the ``PYTHONPATH`` this process was started with (if any)."""
    base = (os.environ if inherited is None else inherited).get("PYTHONPATH", "")
    parts = [str(ROOT), *(p for p in base.split(os.pathsep) if p and p != str(ROOT))]
    return os.pathsep.join(parts)


def child_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """``base`` (default: this process's environment) plus ``extra``, with the child's path."""
    env = dict(os.environ if base is None else base)
    env.update(extra)
    env["PYTHONPATH"] = child_pythonpath()
    return env
