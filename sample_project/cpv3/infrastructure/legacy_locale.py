from __future__ import annotations

# Display labels of the legacy v2 export screens, keyed by locale code.
LEGACY_LOCALE_LABELS = {
    "de": "Deutsch",
    "fr": "Français",
    "en": "English",
}


def legacy_label(code: str) -> str:
    """Label of a v2 locale code, falling back to the code itself."""
    return LEGACY_LOCALE_LABELS.get(code, code)
