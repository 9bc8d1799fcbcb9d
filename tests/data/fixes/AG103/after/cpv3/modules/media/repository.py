"""Data access of the media module: the only code that queries its tables."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class MediaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
