"""The lean core install: client modules load no optional dependency, the ``wagerkit`` command
imports only the area asked for, and a command whose extra is missing says which one to install.

Missing extras are simulated in a subprocess by a meta-path finder that makes the optional
modules unimportable (here the extras are installed); scripts/check-wheels repeats the import
check in a virtualenv holding only the bare wheel.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import wagerkit
from wagerkit.cli import _COMMANDS, _EXTRA_OF

ROOT = Path(__file__).resolve().parents[2]

# run ``code`` with the named top-level modules unimportable, as on an install without them
_BLOCKER = """
import importlib.abc, sys
class _Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, _Absent())
"""


def _run(code: str, blocked: set[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", _BLOCKER.format(blocked=blocked) + code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_client_modules_import_without_any_extra() -> None:
    """Every module outside cli/ and sim/ imports with rich, the simulators' stack, yaml and
    pytest absent, and none of them ends up loaded."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, str(ROOT / "scripts" / "lean_imports.py"), "--block"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wagerkit.abp.client" in result.stdout
    assert "wagerkit.pinnacle.client" in result.stdout


def test_help_imports_no_command_area() -> None:
    """`wagerkit --help` lists every command without importing rich or a simulator."""
    code = """
from wagerkit.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print("LOADED", sorted(m for m in sys.modules if m.split(".")[0] in ("rich", "starlette",
      "uvicorn", "yaml") or m.startswith(("wagerkit.cli.", "wagerkit.sim"))))
"""
    result = _run(code, set())
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout
    for command in ("demo", "abp", "sim"):
        assert command in result.stdout


def test_sim_without_the_sim_extra_names_it_in_one_line() -> None:
    """`wagerkit sim abp` without starlette/uvicorn/yaml: exit 2 and one line naming the extra."""
    code = "from wagerkit.cli import main\nsys.exit(main(['sim', 'abp', '--port', '0']))"
    result = _run(code, {"starlette", "uvicorn", "yaml"})
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "wagerkit sim needs the 'sim' extra: pip install 'wagerkit[sim]'"
    ]


def test_demo_without_rich_names_both_extras() -> None:
    """`wagerkit demo` needs the tables and the simulator: both extras in one line."""
    code = "from wagerkit.cli import main\nsys.exit(main(['demo', '--engine']))"
    result = _run(code, {"rich"})
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "wagerkit demo needs the 'cli' and 'sim' extras: pip install 'wagerkit[cli,sim]'"
    )


def test_abp_command_without_rich_names_the_cli_extra() -> None:
    code = "from wagerkit.cli import main\nsys.exit(main(['abp', 'accounts']))"
    result = _run(code, {"rich"})
    assert result.returncode == 2, result.stderr
    assert (
        result.stderr.strip() == "wagerkit abp needs the 'cli' extra: pip install 'wagerkit[cli]'"
    )


def test_unrelated_missing_module_is_not_blamed_on_an_extra() -> None:
    """A missing module that no extra provides is a real bug: it propagates as a traceback."""
    code = "from wagerkit.cli import main\nsys.exit(main(['abp', 'accounts']))"
    result = _run(code, {"msgspec"})
    assert result.returncode == 1
    assert "ModuleNotFoundError" in result.stderr
    assert "extra" not in result.stderr


def test_version_flag_prints_the_package_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wagerkit", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wagerkit {wagerkit.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", wagerkit.__version__)


def test_readme_first_command_installs_the_demos_extras() -> None:
    """The README's one-line install names exactly the extras the demo command declares."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(
        r"python3 -m pip install '\.\[([a-z,]+)\]' && python3 -m wagerkit demo", readme
    )
    assert match is not None
    demo = next(area for area in _COMMANDS if area.name == "demo")
    assert set(match.group(1).split(",")) == set(demo.extras)
    assert set(_EXTRA_OF.values()) <= set(match.group(1).split(","))


def test_readme_sim_snippet_runs_without_pytest() -> None:
    """The simulator section's Python snippet runs as printed with pytest unimportable."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("from wagerkit.sim.abp.testing import run_abp_sim")
    begin = readme.rindex("```python\n", 0, start) + len("```python\n")
    snippet = readme[begin : readme.index("```", start)]
    result = _run(snippet, {"pytest", "_pytest"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("http://127.0.0.1:")
