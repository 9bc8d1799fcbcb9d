from __future__ import annotations

from cpv3.modules.media.schemas import MediaRead
from cpv3.modules.media.service import MediaService

__all__ = ["MediaRead", "MediaService"]
