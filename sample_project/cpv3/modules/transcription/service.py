from __future__ import annotations

import uuid

from fastapi import HTTPException, status
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import utcnow
from cpv3.modules.jobs.schemas import JobCreate, JobKind
from cpv3.modules.jobs.service import JobService
from cpv3.modules.media.service import MediaService
from cpv3.modules.tasks.service import TaskService
from cpv3.modules.transcription.models import Transcription, TranscriptSegment
from cpv3.modules.transcription.repository import (
    TranscriptionRepository,
    TranscriptSegmentRepository,
)
from cpv3.modules.transcription.schemas import (
    SubtitleExport,
    SubtitleFormat,
    TranscriptionCreate,
    TranscriptionDetailRead,
    TranscriptionPageRead,
    TranscriptionRead,
    TranscriptSegmentCreate,
    TranscriptSegmentRead,
    TranscriptSegmentUpdate,
)

ERROR_TRANSCRIPTION_NOT_FOUND = "Transcription not found"
ERROR_TRANSCRIPTION_RUNNING = "A transcription in this language is already in progress"
ERROR_TRANSCRIPTION_NOT_READY = "The transcription has not finished yet"
ERROR_SEGMENT_NOT_FOUND = "Transcript segment not found"
ERROR_MALFORMED_RESULT = "The transcription worker returned an unreadable result"

STATUS_COMPLETED = "completed"
MS_PER_HOUR = 3_600_000
MS_PER_MINUTE = 60_000
MS_PER_SECOND = 1000
VTT_HEADER = "WEBVTT"
JOB_KIND: JobKind = "transcription"
WORKER_SEGMENTS = TypeAdapter(list[TranscriptSegmentCreate])


def format_timestamp(total_ms: int, separator: str) -> str:
    """`HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT) for a position in milliseconds."""
    hours, rest = divmod(total_ms, MS_PER_HOUR)
    minutes, rest = divmod(rest, MS_PER_MINUTE)
    seconds, millis = divmod(rest, MS_PER_SECOND)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


