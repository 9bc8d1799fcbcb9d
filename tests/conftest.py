"""Shared fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_project"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def sample_project() -> Path:
    return SAMPLE
