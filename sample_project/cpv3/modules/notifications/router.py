from __future__ import annotations

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, decode_access_token, get_current_user
from cpv3.modules.notifications.schemas import NotificationRead, NotificationUpdate
from cpv3.modules.notifications.service import NotificationService, subscribe_user_events

router = APIRouter()


@router.get("", response_model=list[NotificationRead])
async def list_notifications(
    unread_only: bool = Query(False),
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> list[NotificationRead]:
    service = NotificationService(db)
    items = await service.list_notifications(current_user.id, unread_only, limit, offset)
    return list(items)


@router.post("/read")
async def mark_notifications_read(
    payload: NotificationUpdate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> dict[str, int]:
    updated = await NotificationService(db).mark_read(current_user.id, payload)
    return {"updated": updated}


@router.websocket("/ws")
async def notifications_socket(websocket: WebSocket, access: str = Query(...)) -> None:
    """Browsers cannot set headers on WebSocket upgrades, so the JWT comes as a query param."""
    current_user = decode_access_token(access)
    await websocket.accept()
    try:
        async for frame in subscribe_user_events(current_user.id):
            await websocket.send_text(frame)
    except WebSocketDisconnect:
        return
