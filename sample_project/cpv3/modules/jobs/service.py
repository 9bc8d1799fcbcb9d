from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from fastapi import HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import utcnow
from cpv3.modules.jobs.helpers.progress import MAX_PROGRESS, clamp_progress
from cpv3.modules.jobs.models import Job
from cpv3.modules.jobs.repository import JobRepository
from cpv3.modules.jobs.schemas import JobCreate, JobRead, JobResultRead, JobUpdate
from cpv3.modules.notifications.service import NotificationService  # expect: AG205

ERROR_JOB_NOT_FOUND = "Job not found"
ERROR_INVALID_TRANSITION = "The job cannot move to the requested status"
ERROR_JOB_TIMED_OUT = "The job did not finish in time and was stopped"

STATUS_QUEUED = "queued"
STATUS_RUNNING = "running"
STATUS_COMPLETED = "completed"
STATUS_FAILED = "failed"
STATUS_CANCELLED = "cancelled"
TERMINAL_JOB_STATUSES = (STATUS_COMPLETED, STATUS_FAILED, STATUS_CANCELLED)
ACTIVE_JOB_STATUSES = (STATUS_QUEUED, STATUS_RUNNING)
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    STATUS_QUEUED: frozenset({STATUS_RUNNING, STATUS_FAILED, STATUS_CANCELLED}),
    STATUS_RUNNING: frozenset({STATUS_COMPLETED, STATUS_FAILED, STATUS_CANCELLED}),
}
STALE_JOB_AGE = timedelta(hours=6)


class JobService:
    """Job lifecycle; every status change is pushed to the owner as a notification."""

    def __init__(
        self, session: AsyncSession, notifications: NotificationService | None = None
    ) -> None:
        self._jobs = JobRepository(session)
        self._notifications = notifications or NotificationService(session)

    async def create_job(self, payload: JobCreate) -> JobRead:
        job = await self._jobs.create(Job(user_id=payload.user_id, kind=payload.kind))
        return await self._publish(job)

    async def get_job(self, job_id: uuid.UUID, user_id: uuid.UUID) -> JobRead:
        job = await self._jobs.get_for_user(job_id, user_id)
        if job is None:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_JOB_NOT_FOUND)
        return JobRead.model_validate(job)

    async def get_job_result(self, job_id: uuid.UUID) -> JobResultRead:
        return JobResultRead.model_validate(await self._get(job_id))

    async def list_jobs(
        self, user_id: uuid.UUID, job_status: str | None, limit: int, offset: int
    ) -> Sequence[JobRead]:
        jobs = await self._jobs.list_for_user(user_id, job_status, limit, offset)
        return [JobRead.model_validate(job) for job in jobs]

    async def start_job(self, job_id: uuid.UUID) -> bool:
        """Idempotent start: False when the job already ended (a redelivered message)."""
        job = await self._get(job_id)
        if job.status in TERMINAL_JOB_STATUSES:
            return False
        if job.status == STATUS_QUEUED:
            await self._transition(job, STATUS_RUNNING, {"started_at": utcnow()})
        return True

    async def report_progress(self, job_id: uuid.UUID, payload: JobUpdate) -> JobRead:
        job = await self._get(job_id)
        if job.status != STATUS_RUNNING:
            return JobRead.model_validate(job)
        job = await self._jobs.update(job, {"progress": clamp_progress(payload.progress)})
        return await self._publish(job)

    async def complete_job(self, job_id: uuid.UUID, result: dict[str, object]) -> JobRead:
        job = await self._get(job_id)
        if job.status == STATUS_COMPLETED:
            return JobRead.model_validate(job)
        job = await self._jobs.save_result(job, result)
        values: dict[str, object] = {"progress": MAX_PROGRESS, "finished_at": utcnow()}
        return await self._transition(job, STATUS_COMPLETED, values)

    async def fail_job(self, job_id: uuid.UUID, message: str) -> JobRead:
        job = await self._get(job_id)
        if job.status in TERMINAL_JOB_STATUSES:
            return JobRead.model_validate(job)
        values: dict[str, object] = {"error_message": message, "finished_at": utcnow()}
        return await self._transition(job, STATUS_FAILED, values)

    async def cancel_job(self, job_id: uuid.UUID, user_id: uuid.UUID) -> JobRead:
        await self.get_job(job_id, user_id)
        job = await self._get(job_id)
        return await self._transition(job, STATUS_CANCELLED, {"finished_at": utcnow()})

    async def expire_stale_jobs(self) -> int:
        """Fail jobs whose worker died without reporting; returns how many were expired."""
        values: dict[str, object] = {
            "status": STATUS_FAILED,
            "error_message": ERROR_JOB_TIMED_OUT,
            "finished_at": utcnow(),
        }
        return await self._jobs.expire_stale(ACTIVE_JOB_STATUSES, utcnow() - STALE_JOB_AGE, values)

    async def _get(self, job_id: uuid.UUID) -> Job:
        job = await self._jobs.get_by_id(job_id)
        if job is None:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_JOB_NOT_FOUND)
        return job

    async def _transition(self, job: Job, new_status: str, values: dict[str, object]) -> JobRead:
        if new_status not in ALLOWED_TRANSITIONS.get(job.status, frozenset()):
            raise HTTPException(
                status_code=status.HTTP_409_CONFLICT, detail=ERROR_INVALID_TRANSITION
            )
        job = await self._jobs.update(job, {"status": new_status, **values})
        return await self._publish(job)

    async def _publish(self, job: Job) -> JobRead:
        read = JobRead.model_validate(job)
        await self._notifications.publish_job_update(job.user_id, read)
        return read
