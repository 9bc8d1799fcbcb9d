"""Media service: relative imports in every form."""

from __future__ import annotations

import os  # stdlib stays as it is

from cpv3.modules.media.schemas import (  # the DTOs
    MediaRead,
    MediaCreate as Create,
)
from cpv3.modules.media import repository
from cpv3.modules.users.service import UserService  # another module
from .... import outside  # climbs above the package root: not fixed


def build(path: str) -> MediaRead:
    from cpv3.modules.media.models import Media  # a local import keeps its place and indentation

    return MediaRead(Media(os.path.basename(path)), Create, repository, UserService)
