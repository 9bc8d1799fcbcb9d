from __future__ import annotations

import uuid
from collections.abc import Sequence

import httpx
from fastapi import HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.infrastructure.remotion_client import (
    RemotionClient,
    RenderHandle,
    RenderRequest,
    RenderSegment,
    get_remotion_client,
)
from cpv3.infrastructure.settings import get_settings
from cpv3.infrastructure.storage import ObjectStorage, get_storage
from cpv3.modules.captions.models import CaptionRender, CaptionStyle
from cpv3.modules.captions.repository import CaptionRenderRepository, CaptionStyleRepository
from cpv3.modules.captions.schemas import (
    CaptionRenderCreate,
    CaptionRenderRead,
    CaptionStyleCreate,
    CaptionStyleRead,
    CaptionStyleUpdate,
)
from cpv3.modules.files.schemas import StoredFileCreate
from cpv3.modules.files.service import FileService
from cpv3.modules.jobs.schemas import JobCreate, JobKind, JobUpdate
from cpv3.modules.jobs.service import JobService
from cpv3.modules.media.service import MediaService
from cpv3.modules.transcription.schemas import TranscriptionDetailRead
from cpv3.modules.transcription.service import TranscriptionService

ERROR_STYLE_NOT_FOUND = "Caption style not found"
ERROR_PRESET_READ_ONLY = "Built-in caption presets cannot be changed"
ERROR_RENDER_NOT_FOUND = "Caption render not found"
ERROR_RENDER_SERVICE_UNAVAILABLE = "The render service is unavailable, please retry shortly"

JOB_KIND: JobKind = "caption_render"
RENDER_RENDERING = "rendering"
RENDER_COMPLETED = "completed"
RENDER_FAILED = "failed"
RENDER_CANCELLED = "cancelled"
RENDER_CONTENT_TYPE = "video/mp4"


