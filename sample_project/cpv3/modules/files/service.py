from __future__ import annotations

import hashlib
import uuid

import anyio.to_thread
from fastapi import HTTPException, UploadFile, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.infrastructure.settings import get_settings
from cpv3.infrastructure.storage import ObjectStorage, get_storage
from cpv3.modules.files.models import StoredFile
from cpv3.modules.files.repository import StoredFileRepository
from cpv3.modules.files.schemas import (
    FilePurpose,
    StoredFileCreate,
    StoredFileDownloadRead,
    StoredFileRead,
    StoredFileUpdate,
)
from cpv3.modules.projects.service import ProjectService
from cpv3.modules.tasks.service import TaskService

ERROR_FILE_NOT_FOUND = "File not found"
ERROR_FILE_TYPE_NOT_ALLOWED = "This file type is not accepted for the chosen purpose"
UPLOAD_TOO_LARGE = "The file exceeds the maximum upload size"

MAX_UPLOAD_BYTES = 20 * 1024**2
DEFAULT_CONTENT_TYPE = "application/octet-stream"
ALLOWED_CONTENT_TYPES: dict[str, frozenset[str]] = {
    "font": frozenset({"font/ttf", "font/otf", "font/woff", "font/woff2"}),
    "logo": frozenset({"image/png", "image/svg+xml", "image/webp"}),
    "subtitle_export": frozenset({"text/vtt", "application/x-subrip"}),
}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileService:
    def __init__(self, session: AsyncSession, storage: ObjectStorage | None = None) -> None:
        self._files = StoredFileRepository(session)
        self._projects = ProjectService(session)
        self._tasks = TaskService(session)
        self._storage = storage or get_storage()
        self._settings = get_settings()

    async def upload(
        self,
        owner_id: uuid.UUID,
        purpose: FilePurpose,
        project_id: uuid.UUID | None,
        upload: UploadFile,
    ) -> StoredFileRead:
        """Small user uploads go through the API; large media use presigned URLs instead."""
        content_type = self._checked_content_type(purpose, upload)
        if project_id is not None:
            await self._projects.require_active_project(project_id, owner_id)
        data = await upload.read()
        bucket = self._settings.s3_files_bucket
        key = f"files/{owner_id}/{purpose}/{uuid.uuid4()}"
        await self._storage.upload_bytes(bucket, key, data, content_type)
        checksum = await anyio.to_thread.run_sync(sha256_hex, data)
        stored = StoredFile(
            owner_id=owner_id,
            project_id=project_id,
            purpose=purpose,
            bucket=bucket,
            storage_key=key,
            original_name=upload.filename or key.rsplit("/", 1)[-1],
            content_type=content_type,
            size_bytes=len(data),
            checksum_sha256=checksum,
        )
        return StoredFileRead.model_validate(await self._files.create(stored))

    async def register_object(self, payload: StoredFileCreate) -> StoredFileRead:
        """Record an object some other component already wrote to S3; idempotent per key."""
        existing = await self._files.get_by_storage_key(payload.storage_key)
        if existing is not None:
            return StoredFileRead.model_validate(existing)
        created = await self._files.create(StoredFile(**payload.model_dump()))
        return StoredFileRead.model_validate(created)

    async def get_download_url(
        self, file_id: uuid.UUID, owner_id: uuid.UUID
    ) -> StoredFileDownloadRead:
        stored = await self._get_owned(file_id, owner_id)
        url = await self._storage.presigned_download_url(stored.bucket, stored.storage_key)
        return StoredFileDownloadRead(
            file_id=stored.id, download_url=url, expires_in=self._settings.presigned_url_ttl_seconds
        )

    async def update_file(
        self, file_id: uuid.UUID, owner_id: uuid.UUID, payload: StoredFileUpdate
    ) -> StoredFileRead:
        stored = await self._get_owned(file_id, owner_id)
        values = payload.model_dump(exclude_unset=True)
        if payload.project_id is not None:
            await self._projects.require_active_project(payload.project_id, owner_id)
        return StoredFileRead.model_validate(await self._files.update(stored, values))

    async def delete_file(self, file_id: uuid.UUID, owner_id: uuid.UUID) -> None:
        stored = await self._get_owned(file_id, owner_id)
        await self._files.soft_delete(stored)
        await self._tasks.enqueue_storage_purge(stored.bucket, [stored.storage_key])

    @staticmethod
    def _checked_content_type(purpose: FilePurpose, upload: UploadFile) -> str:
        content_type = upload.content_type or DEFAULT_CONTENT_TYPE
        if content_type not in ALLOWED_CONTENT_TYPES.get(purpose, frozenset()):
            raise HTTPException(
                status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=ERROR_FILE_TYPE_NOT_ALLOWED,
            )
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise HTTPException(status_code=413, detail=UPLOAD_TOO_LARGE)  # expect: AG502
        return content_type

    async def _get_owned(self, file_id: uuid.UUID, owner_id: uuid.UUID) -> StoredFile:
        stored = await self._files.get_for_owner(file_id, owner_id)
        if stored is None:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_FILE_NOT_FOUND)
        return stored
