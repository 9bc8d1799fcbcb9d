"""Fuzzing the per-file pipeline with generated programs (hypothesmith): whatever the source,
``analyze_file`` and the project pass over it return findings, never an exception. Bounded
(a few dozen examples per strategy, no deadline) so the suite stays fast; a failure prints
the program that caused it."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from archguard.engine.analyze import analyze_file  # noqa: E402
from archguard.project.config import Config  # noqa: E402
from archguard.run.runner import check_sources  # noqa: E402
from helpers import BASE, BASE_SOURCE  # noqa: E402

# Where a file lives decides which rules look at it: every role, and a file outside modules.
PATHS = st.sampled_from([
    "cpv3/modules/media/service.py", "cpv3/modules/media/router.py",
    "cpv3/modules/media/repository.py", "cpv3/modules/media/models.py",
    "cpv3/modules/media/schemas.py", "cpv3/modules/media/__init__.py", "cpv3/core/util.py",
])
FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
CONFIG = Config(module_names=["media"])


def assert_analysed(path: str, source: str) -> None:
    result = analyze_file(path, source.encode("utf-8", "surrogatepass"), CONFIG)
    assert result.path == path
    assert all(d.path == path and d.line >= 1 and d.column >= 1 for d in result.diagnostics)
    check_sources({path: source, BASE: BASE_SOURCE}, config=CONFIG)  # the project pass too


@FUZZ
@given(path=PATHS, source=hypothesmith.from_node())
def test_generated_programs_never_escape_a_file(path: str, source: str) -> None:
    assert_analysed(path, source)


@FUZZ
@given(path=PATHS, source=hypothesmith.from_grammar())
def test_grammar_generated_programs_never_escape_a_file(path: str, source: str) -> None:
    assert_analysed(path, source)


@FUZZ
@given(path=PATHS, data=st.binary(max_size=400))
def test_arbitrary_bytes_never_escape_a_file(path: str, data: bytes) -> None:
    result = analyze_file(path, data, CONFIG)
    assert result.path == path
