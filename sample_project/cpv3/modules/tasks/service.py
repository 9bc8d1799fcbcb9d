from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Sequence
from functools import lru_cache, partial
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
import dramatiq
from dramatiq import Message
from dramatiq.middleware import CurrentMessage
from fastapi import HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import utcnow
from cpv3.db.session import engine, worker_session
from cpv3.infrastructure.broker import broker
from cpv3.infrastructure.settings import get_settings
from cpv3.infrastructure.storage import get_storage
from cpv3.modules.jobs.service import JobService
from cpv3.modules.tasks.models import TaskRun
from cpv3.modules.tasks.repository import TaskRunRepository
from cpv3.modules.tasks.schemas import TaskRunCreate, TaskRunRead

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

logger = logging.getLogger(__name__)

ERROR_TASK_RUN_NOT_FOUND = "Task run not found"
ERROR_MESSAGE_WITHOUT_JOB = "Failed message carries no job id"
ERROR_TRANSCRIPTION_FAILED = "Transcription failed after several attempts"

TRANSCRIPTION_QUEUE = "transcription"
STORAGE_QUEUE = "storage"
MAINTENANCE_QUEUE = "maintenance"
TRANSCRIPTION_TIME_LIMIT_MS = 30 * 60 * 1000
PURGE_TIME_LIMIT_MS = 2 * 60 * 1000
CALLBACK_TIME_LIMIT_MS = 30 * 1000
MS_PER_SECOND = 1000
RUN_RUNNING = "running"
RUN_SUCCEEDED = "succeeded"
RUN_FAILED = "failed"


class TaskService:
    """Enqueues Dramatiq messages and keeps the `task_runs` audit trail."""

    def __init__(self, session: AsyncSession) -> None:
        self._runs = TaskRunRepository(session)

    async def enqueue_transcription(
        self, job_id: uuid.UUID, bucket: str, storage_key: str, language: str
    ) -> TaskRunRead:
        send = partial(
            transcribe_media.send_with_options,
            args=(str(job_id), bucket, storage_key, language),
            on_failure=mark_job_failed,
        )
        message = await anyio.to_thread.run_sync(send)
        return await self._record(message, job_id)

    async def enqueue_storage_purge(self, bucket: str, keys: list[str]) -> TaskRunRead:
        message = await anyio.to_thread.run_sync(purge_storage_objects.send, bucket, keys)
        return await self._record(message, None)

    async def list_runs(
        self, actor_name: str | None, limit: int, offset: int
    ) -> Sequence[TaskRunRead]:
        runs = await self._runs.list_page(actor_name, limit, offset)
        return [TaskRunRead.model_validate(run) for run in runs]

    async def get_run(self, run_id: uuid.UUID) -> TaskRunRead:
        run = await self._runs.get_by_id(run_id)
        if run is None:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_TASK_RUN_NOT_FOUND
            )
        return TaskRunRead.model_validate(run)

    async def record_attempt(self, message_id: str) -> None:
        run = await self._runs.get_by_message_id(message_id)
        if run is not None:
            await self._runs.update(run, {"status": RUN_RUNNING, "attempts": run.attempts + 1})

    async def finish_run(self, message_id: str, run_status: str) -> None:
        run = await self._runs.get_by_message_id(message_id)
        if run is not None:
            await self._runs.update(run, {"status": run_status, "finished_at": utcnow()})

    async def _record(self, message: Message[None], job_id: uuid.UUID | None) -> TaskRunRead:
        payload = TaskRunCreate(
            message_id=message.message_id,
            actor_name=message.actor_name,
            queue_name=message.queue_name,
            job_id=job_id,
        )
        run = await self._runs.create(TaskRun(**payload.model_dump()))
        return TaskRunRead.model_validate(run)


def _current_message_id() -> str:
    message = CurrentMessage.get_current_message()
    return message.message_id if message is not None else ""


