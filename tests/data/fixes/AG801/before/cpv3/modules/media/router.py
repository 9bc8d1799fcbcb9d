# A leading comment, then a blank line.

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cpv3.modules.media.schemas import MediaRead


def name(media: "MediaRead") -> str:
    return os.path.basename(str(media))
