"""Media service: relative imports in every form."""

from __future__ import annotations

import os  # stdlib stays as it is

from .schemas import (  # the DTOs
    MediaRead,
    MediaCreate as Create,
)
from . import repository
from ..users.service import UserService  # another module
from .... import outside  # climbs above the package root: not fixed


def build(path: str) -> MediaRead:
    from .models import Media  # a local import keeps its place and indentation

    return MediaRead(Media(os.path.basename(path)), Create, repository, UserService)
