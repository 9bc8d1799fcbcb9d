"""Issue 12: a repository by name that does not touch the SQL database is not the data layer
(AG401, AG203, AG204). Shaped like polar's Tinybird event repository (an analytics HTTP
API) and tracecat's registry repository (actions loaded from git)."""

from __future__ import annotations

from helpers import BASE, BASE_SOURCE, dedent, findings

EVENTS = "cpv3/modules/events"
MODELS = {
    BASE: BASE_SOURCE,
    "cpv3/models/__init__.py": "from cpv3.models.meter import Meter\n",
    "cpv3/models/meter.py": dedent("""
        from cpv3.db.base import Base, BaseModelMixin


        class Meter(Base, BaseModelMixin):
            __tablename__ = "meters"
    """),
}


def test_a_repository_of_an_analytics_api_is_not_asked_for_a_session() -> None:
    files = {
        **MODELS,
        "cpv3/integrations/tinybird/service.py": dedent("""
            class TinybirdEventsQuery:
                def __init__(self, organization_id: str) -> None:
                    self.organization_id = organization_id
        """),
        f"{EVENTS}/tinybird_repository.py": dedent("""
            from cpv3.integrations.tinybird.service import TinybirdEventsQuery
            from cpv3.models import Meter


            class TinybirdEventRepository:
                async def customer_ids(self, meter: Meter) -> list[str]:
                    query = TinybirdEventsQuery(meter.organization_id)
                    return await query.distinct_customer_ids()
        """),
        f"{EVENTS}/cached.py": dedent("""
            from cpv3.modules.events.tinybird_repository import TinybirdEventRepository as T


            class CachedEventRepository(T):
                async def cached(self) -> list[str]:
                    return self._cache
        """),
        f"{EVENTS}/sql.py": dedent("""
            from sqlalchemy import select

            import cpv3.models as m
            from cpv3.db.session import session_maker
            from cpv3.kit.broken import BrokenBase


            class EventRepository:
                async def meters(self) -> list[m.Meter]:
                    async with session_maker() as session:
                        return list(await session.scalars(select(m.Meter)))


            class MeterRepository:
                def __init__(self) -> None:
                    self._session = session_maker()

                async def get(self, meter_id: str) -> m.Meter | None:
                    return await self._session.get(m.Meter, meter_id)


            class StubRepository:
                async def get(self) -> None: ...


            class OpaqueRepository(BrokenBase):
                async def get(self) -> None:
                    return await self.fetch_one()
        """),
        "cpv3/kit/broken.py": "class BrokenBase(:\n",
    }
    assert findings(files, ["AG401"]) == [
        ("AG401", f"{EVENTS}/sql.py", 8),  # SQLAlchemy's select, its own session
        ("AG401", f"{EVENTS}/sql.py", 15),  # an ORM model as a value, through a module alias
        ("AG401", f"{EVENTS}/sql.py", 22),  # a stub: nothing to judge, its name decides
    ]


REGISTRY = "cpv3/modules/registry"


def test_a_repository_file_that_loads_actions_from_git_is_not_the_data_layer() -> None:
    files = {
        **MODELS,
        f"{REGISTRY}/repository.py": dedent("""
            from sqlalchemy.ext.asyncio import AsyncSession

            from cpv3.db.engine import session_context
            from cpv3.modules.registry.service import RegistryService
            from cpv3.modules.settings.service import get_setting


            class Repository:
                "Select actions from their origin and load them."

                def __init__(self, origin: str) -> None:
                    if not origin:
                        raise ValueError("Select an origin from the list")
                    self._store: dict[str, object] = {}
                    self._origin = origin

                async def install(self) -> None:
                    async with session_context() as session:
                        await install_with_keys(session, get_setting("ssh-key"))


            async def ensure_base_repository(session: AsyncSession) -> None:
                await RegistryService(session).create(origin="base")
        """),
        f"{REGISTRY}/service.py": "class RegistryService:\n    pass\n",
        f"{REGISTRY}/router.py": dedent("""
            from cpv3.modules.registry.repository import Repository
        """),
        f"{REGISTRY}/models.py": dedent("""
            from cpv3.modules.registry.repository import Repository
        """),
        "cpv3/modules/settings/service.py": "def get_setting(name: str) -> str:\n    return name\n",
    }
    assert findings(files, ["AG203", "AG204", "AG401"]) == []


def test_repository_files_that_touch_sql_keep_their_rank() -> None:
    files = {
        **MODELS,
        "cpv3/db/repository.py": dedent("""
            from sqlalchemy import select


            class SqlRepository:
                async def find(self, **filters: object) -> list[object]:
                    return list(await self.session.scalars(select(self.model)))
        """),
        "cpv3/modules/users/repository.py": dedent("""
            from cpv3.db.repository import SqlRepository
            from cpv3.modules.users.service import UserService


            class UserRepository(SqlRepository):
                async def by_email(self, email: str) -> list[object]:
                    return await self.find(email=email)
        """),
        "cpv3/modules/users/service.py": "class UserService:\n    pass\n",
        "cpv3/modules/tags/repository.py": dedent("""
            from cpv3.modules.tags.service import TagService


            async def all_tags(conn, table: str) -> list[str]:
                return await conn.fetch(f"SELECT name FROM {table} ORDER BY name")
        """),
        "cpv3/modules/tags/service.py": "class TagService:\n    pass\n",
        "cpv3/modules/projects/repository.py": dedent("""
            from cpv3.modules.projects.service import ProjectService
        """),
        "cpv3/modules/projects/service.py": "class ProjectService:\n    pass\n",
        "cpv3/modules/media/repository.py": dedent("""
            from cpv3.models import Meter
            from cpv3.modules.media.service import MediaService


            def newest(meters: list[Meter]) -> Meter:
                return max(meters, key=lambda meter: Meter.created_at)
        """),
        "cpv3/modules/media/service.py": "class MediaService:\n    pass\n",
        "cpv3/modules/media/router.py": dedent("""
            from cpv3.modules.media.repository import newest
        """),
    }
    assert findings(files, ["AG203", "AG204"]) == [
        ("AG204", "cpv3/modules/media/repository.py", 2),  # an ORM model as a value
        ("AG203", "cpv3/modules/media/router.py", 1),
        ("AG204", "cpv3/modules/projects/repository.py", 1),  # imports only: by its name
        ("AG204", "cpv3/modules/tags/repository.py", 1),  # SQL text, in an f-string
        ("AG204", "cpv3/modules/users/repository.py", 2),  # SQL in its base, another file
    ]
