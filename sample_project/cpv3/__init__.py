from __future__ import annotations

__version__ = "3.4.0"