class CaptionService:
    def __init__(
        self,
        session: AsyncSession,
        remotion: RemotionClient | None = None,
        storage: ObjectStorage | None = None,
    ) -> None:
        self._styles = CaptionStyleRepository(session)
        self._renders = CaptionRenderRepository(session)
        self._transcriptions = TranscriptionService(session)
        self._media = MediaService(session)
        self._jobs = JobService(session)
        self._files = FileService(session)
        self._remotion = remotion or get_remotion_client()
        self._storage = storage or get_storage()
        self._settings = get_settings()

    async def list_styles(self, owner_id: uuid.UUID) -> Sequence[CaptionStyleRead]:
        styles = await self._styles.list_for_owner(owner_id)
        return [CaptionStyleRead.model_validate(style) for style in styles]

    async def list_presets(self, limit: int, offset: int) -> Sequence[CaptionStyleRead]:
        presets = await self._styles.list_presets(limit, offset)
        return [CaptionStyleRead.model_validate(style) for style in presets]

    async def create_style(
        self, owner_id: uuid.UUID, payload: CaptionStyleCreate
    ) -> CaptionStyleRead:
        style = CaptionStyle(owner_id=owner_id, **payload.model_dump())
        return CaptionStyleRead.model_validate(await self._styles.create(style))

    async def update_style(
        self, style_id: uuid.UUID, owner_id: uuid.UUID, payload: CaptionStyleUpdate
    ) -> CaptionStyleRead:
        style = await self._get_editable_style(style_id, owner_id)
        values = payload.model_dump(exclude_unset=True)
        return CaptionStyleRead.model_validate(await self._styles.update(style, values))

    async def delete_style(self, style_id: uuid.UUID, owner_id: uuid.UUID) -> None:
        style = await self._get_editable_style(style_id, owner_id)
        await self._styles.update(style, {"is_deleted": True})

    async def start_render(
        self, owner_id: uuid.UUID, payload: CaptionRenderCreate
    ) -> CaptionRenderRead:
        """Create the job, hand the render to Remotion; its webhook reports completion."""
        transcription = await self._transcriptions.get_completed(payload.transcription_id, owner_id)
        media = await self._media.get_ready_media(
            transcription.media_id, owner_id, require_video=True
        )
        style = await self._get_visible_style(payload.style_id, owner_id)
        job = await self._jobs.create_job(JobCreate(user_id=owner_id, kind=JOB_KIND))
        render = await self._renders.create(
            CaptionRender(
                owner_id=owner_id,
                media_id=media.id,
                transcription_id=transcription.id,
                style_id=style.id,
                job_id=job.id,
            )
        )
        video_url = await self._storage.presigned_download_url(media.bucket, media.storage_key)
        handle = await self._send_to_remotion(
            self._build_render_request(render, video_url, transcription, style)
        )
        await self._jobs.start_job(job.id)
        values: dict[str, object] = {
            "remotion_render_id": handle["render_id"],
            "status": RENDER_RENDERING,
        }
        return self._to_read(await self._renders.update(render, values), style)

    async def complete_render(
        self, remotion_render_id: str, output_bucket: str, output_key: str, size_bytes: int
    ) -> CaptionRenderRead:
        """Remotion webhook: register the rendered video as a file. Safe on redelivery."""
        render = await self._get_by_remotion_id(remotion_render_id)
        if render.status == RENDER_COMPLETED:
            return CaptionRenderRead.model_validate(render)
        stored = await self._files.register_object(
            StoredFileCreate(
                owner_id=render.owner_id,
                purpose="render_output",
                bucket=output_bucket,
                storage_key=output_key,
                original_name=f"captions-{render.id}.mp4",
                content_type=RENDER_CONTENT_TYPE,
                size_bytes=size_bytes,
            )
        )
        values: dict[str, object] = {
            "status": RENDER_COMPLETED,
            "output_file_id": stored.id,
            "output_key": output_key,
        }
        render = await self._renders.update(render, values)
        await self._jobs.complete_job(render.job_id, {"output_file_id": str(stored.id)})
        return CaptionRenderRead.model_validate(render)

    async def report_render_progress(self, remotion_render_id: str, progress: int) -> None:
        render = await self._get_by_remotion_id(remotion_render_id)
        await self._jobs.report_progress(render.job_id, JobUpdate(progress=progress))

    async def fail_render(self, remotion_render_id: str, reason: str) -> CaptionRenderRead:
        render = await self._get_by_remotion_id(remotion_render_id)
        if render.status in (RENDER_COMPLETED, RENDER_FAILED, RENDER_CANCELLED):
            return CaptionRenderRead.model_validate(render)
        render = await self._renders.update(render, {"status": RENDER_FAILED})
        await self._jobs.fail_job(render.job_id, reason)
        return CaptionRenderRead.model_validate(render)

    async def get_render(self, render_id: uuid.UUID, owner_id: uuid.UUID) -> CaptionRenderRead:
        render = await self._get_owned_render(render_id, owner_id)
        return self._to_read(render, await self._styles.get_by_id(render.style_id))

    async def list_renders(
        self, owner_id: uuid.UUID, limit: int, offset: int
    ) -> Sequence[CaptionRenderRead]:
        renders = await self._renders.list_for_owner(owner_id, limit, offset)
        results: list[CaptionRenderRead] = []
        for render in renders:
            style = await self._styles.get_by_id(render.style_id)  # expect: AG405
            results.append(self._to_read(render, style))
        return results

    async def _get_visible_style(self, style_id: uuid.UUID, owner_id: uuid.UUID) -> CaptionStyle:
        style = await self._styles.get_visible(style_id, owner_id)
        if style is None:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_STYLE_NOT_FOUND)
        return style

    async def _get_editable_style(self, style_id: uuid.UUID, owner_id: uuid.UUID) -> CaptionStyle:
        style = await self._get_visible_style(style_id, owner_id)
        if style.owner_id is None:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN, detail=ERROR_PRESET_READ_ONLY
            )
        return style

    async def _get_owned_render(self, render_id: uuid.UUID, owner_id: uuid.UUID) -> CaptionRender:
        render = await self._renders.get_for_owner(render_id, owner_id)
        if render is None:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_RENDER_NOT_FOUND
            )
        return render

    async def _get_by_remotion_id(self, remotion_render_id: str) -> CaptionRender:
        render = await self._renders.get_by_remotion_id(remotion_render_id)
        if render is None:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_RENDER_NOT_FOUND
            )
        return render

    async def _send_to_remotion(self, request: RenderRequest) -> RenderHandle:
        try:
            return await self._remotion.start_render(request)
        except httpx.HTTPError as exc:
            raise HTTPException(
                status_code=status.HTTP_502_BAD_GATEWAY, detail=ERROR_RENDER_SERVICE_UNAVAILABLE
            ) from exc

    @staticmethod
    def _to_read(render: CaptionRender, style: CaptionStyle | None) -> CaptionRenderRead:
        read = CaptionRenderRead.model_validate(render)
        return read.model_copy(update={"style_name": style.name if style else None})

    def _build_render_request(  # expect: AG602
        self,
        render: CaptionRender,
        video_url: str,
        transcription: TranscriptionDetailRead,
        style: CaptionStyle,
    ) -> RenderRequest:
        """Payload of Remotion's POST /renders: the video, the timed lines and the style."""
        output_key = f"renders/{render.owner_id}/{render.id}.mp4"
        segments: list[RenderSegment] = [
            {
                "start_ms": segment.start_ms,
                "end_ms": segment.end_ms,
                "text": segment.text.upper() if style.uppercase else segment.text,
            }
            for segment in transcription.segments
        ]
        return {
            "render_key": str(render.id),
            "video_url": video_url,
            "output_bucket": self._settings.s3_renders_bucket,
            "output_key": output_key,
            "segments": segments,
            "metadata": {
                "render_id": str(render.id),
                "owner_id": str(render.owner_id),
                "media_id": str(render.media_id),
                "transcription_id": str(transcription.id),
                "language": transcription.language,
            },
            "style": {
                "font_family": style.font_family,
                "font_size": style.font_size,
                "font_weight": style.font_weight,
                "text_color": style.text_color,
                "highlight_color": style.highlight_color,
                "background_color": style.background_color,
                "position": style.position,
                "max_words_per_line": style.max_words_per_line,
                "uppercase": style.uppercase,
            },
        }
