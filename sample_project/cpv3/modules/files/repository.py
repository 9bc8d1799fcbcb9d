from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import not_deleted
from cpv3.modules.files.models import StoredFile


class StoredFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_for_owner(self, file_id: uuid.UUID, owner_id: uuid.UUID) -> StoredFile | None:
        stmt = select(StoredFile).where(
            StoredFile.id == file_id, StoredFile.owner_id == owner_id, not_deleted(StoredFile)
        )
        return await self._session.scalar(stmt)

    async def get_by_storage_key(self, storage_key: str) -> StoredFile | None:
        stmt = select(StoredFile).where(
            StoredFile.storage_key == storage_key, not_deleted(StoredFile)
        )
        return await self._session.scalar(stmt)

    async def list_for_owner(
        self, owner_id: uuid.UUID, project_id: uuid.UUID | None, limit: int, offset: int
    ) -> Sequence[StoredFile]:
        stmt = select(StoredFile).where(StoredFile.owner_id == owner_id, not_deleted(StoredFile))
        if project_id is not None:
            stmt = stmt.where(StoredFile.project_id == project_id)
        stmt = stmt.order_by(StoredFile.created_at.desc()).limit(limit).offset(offset)
        result = await self._session.scalars(stmt)
        return result.all()

    async def create(self, stored_file: StoredFile) -> StoredFile:
        self._session.add(stored_file)
        await self._session.flush()
        return stored_file

    async def update(self, stored_file: StoredFile, values: dict[str, object]) -> StoredFile:
        for field, value in values.items():
            setattr(stored_file, field, value)
        await self._session.flush()
        return stored_file

    async def soft_delete(self, stored_file: StoredFile) -> None:
        stored_file.is_deleted = True
        await self._session.flush()
