"""Ratio gates: time the engine and its pure-Python baseline in the same process, same way.

pytest-benchmark times the engine (its table is the record of absolute numbers). The gate
itself needs both sides measured alike, so :func:`interleaved_medians` alternates rounds of
engine and baseline calls: whatever the shared machine is doing hits both sides equally.
Each round runs enough calls to last a few milliseconds; the gate compares medians.

Gates only assert when benchmarks are enabled (``--benchmark-enable``); a normal test run
executes each benchmark once as a test, which still checks engine and baseline agree.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROUNDS = 21
"""Rounds per side; the median of 21 shrugs off a few noisy rounds."""

ROUND_SECONDS = 0.004
"""Target length of one round: long against timer resolution, short against noise."""


@dataclass(frozen=True)
class GateResult:
    """One measured comparison, as printed in the terminal summary and the README."""

    operation: str
    baseline: str
    engine_ns: float
    baseline_ns: float
    min_ratio: float | None

    @property
    def ratio(self) -> float:
        """How many times faster the engine is."""
        return self.baseline_ns / self.engine_ns

    @property
    def passed(self) -> bool:
        """True when there is no gate or the ratio clears it."""
        return self.min_ratio is None or self.ratio >= self.min_ratio


RESULTS: list[GateResult] = []
"""Every comparison measured in this session, in order."""


def _per_call(fn: Callable[[], Any], loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    return (time.perf_counter() - start) / loops


def _loops_for(fn: Callable[[], Any]) -> int:
    """Calls per round so that one round lasts about ROUND_SECONDS."""
    loops = 1
    while True:
        elapsed = _per_call(fn, loops) * loops
        if elapsed >= ROUND_SECONDS / 4:
            return max(1, round(loops * ROUND_SECONDS / elapsed))
        loops *= 4


def interleaved_medians(
    engine: Callable[[], Any], baseline: Callable[[], Any]
) -> tuple[float, float]:
    """Median seconds per call of each, from alternating rounds."""
    engine_loops, baseline_loops = _loops_for(engine), _loops_for(baseline)
    engine_times, baseline_times = [], []
    for _ in range(ROUNDS):
        engine_times.append(_per_call(engine, engine_loops))
        baseline_times.append(_per_call(baseline, baseline_loops))
    return statistics.median(engine_times), statistics.median(baseline_times)


def compare(
    benchmark: Any,
    operation: str,
    engine: Callable[[], Any],
    baseline: Callable[[], Any],
    *,
    baseline_name: str = "reference",
    min_ratio: float | None,
) -> GateResult | None:
    """Benchmark ``engine``; when timing is enabled, also gate it against ``baseline``.

    Returns the measurement (None when benchmarks are disabled, after one call of each side
    so the normal test run still exercises both).
    """
    benchmark.extra_info["operation"] = operation
    benchmark(engine)
    if not benchmark.enabled:
        baseline()
        return None
    engine_s, baseline_s = interleaved_medians(engine, baseline)
    result = GateResult(operation, baseline_name, engine_s * 1e9, baseline_s * 1e9, min_ratio)
    RESULTS.append(result)
    benchmark.extra_info.update(
        engine_median_ns=round(result.engine_ns, 1),
        baseline_median_ns=round(result.baseline_ns, 1),
        ratio=round(result.ratio, 1),
        min_ratio=min_ratio,
    )
    assert result.passed, (
        f"{operation}: engine {result.engine_ns:.0f} ns vs {baseline_name} "
        f"{result.baseline_ns:.0f} ns is {result.ratio:.1f}x, below the {min_ratio}x gate"
    )
    return result


def measure_only(
    operation: str, engine: Callable[[], Any], baseline: Callable[[], Any], baseline_name: str
) -> GateResult:
    """Measure one more baseline for the table, without a gate."""
    engine_s, baseline_s = interleaved_medians(engine, baseline)
    result = GateResult(operation, baseline_name, engine_s * 1e9, baseline_s * 1e9, None)
    RESULTS.append(result)
    return result


def _ns(value: float) -> str:
    return f"{value / 1000:.2f} µs" if value >= 1000 else f"{value:.0f} ns"


def summary_lines() -> list[str]:
    """The comparison table as markdown rows (also what the README's table shows)."""
    lines = [
        "| operation | engine (median) | baseline | baseline (median) | ratio | gate |",
        "|---|---|---|---|---|---|",
    ]
    for r in RESULTS:
        gate = "—" if r.min_ratio is None else f"≥ {r.min_ratio:g}×"
        mark = "" if r.passed else " FAIL"
        lines.append(
            f"| {r.operation} | {_ns(r.engine_ns)} | {r.baseline} | {_ns(r.baseline_ns)} "
            f"| {r.ratio:.1f}×{mark} | {gate} |"
        )
    return lines


def write_report(path: Path) -> None:
    """Save the comparisons as JSON (for filling in the README's table by hand)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{**asdict(r), "ratio": r.ratio} for r in RESULTS]
    path.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
