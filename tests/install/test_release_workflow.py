"""The release workflow publishes only what it tested: every wheel artefact it builds is
installed by a test job, publishing needs every test job, runs only for a version tag and uses
trusted publishing; each platform row of the README's Install table has a build job."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW: dict[str, Any] = yaml.safe_load(
    (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
)
JOBS: dict[str, Any] = WORKFLOW["jobs"]


def _expand(name: str, row: dict[str, str]) -> str:
    """``wheels-${{ matrix.target }}`` with one matrix row's values."""
    return re.sub(r"\$\{\{ matrix\.(\w+) \}\}", lambda m: row[m[1]], name)


def _uploaded(job: dict[str, Any]) -> list[str]:
    """Artefact names a job uploads (matrix expressions expanded)."""
    names = []
    for step in job["steps"]:
        if str(step.get("uses", "")).startswith("actions/upload-artifact"):
            name: str = step["with"]["name"]
            matrix = job.get("strategy", {}).get("matrix", {})
            rows = matrix.get("include") or [{"target": t} for t in matrix.get("target", [])]
            if "${{" in name:
                for row in rows:
                    names.append(_expand(name, row))
            else:
                names.append(name)
    return names


def _downloaded(job: dict[str, Any]) -> list[str]:
    names = []
    for step in job["steps"]:
        if str(step.get("uses", "")).startswith("actions/download-artifact"):
            name: str = step["with"].get("name", "")
            matrix = job.get("strategy", {}).get("matrix", {})
            if "${{" in name:
                for row in matrix.get("platform") or matrix.get("include", []):
                    names.append(_expand(name.replace("matrix.platform.", "matrix."), row))
            elif name:
                names.append(name)
    return names


def test_every_built_wheel_is_installed_by_a_test_job() -> None:
    built = {
        n for name in ("linux", "musllinux", "macos", "windows") for n in _uploaded(JOBS[name])
    }
    assert built == {
        "wheels-manylinux-x86_64",
        "wheels-manylinux-aarch64",
        "wheels-musllinux-x86_64-unknown-linux-musl",
        "wheels-musllinux-aarch64-unknown-linux-musl",
        "wheels-macos-x86_64",
        "wheels-macos-aarch64",
        "wheels-windows-x64",
    }
    tested = set(_downloaded(JOBS["test-wheels"])) | set(_downloaded(JOBS["test-musllinux"]))
    assert built <= tested, built - tested
    assert "sdist" in _downloaded(JOBS["test-sdist"])


def test_publish_needs_every_test_and_uses_trusted_publishing_on_tags_only() -> None:
    publish = JOBS["publish"]
    assert set(publish["needs"]) == {"test-wheels", "test-musllinux", "test-sdist", "free-threaded"}
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert publish["permissions"] == {"id-token": "write"}
    assert WORKFLOW["permissions"] == {"contents": "read"}
    uses = [step.get("uses", "") for step in publish["steps"]]
    assert "pypa/gh-action-pypi-publish@release/v1" in uses
    assert not any("password" in str(step.get("with", {})) for step in publish["steps"])


def test_abi3_wheels_use_one_interpreter_and_free_threaded_checks_the_gil() -> None:
    for name in ("linux", "musllinux", "macos", "windows"):
        build = next(s for s in JOBS[name]["steps"] if "maturin-action" in s.get("uses", ""))
        assert "--release" in build["with"]["args"]
        assert "--interpreter" in build["with"]["args"]
    manylinux = next(s for s in JOBS["linux"]["steps"] if "maturin-action" in s.get("uses", ""))
    assert manylinux["with"]["manylinux"] == "2014"
    musl = next(s for s in JOBS["musllinux"]["steps"] if "maturin-action" in s.get("uses", ""))
    assert musl["with"]["manylinux"] == "musllinux_1_2"
    script = "\n".join(s.get("run", "") for s in JOBS["free-threaded"]["steps"])
    assert "sys._is_gil_enabled()" in script
    assert "PYTHON_GIL" not in script.replace("no PYTHON_GIL override", "")


def test_readme_install_table_lists_every_platform_built() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Install") : readme.index("<!-- /section:install -->")]
    for tag in (
        "manylinux_2_17_x86_64",
        "manylinux_2_17_aarch64",
        "musllinux_1_2",
        "macosx",
        "win_amd64",
        "cp314t",
        "sdist",
    ):
        assert tag in section, tag
