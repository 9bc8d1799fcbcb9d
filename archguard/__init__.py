"""archguard: architecture conformance checker for cpv3-style FastAPI backends."""

from __future__ import annotations

__version__ = "0.1.0"
