from __future__ import annotations

import re
import unicodedata

UNSAFE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
MAX_OBJECT_NAME_LENGTH = 120
FALLBACK_OBJECT_NAME = "upload"


def safe_object_name(file_name: str) -> str:
    """ASCII-only, S3-friendly version of a user supplied file name."""
    normalized = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode()
    cleaned = UNSAFE_CHARACTERS.sub("-", normalized).strip("-.")
    return cleaned[:MAX_OBJECT_NAME_LENGTH] or FALLBACK_OBJECT_NAME
