# Test cases for semgrep_rules/mocked-database.yaml (AG805). Run: semgrep --test semgrep_rules/
# `semgrep --test` ignores the rule's `paths:`; this file plays a module under tests/.
from __future__ import annotations

import unittest.mock as um
from collections.abc import AsyncIterator
from unittest import mock
from unittest.mock import AsyncMock, MagicMock, Mock, create_autospec, patch

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3 import db as cpv3_db
from cpv3.db.session import get_db
from cpv3.main import app
from cpv3.modules.notifications.service import NotificationService


@pytest.fixture
def mock_session() -> AsyncMock:
    # ruleid: mocked-database
    return AsyncMock(spec=AsyncSession)


def test_specs() -> None:
    # ruleid: mocked-database
    a = MagicMock(spec_set=AsyncSession)
    # ruleid: mocked-database
    b = mock.Mock(spec=AsyncSession)
    # ruleid: mocked-database
    c = create_autospec(AsyncSession, instance=True)
    # ruleid: mocked-database
    d = um.AsyncMock(AsyncSession)
    # ok: mocked-database
    notifier = AsyncMock()
    # ok: mocked-database
    service = MagicMock(spec=NotificationService)
    assert a and b and c and d and notifier and service


def test_mocker(mocker, monkeypatch) -> None:
    # ruleid: mocked-database
    mocker.AsyncMock(spec=AsyncSession)
    # ruleid: mocked-database
    mocker.patch("cpv3.db.session.get_db")
    # ruleid: mocked-database
    monkeypatch.setattr(cpv3_db, "get_db", AsyncMock())
    # ruleid: mocked-database
    monkeypatch.setattr("cpv3.modules.users.router.get_db", AsyncMock())
    # ok: mocked-database
    mocker.patch("cpv3.modules.notifications.service.send_ws_message")
    # ok: mocked-database
    monkeypatch.setattr(cpv3_db, "get_db_url", lambda: "sqlite+aiosqlite://")


def test_patch() -> None:
    # ruleid: mocked-database
    with patch("cpv3.modules.users.router.get_db") as fake_db:
        assert fake_db
    # ruleid: mocked-database
    with patch.object(cpv3_db, "get_db") as fake_db:
        assert fake_db
    # ruleid: mocked-database
    with mock.patch.object(cpv3_db, "get_db", new=AsyncMock()):
        pass
    # ok: mocked-database
    with patch("cpv3.modules.webhooks.service.httpx.AsyncClient.post"):
        pass


# ruleid: mocked-database
@patch("cpv3.db.session.get_db", new_callable=AsyncMock)
def test_decorated(fake_get_db: AsyncMock) -> None:
    assert fake_get_db


def test_overrides() -> None:
    # ruleid: mocked-database
    app.dependency_overrides[get_db] = lambda: AsyncMock()
    # ruleid: mocked-database
    app.dependency_overrides[get_db] = AsyncMock
    # ruleid: mocked-database
    app.dependency_overrides[cpv3_db.get_db] = MagicMock(return_value=None)
    fake = AsyncMock()
    # ruleid: mocked-database
    app.dependency_overrides[get_db] = lambda: fake
    app.dependency_overrides.clear()


@pytest.fixture
async def real_db_override(db_session: AsyncSession) -> AsyncIterator[None]:
    async def override_get_db() -> AsyncIterator[AsyncSession]:
        yield db_session

    # ok: mocked-database
    app.dependency_overrides[get_db] = override_get_db
    # ok: mocked-database
    app.dependency_overrides[get_db] = lambda: db_session
    yield
    app.dependency_overrides.clear()
