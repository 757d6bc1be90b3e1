"""Import every client module of the installed wagerkit and fail if an optional dependency came
along: the core install (no extras) must serve a bot without rich, a simulator, yaml or pytest.

Run by scripts/check-wheels with the python of a fresh virtualenv holding only the bare wheel,
and by tests/install/test_lean_core.py against the source tree with ``--block``: there the
extras are installed, so the optional modules are made unimportable first, as on a bare install
(httpx, for one, loads rich whenever it can; that is not ours and is absent on a bare install).
"""

from __future__ import annotations

import importlib
import importlib.abc
import pkgutil
import sys

# optional dependencies (extras sim, cli) and test-only tools
FORBIDDEN = ("rich", "starlette", "uvicorn", "yaml", "pytest", "hypothesis")
# not client code: the command line (extra cli) and the simulators (extra sim)
NOT_CLIENT = ("wagerkit.cli", "wagerkit.sim", "wagerkit.__main__")


def client_modules() -> list[str]:
    """Every module of the wagerkit package except the command line and the simulators."""
    import wagerkit

    names = ["wagerkit"]
    for info in pkgutil.walk_packages(wagerkit.__path__, "wagerkit."):
        if not info.name.startswith(NOT_CLIENT):
            names.append(info.name)
    return sorted(names)


class _Absent(importlib.abc.MetaPathFinder):
    """Makes the optional dependencies unimportable, as they are without the extras."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in FORBIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None


def main() -> int:
    if "--block" in sys.argv[1:]:
        sys.meta_path.insert(0, _Absent())
    names = client_modules()
    for name in names:
        importlib.import_module(name)
    loaded = sorted(m for m in FORBIDDEN if m in sys.modules)
    print(f"imported {len(names)} client modules: {', '.join(names)}")
    if loaded:
        print(f"FAIL: client modules loaded optional dependencies: {', '.join(loaded)}")
        return 1
    print(f"none of {', '.join(FORBIDDEN)} loaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
