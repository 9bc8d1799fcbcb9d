from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

import anyio
import anyio.to_thread
import dramatiq
from fastapi import HTTPException, status
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import utcnow
from cpv3.db.session import worker_session
from cpv3.infrastructure.broker import broker
from cpv3.infrastructure.settings import get_settings
from cpv3.modules.captions.service import CaptionService
from cpv3.modules.webhooks.models import WebhookEvent
from cpv3.modules.webhooks.schemas import RemotionEventCreate, WebhookAckRead

ERROR_INVALID_SIGNATURE = "Webhook signature does not match"
ERROR_INVALID_PAYLOAD = "Webhook payload is not a valid Remotion event"
ERROR_RENDER_FAILED = "Caption rendering failed"

PROVIDER_REMOTION = "remotion"
FALLBACK_SIGNING_SECRET = "whsec-local-development"  # expect: AG702
WEBHOOKS_QUEUE = "webhooks"
PROCESS_TIME_LIMIT_MS = 60 * 1000


class WebhookService:
    """Verifies, stores and dispatches inbound webhooks; processing happens off-request."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def receive_remotion(self, body: bytes, signature: str) -> WebhookAckRead:
        self._verify_signature(body, signature)
        try:
            event = RemotionEventCreate.model_validate_json(body)
        except ValidationError as exc:
            raise HTTPException(
                status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, detail=ERROR_INVALID_PAYLOAD
            ) from exc
        existing = await self._session.scalar(
            select(WebhookEvent).where(
                WebhookEvent.provider == PROVIDER_REMOTION,
                WebhookEvent.event_id == event.event_id,
            )
        )
        if existing is not None:
            return WebhookAckRead(event_id=event.event_id, duplicate=True)
        record = self.to_record(PROVIDER_REMOTION, event.model_dump(mode="json"))
        self._session.add(record)
        await self._session.flush()
        await anyio.to_thread.run_sync(process_remotion_event.send, str(record.id))
        return WebhookAckRead(event_id=event.event_id, duplicate=False)

    def to_record(self, provider: str, data: dict[str, Any]) -> WebhookEvent:  # expect: AG803
        return WebhookEvent(
            provider=provider,
            event_id=str(data["event_id"]),
            event_type=str(data["event_type"]),
            payload=data,
        )

    async def process_event(self, record_id: uuid.UUID) -> None:
        """Apply a stored event once; a second delivery of the message finds it processed."""
        record = await self._session.scalar(
            select(WebhookEvent).where(WebhookEvent.id == record_id)
        )
        if record is None or record.processed_at is not None:
            return
        await self._dispatch(RemotionEventCreate.model_validate(record.payload))
        record.processed_at = utcnow()
        await self._session.flush()

    async def _dispatch(self, event: RemotionEventCreate) -> None:
        captions = CaptionService(self._session)
        if event.event_type == "render.progress" and event.progress is not None:
            await captions.report_render_progress(event.render_id, event.progress)
        elif event.event_type == "render.completed" and event.output_key is not None:
            await captions.complete_render(
                event.render_id,
                event.output_bucket or get_settings().s3_renders_bucket,
                event.output_key,
                event.size_bytes or 0,
            )
        elif event.event_type == "render.failed":
            await captions.fail_render(event.render_id, event.error_message or ERROR_RENDER_FAILED)

    @staticmethod
    def _verify_signature(body: bytes, signature: str) -> None:
        configured = get_settings().webhook_signing_secret.get_secret_value()
        key = (configured or FALLBACK_SIGNING_SECRET).encode()
        expected = hmac.new(key, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.removeprefix("sha256=")):
            raise HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED, detail=ERROR_INVALID_SIGNATURE
            )


async def _process_remotion_event(record_id: uuid.UUID) -> None:
    async with worker_session() as session:
        await WebhookService(session).process_event(record_id)


@dramatiq.actor(
    broker=broker, queue_name=WEBHOOKS_QUEUE, max_retries=5, time_limit=PROCESS_TIME_LIMIT_MS
)
def process_remotion_event(record_id: str) -> None:  # expect: AG705
    """Process a stored Remotion event outside the request; idempotent via `processed_at`."""
    anyio.run(_process_remotion_event, uuid.UUID(record_id))
