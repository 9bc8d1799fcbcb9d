# Test cases for semgrep_rules/sync-database.yaml (AG406). Run: semgrep --test semgrep_rules/
from __future__ import annotations

import sqlalchemy
import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy import create_engine
from sqlalchemy import create_engine as make_engine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session as SQLModelSession
from sqlmodel import create_engine as sqlmodel_engine

from cpv3.modules.users.models import User

DATABASE_URL_SETTING = "settings.database_url"

# ruleid: sync-database
engine = create_engine(DATABASE_URL_SETTING)
# ruleid: sync-database
engine2 = sa.create_engine(DATABASE_URL_SETTING, pool_pre_ping=True)
# ruleid: sync-database
engine3 = make_engine(DATABASE_URL_SETTING)
# ruleid: sync-database
engine4 = sqlalchemy.create_engine(DATABASE_URL_SETTING)

# ruleid: sync-database
SessionLocal = sessionmaker(bind=engine, autoflush=False)
# ruleid: sync-database
SessionLocal2 = sqlalchemy.orm.sessionmaker()

# ok: sync-database
async_engine = create_async_engine(DATABASE_URL_SETTING)
# ok: sync-database
AsyncSessionLocal = async_sessionmaker(async_engine, expire_on_commit=False)


# ruleid: sync-database
def get_sync_db(engine: sa.Engine) -> OrmSession:
    # ruleid: sync-database
    with Session(engine) as session:
        return session


# ruleid: sync-database
def list_users(db: Session) -> list[User]:
    # ruleid: sync-database
    return db.query(User).filter(User.is_deleted.is_(False)).all()


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def legacy_count(self) -> int:
        # ruleid: sync-database
        return self.session.query(User).count()

    async def get_by_id(self, user_id: int) -> User | None:
        # ok: sync-database
        result = await self.session.execute(select(User).where(User.id == user_id))
        return result.scalar_one_or_none()


async def search(client: object, db_session: AsyncSession) -> object:
    # ok: sync-database
    hits = client.query("coffee")
    # ruleid: sync-database
    legacy = db_session.query(User)
    return hits, legacy


# ruleid: sync-database
sqlmodel_sync_engine = sqlmodel_engine(DATABASE_URL_SETTING)


def sqlmodel_users() -> None:
    # ruleid: sync-database
    with SQLModelSession(sqlmodel_sync_engine) as session:
        session.exec(select(User))


# SQLAlchemy events target the sync Session class, even in async apps.
import sqlalchemy.orm  # noqa: E402
from sqlalchemy import event  # noqa: E402


# ok: sync-database
@event.listens_for(sqlalchemy.orm.Session, "before_flush")
def before_flush(session, flush_context, instances) -> None: ...


# ok: sync-database
event.listen(sqlalchemy.orm.Session, "after_commit", before_flush)
# ok: sync-database
registered = event.contains(sqlalchemy.orm.Session, "after_commit", before_flush)
# the triples kept to remove the listeners later (letta's instrumentation)
listeners = [
    # ok: sync-database
    (sqlalchemy.orm.Session, "before_flush", before_flush),
]
for target, name, listener in listeners:
    event.remove(target, name, listener)
# ruleid: sync-database
pair = (sqlalchemy.orm.Session, before_flush)


# SQLAlchemy 1.4's async session factory (FastAPI-boilerplate): sessions are AsyncSessions
from sqlalchemy.ext.asyncio import AsyncSession as AS  # noqa: E402
from sqlalchemy.ext.asyncio.session import AsyncSession as SessionOfAsyncio  # noqa: E402
from sqlalchemy.orm import sessionmaker as maker  # noqa: E402

# ok: sync-database
async_local = maker(bind=async_engine, class_=AS, expire_on_commit=False)
# ok: sync-database
async_local_too = maker(async_engine, class_=SessionOfAsyncio)
# ok: sync-database
async_positional = maker(async_engine, AS, expire_on_commit=False)
from sqlmodel.ext.asyncio.session import AsyncSession as SQLModelAsync  # noqa: E402

# ok: sync-database
sqlmodel_local = maker(async_engine, class_=SQLModelAsync, expire_on_commit=False)
# ok: sync-database
sqlmodel_positional = maker(async_engine, SQLModelAsync)
# ruleid: sync-database
sync_local = maker(bind=async_engine, expire_on_commit=False)
