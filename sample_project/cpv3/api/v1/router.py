from __future__ import annotations

from fastapi import APIRouter

from cpv3.modules.billing.router import router as billing_router
from cpv3.modules.captions.router import router as captions_router
from cpv3.modules.files.router import router as files_router
from cpv3.modules.jobs.router import router as jobs_router
from cpv3.modules.media.router import router as media_router
from cpv3.modules.notifications.router import router as notifications_router
from cpv3.modules.projects.router import router as projects_router
from cpv3.modules.system.router import router as system_router
from cpv3.modules.tasks.router import router as tasks_router
from cpv3.modules.transcription.router import router as transcription_router
from cpv3.modules.users.router import router as users_router
from cpv3.modules.webhooks.router import router as webhooks_router

api_router = APIRouter()

api_router.include_router(system_router, prefix="/system", tags=["system"])
api_router.include_router(users_router, prefix="/users", tags=["users"])
api_router.include_router(projects_router, prefix="/projects", tags=["projects"])
api_router.include_router(media_router, prefix="/media", tags=["media"])
api_router.include_router(files_router, prefix="/files", tags=["files"])
api_router.include_router(transcription_router, prefix="/transcriptions", tags=["transcription"])
api_router.include_router(captions_router, prefix="/captions", tags=["captions"])
api_router.include_router(jobs_router, prefix="/jobs", tags=["jobs"])
api_router.include_router(notifications_router, prefix="/notifications", tags=["notifications"])
api_router.include_router(tasks_router, prefix="/tasks", tags=["tasks"])
api_router.include_router(webhooks_router, prefix="/webhooks", tags=["webhooks"])
api_router.include_router(billing_router, prefix="/billing", tags=["billing"])
