# Test cases for semgrep_rules/unbounded-actor.yaml (AG704). Run: semgrep --test semgrep_rules/
from __future__ import annotations

import dramatiq
import dramatiq as dq
from dramatiq import actor
from dramatiq import actor as task

RENDER_MAX_RETRIES = 3
RENDER_TIME_LIMIT_MS = 10 * 60 * 1000


# ruleid: unbounded-actor
@dramatiq.actor
def transcribe_media(media_id: int) -> None: ...


# ruleid: unbounded-actor
@dramatiq.actor()
def generate_captions(media_id: int) -> None: ...


# ruleid: unbounded-actor
@dramatiq.actor(max_retries=3)
def render_video(job_id: int) -> None: ...


# ruleid: unbounded-actor
@dramatiq.actor(time_limit=60_000, queue_name="renders")
def upload_render(job_id: int) -> None: ...


# ruleid: unbounded-actor
@dramatiq.actor(
    queue_name="notifications",
    max_retries=5,
)
def send_notification(user_id: int) -> None: ...


# ruleid: unbounded-actor
@actor
def cleanup_files() -> None: ...


# ruleid: unbounded-actor
@task(queue_name="webhooks")
async def deliver_webhook(webhook_id: int) -> None: ...


# ruleid: unbounded-actor
@dq.actor(max_retries=1)
def purge_jobs() -> None: ...


def _sync_storage() -> None: ...


# ruleid: unbounded-actor
sync_storage = dramatiq.actor(_sync_storage, queue_name="storage")


# ok: unbounded-actor
@dramatiq.actor(max_retries=RENDER_MAX_RETRIES, time_limit=RENDER_TIME_LIMIT_MS)
def render_captions(job_id: int) -> None: ...


# ok: unbounded-actor
@dramatiq.actor(queue_name="media", time_limit=RENDER_TIME_LIMIT_MS, max_retries=2)
async def probe_media(media_id: int) -> None: ...


# ok: unbounded-actor
@dq.actor(
    max_retries=3,
    time_limit=30_000,
    min_backoff=1_000,
)
def refresh_thumbnails() -> None: ...


# ok: unbounded-actor
@task(max_retries=0, time_limit=5_000)
def ping() -> None: ...


# ok: unbounded-actor
is_actor = isinstance(ping, dramatiq.Actor)


# A project wrapper named `actor` (polar's `polar.worker.actor`), called as a decorator.
from app.worker import actor as project_actor  # noqa: E402
import app.worker as worker  # noqa: E402


# ruleid: unbounded-actor
@project_actor(actor_name="file.scan", priority=2)
async def scan_file(file_id: str) -> None: ...


# ruleid: unbounded-actor
@worker.actor(actor_name="webhook.send")
async def send_webhook(event_id: str) -> None: ...


# ok: unbounded-actor
@worker.actor(actor_name="webhook.retry", max_retries=3, time_limit=60_000)
async def retry_webhook(event_id: str) -> None: ...


def make_actor(fn, **options):
    # ok: unbounded-actor
    return dramatiq.actor(fn, actor_name=fn.__name__, **options)


# ok: unbounded-actor
@other_decorator(name="x")
def not_an_actor() -> None: ...
