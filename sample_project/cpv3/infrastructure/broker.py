from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage

from cpv3.infrastructure.settings import get_settings


def build_broker() -> RedisBroker:
    """Redis broker shared by the API (which enqueues) and the workers (which consume)."""
    settings = get_settings()
    redis_broker = RedisBroker(url=settings.redis_url, namespace=settings.dramatiq_namespace)
    redis_broker.add_middleware(CurrentMessage())
    return redis_broker


broker = build_broker()
dramatiq.set_broker(broker)
