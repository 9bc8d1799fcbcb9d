# Test cases for semgrep_rules/actor-location.yaml (AG705). Run: semgrep --test semgrep_rules/
# `semgrep --test` ignores the rule's `paths:`, so this file plays a module that is NOT
# cpv3/modules/tasks/service.py (e.g. cpv3/modules/media/service.py): every actor is reported.
from __future__ import annotations

import dramatiq
import dramatiq as dq
from dramatiq import actor

from cpv3.modules.tasks.service import transcribe_media


# ruleid: actor-location
@dramatiq.actor(max_retries=3, time_limit=60_000)
def generate_thumbnail(media_id: int) -> None: ...


# ruleid: actor-location
@dramatiq.actor
def cleanup_media() -> None: ...


# ruleid: actor-location
@dq.actor(queue_name="media")
async def probe_media(media_id: int) -> None: ...


# ruleid: actor-location
@actor(max_retries=1, time_limit=1_000)
def purge_media() -> None: ...


def _reindex() -> None: ...


# ruleid: actor-location
reindex = dramatiq.actor(_reindex, max_retries=1, time_limit=1_000)


# ruleid: actor-location
class ReindexActor(dramatiq.GenericActor):
    class Meta:
        max_retries = 1

    def perform(self) -> None: ...


def schedule(media_id: int) -> None:
    # ok: actor-location
    transcribe_media.send(media_id)
    # ok: actor-location
    broker = dramatiq.get_broker()
    # ok: actor-location
    assert isinstance(transcribe_media, dramatiq.Actor), broker


import app.worker as worker  # noqa: E402


# ruleid: actor-location
@worker.actor(actor_name="webhook.send", max_retries=3, time_limit=60_000)
async def send_webhook(event_id: str) -> None: ...
