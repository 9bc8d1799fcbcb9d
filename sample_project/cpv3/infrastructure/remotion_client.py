from __future__ import annotations

import time
from functools import lru_cache
from typing import TypedDict

import httpx

from cpv3.infrastructure.settings import Settings, get_settings

RENDERS_PATH = "/renders"
RETRYABLE_STATUS_CODES = frozenset({502, 503, 504})
RETRY_BACKOFF_SECONDS = 0.5


class RenderSegment(TypedDict):
    start_ms: int
    end_ms: int
    text: str


class RenderStyle(TypedDict):
    font_family: str
    font_size: int
    font_weight: int
    text_color: str
    highlight_color: str
    background_color: str | None
    position: str
    max_words_per_line: int
    uppercase: bool


class RenderRequest(TypedDict):
    render_key: str
    video_url: str
    output_bucket: str
    output_key: str
    segments: list[RenderSegment]
    metadata: dict[str, str]
    style: RenderStyle


class RenderHandle(TypedDict):
    render_id: str
    status: str


class RemotionClient:
    """Async client of the Remotion render service (Elysia); it renders and uploads to S3."""

    def __init__(self, http: httpx.AsyncClient, max_attempts: int) -> None:
        self._http = http
        self._max_attempts = max_attempts

    @classmethod
    def from_settings(cls, settings: Settings) -> RemotionClient:
        http = httpx.AsyncClient(
            base_url=settings.remotion_url,
            timeout=httpx.Timeout(settings.remotion_timeout_seconds),
        )
        return cls(http, max_attempts=settings.remotion_max_attempts)

    async def start_render(self, request: RenderRequest) -> RenderHandle:
        """Queue a render; Remotion answers at once and calls our webhook when done."""
        response = await self._post_with_retry(RENDERS_PATH, request)
        body = response.json()
        return RenderHandle(render_id=body["renderId"], status=body["status"])

    async def cancel_render(self, render_id: str) -> None:
        """Ask Remotion to stop a render; cancelling a finished render is a no-op there."""
        response = await self._http.delete(f"{RENDERS_PATH}/{render_id}")
        response.raise_for_status()

    async def _post_with_retry(self, path: str, payload: RenderRequest) -> httpx.Response:
        response = await self._http.post(path, json=payload)
        attempt = 1
        while response.status_code in RETRYABLE_STATUS_CODES and attempt < self._max_attempts:
            time.sleep(RETRY_BACKOFF_SECONDS * attempt)  # expect: AG701
            response = await self._http.post(path, json=payload)
            attempt += 1
        response.raise_for_status()
        return response

    async def aclose(self) -> None:
        await self._http.aclose()


@lru_cache
def get_remotion_client() -> RemotionClient:
    """Process-wide client so connections to the render service are pooled."""
    return RemotionClient.from_settings(get_settings())
