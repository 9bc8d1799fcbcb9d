from __future__ import annotations

from cpv3.modules.transcription.service import TranscriptionService

__all__ = ["TranscriptionService"]
