from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from cpv3.db.base import not_deleted
from cpv3.modules.jobs.service import TERMINAL_JOB_STATUSES  # expect: AG204
from cpv3.modules.transcription.models import Transcription, TranscriptSegment


class TranscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_for_owner(
        self, transcription_id: uuid.UUID, owner_id: uuid.UUID
    ) -> Transcription | None:
        stmt = select(Transcription).where(
            Transcription.id == transcription_id,
            Transcription.owner_id == owner_id,
            not_deleted(Transcription),
        )
        return await self._session.scalar(stmt)

    async def get_with_segments(
        self, transcription_id: uuid.UUID, owner_id: uuid.UUID
    ) -> Transcription | None:
        """Transcription and its live segments in two round trips, never one per segment."""
        stmt = (
            select(Transcription)
            .options(selectinload(Transcription.segments.and_(not_deleted(TranscriptSegment))))
            .where(
                Transcription.id == transcription_id,
                Transcription.owner_id == owner_id,
                not_deleted(Transcription),
            )
        )
        return await self._session.scalar(stmt)

    async def page_for_media(  # expect: AG403
        self, media_id: uuid.UUID, owner_id: uuid.UUID, limit: int, offset: int
    ) -> tuple[Sequence[Transcription], int]:
        conditions = (
            Transcription.media_id == media_id,
            Transcription.owner_id == owner_id,
            not_deleted(Transcription),
        )
        total = await self._session.scalar(
            select(func.count()).select_from(Transcription).where(*conditions)
        )
        stmt = select(Transcription).where(*conditions).order_by(Transcription.created_at.desc())
        result = await self._session.scalars(stmt.limit(limit).offset(offset))
        return result.all(), total or 0

    async def has_active_for_media(self, media_id: uuid.UUID, language: str) -> bool:
        stmt = (
            select(func.count())
            .select_from(Transcription)
            .where(
                Transcription.media_id == media_id,
                Transcription.language == language,
                Transcription.status.not_in(TERMINAL_JOB_STATUSES),
                not_deleted(Transcription),
            )
        )
        return bool(await self._session.scalar(stmt))

    async def create(self, transcription: Transcription) -> Transcription:
        self._session.add(transcription)
        await self._session.flush()
        return transcription

    async def update(
        self, transcription: Transcription, values: dict[str, object]
    ) -> Transcription:
        for field, value in values.items():
            setattr(transcription, field, value)
        await self._session.flush()
        return transcription


class TranscriptSegmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_in_transcription(
        self, segment_id: uuid.UUID, transcription_id: uuid.UUID
    ) -> TranscriptSegment | None:
        stmt = select(TranscriptSegment).where(
            TranscriptSegment.id == segment_id,
            TranscriptSegment.transcription_id == transcription_id,
            not_deleted(TranscriptSegment),
        )
        return await self._session.scalar(stmt)

    async def add_many(self, segments: Sequence[TranscriptSegment]) -> None:
        """Insert all segments in one flush (executemany), not one INSERT round trip each."""
        self._session.add_all(segments)
        await self._session.flush()

    async def update(
        self, segment: TranscriptSegment, values: dict[str, object]
    ) -> TranscriptSegment:
        for field, value in values.items():
            setattr(segment, field, value)
        await self._session.flush()
        return segment
