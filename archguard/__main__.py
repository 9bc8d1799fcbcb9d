"""``python -m archguard``."""

from __future__ import annotations

from archguard.cli import run

if __name__ == "__main__":
    run()
