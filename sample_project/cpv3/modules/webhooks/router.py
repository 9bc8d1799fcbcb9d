from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.session import get_db
from cpv3.modules.webhooks.schemas import WebhookAckRead
from cpv3.modules.webhooks.service import WebhookService

router = APIRouter()


@router.post("/remotion", response_model=WebhookAckRead, status_code=status.HTTP_202_ACCEPTED)
async def receive_remotion_webhook(
    request: Request,
    x_remotion_signature: str = Header(...),
    db: AsyncSession = Depends(get_db),
) -> WebhookAckRead:
    """The signature covers the raw bytes, so the body is read before any JSON parsing."""
    body = await request.body()
    return await WebhookService(db).receive_remotion(body, x_remotion_signature)


@router.head("/remotion", status_code=status.HTTP_200_OK)
async def probe_remotion_webhook():  # expect: AG505
    """Remotion sends a HEAD request to check the URL before it saves the webhook."""
    return None
