from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.infrastructure.settings import get_settings
from cpv3.infrastructure.storage import ObjectStorage, get_storage
from cpv3.modules.media.models import Media
from cpv3.modules.media.repository import MediaRepository
from cpv3.modules.media.schemas import (
    MediaDownloadRead,
    MediaKind,
    MediaUpdate,
    MediaUploadCreate,
    MediaUploadRead,
)
from cpv3.modules.media.utils import safe_object_name
from cpv3.modules.projects.service import ProjectService
from cpv3.modules.tasks.service import TaskService

from .schemas import MediaRead  # expect: AG201

ERROR_MEDIA_NOT_FOUND = "Media not found"
ERROR_UNSUPPORTED_MEDIA_TYPE = "Only video and audio uploads are supported"
ERROR_MEDIA_TOO_LARGE = "The file is larger than allowed for its media type"
ERROR_UPLOAD_MISSING = "The uploaded file was not found in storage"
ERROR_MEDIA_NOT_READY = "The media upload has not been completed yet"
ERROR_VIDEO_REQUIRED = "This operation needs a video, not an audio file"

VIDEO_EXTENSIONS = frozenset({"mp4", "mov", "webm", "mkv"})
AUDIO_EXTENSIONS = frozenset({"mp3", "wav", "m4a", "ogg", "flac"})
GENERIC_CONTENT_TYPE = "application/octet-stream"
MAX_VIDEO_BYTES = 4 * 1024**3
MAX_AUDIO_BYTES = 500 * 1024**2
STATUS_READY = "ready"


class MediaService:
    def __init__(self, session: AsyncSession, storage: ObjectStorage | None = None) -> None:
        self._media = MediaRepository(session)
        self._projects = ProjectService(session)
        self._tasks = TaskService(session)
        self._storage = storage or get_storage()
        self._settings = get_settings()

    async def create_upload(
        self, owner_id: uuid.UUID, payload: MediaUploadCreate
    ) -> MediaUploadRead:
        """Create a pending media row and a presigned URL the browser uploads to."""
        kind = self._classify_upload(payload)
        await self._projects.require_active_project(payload.project_id, owner_id)
        bucket = self._settings.s3_media_bucket
        key = f"media/{payload.project_id}/{uuid.uuid4()}/{safe_object_name(payload.file_name)}"
        media = await self._media.create(
            Media(
                project_id=payload.project_id,
                owner_id=owner_id,
                kind=kind.value,
                title=payload.title,
                bucket=bucket,
                storage_key=key,
                content_type=payload.content_type,
            )
        )
        upload_url = await self._storage.presigned_upload_url(bucket, key, payload.content_type)
        return MediaUploadRead(
            media=MediaRead.model_validate(media),
            upload_url=upload_url,
            expires_in=self._settings.presigned_url_ttl_seconds,
        )

    async def complete_upload(self, media_id: uuid.UUID, owner_id: uuid.UUID) -> MediaRead:
        """Confirm the browser finished the PUT; idempotent."""
        media = await self._get_owned(media_id, owner_id)
        if media.status == STATUS_READY:
            return MediaRead.model_validate(media)
        stored = await self._storage.head_object(media.bucket, media.storage_key)
        if stored is None:
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=ERROR_UPLOAD_MISSING)
        values: dict[str, object] = {"status": STATUS_READY, "size_bytes": stored.size_bytes}
        return MediaRead.model_validate(await self._media.update(media, values))

    async def get_media(self, media_id: uuid.UUID, owner_id: uuid.UUID) -> MediaRead:
        return MediaRead.model_validate(await self._get_owned(media_id, owner_id))

    async def get_ready_media(
        self, media_id: uuid.UUID, owner_id: uuid.UUID, require_video: bool = False
    ) -> MediaRead:
        """Media other modules may process: uploaded, and a video when they need frames."""
        media = await self._get_owned(media_id, owner_id)
        if media.status != STATUS_READY:
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=ERROR_MEDIA_NOT_READY)
        if require_video and media.kind != MediaKind.VIDEO.value:
            raise HTTPException(
                status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, detail=ERROR_VIDEO_REQUIRED
            )
        return MediaRead.model_validate(media)

    async def get_download_url(self, media_id: uuid.UUID, owner_id: uuid.UUID) -> MediaDownloadRead:
        media = await self.get_ready_media(media_id, owner_id)
        url = await self._storage.presigned_download_url(media.bucket, media.storage_key)
        return MediaDownloadRead(
            media_id=media.id, download_url=url, expires_in=self._settings.presigned_url_ttl_seconds
        )

    async def list_project_media(
        self, project_id: uuid.UUID, owner_id: uuid.UUID, limit: int, offset: int
    ) -> Sequence[MediaRead]:
        await self._projects.get_project(project_id, owner_id)
        items = await self._media.list_for_project(project_id, owner_id, limit, offset)
        return [MediaRead.model_validate(item) for item in items]

    async def update_media(
        self, media_id: uuid.UUID, owner_id: uuid.UUID, payload: MediaUpdate
    ) -> MediaRead:
        media = await self._get_owned(media_id, owner_id)
        values = payload.model_dump(exclude_unset=True)
        return MediaRead.model_validate(await self._media.update(media, values))

    async def delete_media(self, media_id: uuid.UUID, owner_id: uuid.UUID) -> None:
        """Soft-delete the row now; the S3 object is purged by a background task."""
        media = await self._get_owned(media_id, owner_id)
        await self._media.soft_delete(media)
        await self._tasks.enqueue_storage_purge(media.bucket, [media.storage_key])

    async def _get_owned(self, media_id: uuid.UUID, owner_id: uuid.UUID) -> Media:
        media = await self._media.get_for_owner(media_id, owner_id)
        if media is None:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_MEDIA_NOT_FOUND)
        return media

    @staticmethod
    def _classify_upload(payload: MediaUploadCreate) -> MediaKind:  # expect: AG601
        """Decide video or audio from the declared type and the extension; reject the rest."""
        content_type = payload.content_type.lower()
        name = payload.file_name.lower()
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        generic = content_type == GENERIC_CONTENT_TYPE
        if content_type.startswith("video/") and extension in VIDEO_EXTENSIONS:
            kind = MediaKind.VIDEO
        elif content_type.startswith("audio/") and extension in AUDIO_EXTENSIONS:
            kind = MediaKind.AUDIO
        elif generic and extension in VIDEO_EXTENSIONS:
            kind = MediaKind.VIDEO
        elif generic and extension in AUDIO_EXTENSIONS:
            kind = MediaKind.AUDIO
        else:
            raise HTTPException(
                status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=ERROR_UNSUPPORTED_MEDIA_TYPE,
            )
        size_limit = MAX_VIDEO_BYTES if kind is MediaKind.VIDEO else MAX_AUDIO_BYTES
        if payload.size_bytes > size_limit:
            raise HTTPException(
                status_code=status.HTTP_413_CONTENT_TOO_LARGE, detail=ERROR_MEDIA_TOO_LARGE
            )
        return kind