@lru_cache(maxsize=1)
def _load_speech_model() -> WhisperModel:
    import faster_whisper  # heavy import: only worker processes ever load the model

    settings = get_settings()
    return faster_whisper.WhisperModel(
        settings.whisper_model,
        device=settings.whisper_device,
        compute_type=settings.whisper_compute_type,
    )


def _run_speech_model(audio: bytes, language: str) -> list[dict[str, object]]:
    """CPU-bound Whisper inference; always called through `anyio.to_thread.run_sync`."""
    segments, _info = _load_speech_model().transcribe(
        io.BytesIO(audio), language=language, vad_filter=True
    )
    return [
        {
            "start_ms": round(segment.start * MS_PER_SECOND),
            "end_ms": round(segment.end * MS_PER_SECOND),
            "text": segment.text.strip(),
        }
        for segment in segments
    ]


async def _transcribe_media(
    job_id: uuid.UUID, bucket: str, storage_key: str, language: str
) -> None:
    message_id = _current_message_id()
    async with worker_session() as session:
        await TaskService(session).record_attempt(message_id)
        if not await JobService(session).start_job(job_id):
            return
    audio = await get_storage().download_bytes(bucket, storage_key)
    segments = await anyio.to_thread.run_sync(_run_speech_model, audio, language)
    async with worker_session() as session:
        result: dict[str, object] = {"language": language, "segments": segments}
        await JobService(session).complete_job(job_id, result)
        await TaskService(session).finish_run(message_id, RUN_SUCCEEDED)


async def _mark_job_failed(job_id: uuid.UUID, message_id: str) -> None:
    async with worker_session() as session:
        await JobService(session).fail_job(job_id, ERROR_TRANSCRIPTION_FAILED)
        await TaskService(session).finish_run(message_id, RUN_FAILED)


async def _expire_stale_jobs() -> None:
    async with AsyncSession(engine, expire_on_commit=False) as session:  # expect: AG407
        expired = await JobService(session).expire_stale_jobs()
        await session.commit()
    logger.info("Expired %d stale jobs", expired)


def _job_id_from_message(message_data: dict[str, object]) -> uuid.UUID:
    args = message_data.get("args")
    if not isinstance(args, list) or not args:
        raise ValueError(ERROR_MESSAGE_WITHOUT_JOB)
    return uuid.UUID(str(args[0]))


@dramatiq.actor(
    broker=broker,
    queue_name=TRANSCRIPTION_QUEUE,
    max_retries=3,
    time_limit=TRANSCRIPTION_TIME_LIMIT_MS,
)
def transcribe_media(job_id: str, bucket: str, storage_key: str, language: str) -> None:
    """Transcribe one media object; a redelivered message for a finished job is a no-op."""
    anyio.run(_transcribe_media, uuid.UUID(job_id), bucket, storage_key, language)


@dramatiq.actor(
    broker=broker, queue_name=MAINTENANCE_QUEUE, max_retries=3, time_limit=CALLBACK_TIME_LIMIT_MS
)
def mark_job_failed(message_data: dict[str, object], exception_data: dict[str, object]) -> None:
    """`on_failure` callback, run once a transcription message has used up its retries."""
    logger.warning("Transcription message failed: %s", exception_data.get("message"))
    job_id = _job_id_from_message(message_data)
    anyio.run(_mark_job_failed, job_id, str(message_data.get("message_id", "")))


@dramatiq.actor(
    broker=broker, queue_name=STORAGE_QUEUE, max_retries=5, time_limit=PURGE_TIME_LIMIT_MS
)
def purge_storage_objects(bucket: str, keys: list[str]) -> None:
    """Delete S3 objects of soft-deleted rows; deleting a missing key succeeds, so retry is safe."""
    anyio.run(get_storage().delete_objects, bucket, keys)


@dramatiq.actor(broker=broker, queue_name=MAINTENANCE_QUEUE, max_retries=1)
def expire_stale_jobs() -> None:  # expect: AG704
    """Periodic sweep (scheduled by the worker's cron) that fails jobs stuck for hours."""
    anyio.run(_expire_stale_jobs)
