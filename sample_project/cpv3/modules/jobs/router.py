from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import PaginationParams, get_pagination
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, get_current_user
from cpv3.modules.jobs.schemas import JobRead, JobStatus
from cpv3.modules.jobs.service import JobService

router = APIRouter()


@router.get("", response_model=list[JobRead])
async def list_jobs(
    job_status: JobStatus | None = Query(None, alias="status"),
    pagination: PaginationParams = Depends(get_pagination),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> list[JobRead]:
    jobs = await JobService(db).list_jobs(
        current_user.id, job_status, pagination.limit, pagination.offset
    )
    return list(jobs)


@router.get("/{job_id}", response_model=JobRead)
async def read_job(
    job_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> JobRead:
    return await JobService(db).get_job(job_id, current_user.id)


@router.post("/{job_id}/cancel", response_model=JobRead)
async def cancel_job(
    job_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> JobRead:
    return await JobService(db).cancel_job(job_id, current_user.id)