class TranscriptionService:
    def __init__(self, session: AsyncSession) -> None:
        self._transcriptions = TranscriptionRepository(session)
        self._segments = TranscriptSegmentRepository(session)
        self._media = MediaService(session)
        self._jobs = JobService(session)
        self._tasks = TaskService(session)

    async def start_transcription(
        self, owner_id: uuid.UUID, payload: TranscriptionCreate
    ) -> TranscriptionRead:
        """Create the job and the transcription row, then hand the work to a worker."""
        media = await self._media.get_ready_media(payload.media_id, owner_id)
        if await self._transcriptions.has_active_for_media(media.id, payload.language):
            raise HTTPException(
                status_code=status.HTTP_409_CONFLICT, detail=ERROR_TRANSCRIPTION_RUNNING
            )
        job = await self._jobs.create_job(JobCreate(user_id=owner_id, kind=JOB_KIND))
        transcription = await self._transcriptions.create(
            Transcription(
                media_id=media.id, owner_id=owner_id, job_id=job.id, language=payload.language
            )
        )
        await self._tasks.enqueue_transcription(
            job.id, media.bucket, media.storage_key, payload.language
        )
        return TranscriptionRead.model_validate(transcription)

    async def finalize(
        self, transcription_id: uuid.UUID, owner_id: uuid.UUID
    ) -> TranscriptionDetailRead:
        """Copy a finished job's segments into rows. Idempotent: the UI calls it on
        every `job.updated` event it receives for the transcription's job."""
        transcription = await self._get_owned(transcription_id, owner_id)
        if transcription.status == STATUS_COMPLETED or transcription.job_id is None:
            return await self.get_detail(transcription_id, owner_id)
        job = await self._jobs.get_job_result(transcription.job_id)
        if job.status != STATUS_COMPLETED:
            await self._transcriptions.update(transcription, {"status": job.status})
            return await self.get_detail(transcription_id, owner_id)
        segments = self._segments_from_result(transcription.id, job.result)
        await self._segments.add_many(segments)
        values: dict[str, object] = {
            "status": STATUS_COMPLETED,
            "word_count": sum(len(segment.text.split()) for segment in segments),
            "completed_at": utcnow(),
        }
        await self._transcriptions.update(transcription, values)
        return await self.get_detail(transcription_id, owner_id)

    async def get_detail(
        self, transcription_id: uuid.UUID, owner_id: uuid.UUID
    ) -> TranscriptionDetailRead:
        transcription = await self._transcriptions.get_with_segments(transcription_id, owner_id)
        if transcription is None:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_TRANSCRIPTION_NOT_FOUND
            )
        return TranscriptionDetailRead.model_validate(transcription)

    async def get_completed(
        self, transcription_id: uuid.UUID, owner_id: uuid.UUID
    ) -> TranscriptionDetailRead:
        """For caption rendering: the transcription must be finalized."""
        detail = await self.get_detail(transcription_id, owner_id)
        if detail.status != STATUS_COMPLETED:
            raise HTTPException(
                status_code=status.HTTP_409_CONFLICT, detail=ERROR_TRANSCRIPTION_NOT_READY
            )
        return detail

    async def export_subtitles(
        self, transcription_id: uuid.UUID, owner_id: uuid.UUID, subtitle_format: SubtitleFormat
    ) -> SubtitleExport:
        """SRT or WebVTT text of a finalized transcription, for download in the editor."""
        detail = await self.get_completed(transcription_id, owner_id)
        separator = "," if subtitle_format == "srt" else "."
        cues = [
            f"{index}\n{format_timestamp(segment.start_ms, separator)} --> "
            f"{format_timestamp(segment.end_ms, separator)}\n{segment.text}\n"
            for index, segment in enumerate(detail.segments, start=1)
        ]
        if subtitle_format == "vtt":
            cues.insert(0, f"{VTT_HEADER}\n")
        return SubtitleExport(
            transcription_id=detail.id,
            format=subtitle_format,
            file_name=f"transcription-{detail.id}.{subtitle_format}",
            content="\n".join(cues),
        )

    async def list_for_media(
        self, media_id: uuid.UUID, owner_id: uuid.UUID, limit: int, offset: int
    ) -> TranscriptionPageRead:
        await self._media.get_media(media_id, owner_id)
        items, total = await self._transcriptions.page_for_media(media_id, owner_id, limit, offset)
        return TranscriptionPageRead(
            items=[TranscriptionRead.model_validate(item) for item in items], total=total
        )

    async def update_segment(
        self,
        transcription_id: uuid.UUID,
        segment_id: uuid.UUID,
        owner_id: uuid.UUID,
        payload: TranscriptSegmentUpdate,
    ) -> TranscriptSegmentRead:
        await self._get_owned(transcription_id, owner_id)
        segment = await self._segments.get_in_transcription(segment_id, transcription_id)
        if segment is None:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_SEGMENT_NOT_FOUND
            )
        values = payload.model_dump(exclude_unset=True)
        return TranscriptSegmentRead.model_validate(await self._segments.update(segment, values))

    async def _get_owned(self, transcription_id: uuid.UUID, owner_id: uuid.UUID) -> Transcription:
        transcription = await self._transcriptions.get_for_owner(transcription_id, owner_id)
        if transcription is None:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_TRANSCRIPTION_NOT_FOUND
            )
        return transcription

    @staticmethod
    def _segments_from_result(
        transcription_id: uuid.UUID, result: dict[str, object] | None
    ) -> list[TranscriptSegment]:
        try:
            parsed = WORKER_SEGMENTS.validate_python((result or {}).get("segments"))
        except ValidationError as exc:
            raise HTTPException(
                status_code=status.HTTP_502_BAD_GATEWAY, detail=ERROR_MALFORMED_RESULT
            ) from exc
        return [
            TranscriptSegment(
                transcription_id=transcription_id,
                position=position,
                start_ms=item.start_ms,
                end_ms=item.end_ms,
                text=item.text,
            )
            for position, item in enumerate(parsed)
        ]
