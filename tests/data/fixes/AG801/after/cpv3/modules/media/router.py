# A leading comment, then a blank line.

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cpv3.modules.media.schemas import MediaRead


def name(media: "MediaRead") -> str:
    return os.path.basename(str(media))
