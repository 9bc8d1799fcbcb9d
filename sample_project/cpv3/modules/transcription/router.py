from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import PaginationParams, get_pagination
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, get_current_user
from cpv3.modules.transcription.schemas import (
    SubtitleExport,
    SubtitleFormat,
    TranscriptionCreate,
    TranscriptionDetailRead,
    TranscriptionPageRead,
    TranscriptionRead,
    TranscriptSegmentRead,
    TranscriptSegmentUpdate,
)
from cpv3.modules.transcription.service import TranscriptionService

router = APIRouter()


@router.post("", response_model=TranscriptionRead, status_code=status.HTTP_202_ACCEPTED)
async def start_transcription(
    payload: TranscriptionCreate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> TranscriptionRead:
    return await TranscriptionService(db).start_transcription(current_user.id, payload)


@router.get("", response_model=TranscriptionPageRead)
async def list_media_transcriptions(
    media_id: uuid.UUID = Query(...),
    pagination: PaginationParams = Depends(get_pagination),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> TranscriptionPageRead:
    return await TranscriptionService(db).list_for_media(
        media_id, current_user.id, pagination.limit, pagination.offset
    )


@router.get("/{transcription_id}", response_model=TranscriptionDetailRead)
async def read_transcription(
    transcription_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> TranscriptionDetailRead:
    return await TranscriptionService(db).get_detail(transcription_id, current_user.id)


@router.get("/{transcription_id}/export", response_model=SubtitleExport)
async def export_transcription_subtitles(
    transcription_id: uuid.UUID,
    subtitle_format: SubtitleFormat = Query("srt", alias="format"),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> SubtitleExport:
    return await TranscriptionService(db).export_subtitles(
        transcription_id, current_user.id, subtitle_format
    )


@router.post("/{transcription_id}/finalize", response_model=TranscriptionDetailRead)
async def finalize_transcription(
    transcription_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> TranscriptionDetailRead:
    return await TranscriptionService(db).finalize(transcription_id, current_user.id)


@router.patch("/{transcription_id}/segments/{segment_id}", response_model=TranscriptSegmentRead)
async def update_transcript_segment(
    transcription_id: uuid.UUID,
    segment_id: uuid.UUID,
    payload: TranscriptSegmentUpdate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> TranscriptSegmentRead:
    return await TranscriptionService(db).update_segment(
        transcription_id, segment_id, current_user.id, payload
    )
