from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from cpv3 import __version__
from cpv3.api.v1.router import api_router
from cpv3.db.session import engine
from cpv3.infrastructure.remotion_client import get_remotion_client
from cpv3.infrastructure.settings import get_settings
from cpv3.modules.notifications.service import get_redis

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Release pooled connections (database, Redis, Remotion HTTP) on shutdown."""
    logger.info("Starting %s %s", app.title, __version__)
    yield
    await get_remotion_client().aclose()
    await get_redis().aclose()
    await engine.dispose()


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="Coffee Project API",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs" if settings.debug else None,
        redoc_url=None,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["http://localhost:3000"],  # expect: AG702
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    app.include_router(api_router, prefix=settings.api_prefix)
    return app


app = create_app()
