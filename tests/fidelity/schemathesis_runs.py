"""Shared pieces of the schemathesis runs: settings, excluded checks, the documented-status
check with its allow-list.

Every run is deterministic (``derandomize=True``: the examples follow from the test's name, a
fixed seed) and bounded (``max_examples`` per operation), so all of them together take about a
minute on two cores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance, status_code_conformance

#: Generated examples per operation (positive and negative mixed; the issue measured with 50).
MAX_EXAMPLES = 50

FIDELITY_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

#: Checks run by hand or not at all (every other built-in check runs):
#: - status_code_conformance: run below by :func:`assert_documented_status`, with the explicit
#:   allow-list of statuses the venue really sends but its spec omits.
#: - positive_data_acceptance: it wants every schema-valid request answered 2xx, but a valid
#:   request can name an id, teaser or ``since`` token the venue does not know; Pinnacle and
#:   Odds88 answer those with their documented 400 error (the spec lists it per operation), and
#:   status_code_conformance plus response_schema_conformance still check that answer's shape.
EXCLUDED_CHECKS = [status_code_conformance, positive_data_acceptance]


def configure(schema: Any) -> Any:
    """Deterministic generation, without unknown query parameters or headers in negative
    cases: every web server (and every venue) ignores parameters it does not know, so an extra
    one does not make a request invalid."""
    schema.config.generation.update(allow_extra_parameters=False, deterministic=True)
    return schema


def assert_documented_status(case: Any, status: int, allowed: Mapping[str, frozenset[int]]) -> None:
    """The answer's status is one the spec documents for the operation, or one the venue
    sends that the spec omits (``allowed``: operation label, or ``"*"`` for all)."""
    if case.method.upper() != case.operation.method.upper():
        return  # a wrong-method probe (405): the unsupported_method check judges it
    documented = {str(code) for code in case.operation.definition.raw.get("responses", {})}
    if str(status) in documented or "default" in documented:
        return
    if f"{str(status)[0]}XX" in documented:
        return
    extra = allowed.get(case.operation.label, frozenset()) | allowed.get("*", frozenset())
    assert status in extra, (
        f"{case.operation.label}: undocumented status {status} (documented: {sorted(documented)})"
    )
