"""Shared fixtures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Every semgrep start costs about a second: the suite checks without the semgrep engine
# except where a test turns it on (semgrep_env(), tests/test_semgrep_engine.py).
os.environ["ARCHGUARD_NO_SEMGREP"] = "1"

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_project"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def sample_project() -> Path:
    return SAMPLE


def semgrep_env() -> dict[str, str]:
    """The environment for a subprocess that must run the semgrep engine."""
    return {key: value for key, value in os.environ.items() if key != "ARCHGUARD_NO_SEMGREP"}
