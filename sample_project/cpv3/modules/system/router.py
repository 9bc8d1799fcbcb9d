from __future__ import annotations

from fastapi import APIRouter, Depends, status
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import PaginationParams, get_pagination
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, require_admin
from cpv3.modules.system.schemas import HealthRead, MaintenanceWindowCreate, MaintenanceWindowRead
from cpv3.modules.system.service import SystemService

router = APIRouter()


@router.get("/health", response_model=HealthRead)
async def liveness(db: AsyncSession = Depends(get_db)) -> HealthRead:
    """Liveness probe for the container orchestrator; answers while the process runs."""
    return SystemService(db).liveness()


@router.get("/health/ready", response_model=HealthRead)
async def readiness(db: AsyncSession = Depends(get_db)) -> HealthRead:
    return await SystemService(db).readiness()


@router.get("/health/db", response_model=HealthRead)
async def database_health(db: AsyncSession = Depends(get_db)) -> HealthRead:
    await db.execute(text("SELECT 1"))  # expect: AG504
    return SystemService(db).liveness()


@router.get("/maintenance/current", response_model=MaintenanceWindowRead | None)
async def current_maintenance(db: AsyncSession = Depends(get_db)) -> MaintenanceWindowRead | None:
    return await SystemService(db).current_maintenance()


@router.get("/maintenance", response_model=list[MaintenanceWindowRead])
async def list_upcoming_maintenance(
    pagination: PaginationParams = Depends(get_pagination),
    db: AsyncSession = Depends(get_db),
) -> list[MaintenanceWindowRead]:
    windows = await SystemService(db).list_upcoming_maintenance(pagination.limit, pagination.offset)
    return list(windows)


@router.post(
    "/maintenance", response_model=MaintenanceWindowRead, status_code=status.HTTP_201_CREATED
)
async def schedule_maintenance(
    payload: MaintenanceWindowCreate,
    _admin: AuthenticatedUser = Depends(require_admin),
    db: AsyncSession = Depends(get_db),
) -> MaintenanceWindowRead:
    return await SystemService(db).schedule_maintenance(payload)
