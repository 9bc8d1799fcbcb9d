from __future__ import annotations

from cpv3.modules.notifications.service import NotificationService

__all__ = ["NotificationService"]
