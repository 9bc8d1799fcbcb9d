from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, require_admin
from cpv3.modules.tasks.schemas import TaskRunRead
from cpv3.modules.tasks.service import TaskService

router = APIRouter()


@router.get("/runs", response_model=list[TaskRunRead])
async def list_task_runs(
    actor_name: str | None = Query(None, max_length=100),
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0),
    _admin: AuthenticatedUser = Depends(require_admin),
    db: AsyncSession = Depends(get_db),
) -> list[TaskRunRead]:
    runs = await TaskService(db).list_runs(actor_name, limit, offset)
    return list(runs)


@router.get("/runs/{run_id}", response_model=TaskRunRead)
async def read_task_run(
    run_id: uuid.UUID,
    _admin: AuthenticatedUser = Depends(require_admin),
    db: AsyncSession = Depends(get_db),
) -> TaskRunRead:
    return await TaskService(db).get_run(run_id)
