"""Issue 12: precision of the query rules on real code (AG403, AG405, AG504). Transaction
control, unit-of-work bookkeeping and write batches are not queries per item; a cache refill
after a bulk load is not N+1; the same bulk write run in chunks is one query; cleanup and
pings in routes are not database work. Real N+1 stays reported.

Each tree marks the lines that must be reported with ``# expect``."""

from __future__ import annotations

from archguard.project.config import Config, load_config_table
from helpers import dedent, findings, run

REPO = "cpv3/modules/users/repository.py"
SERVICE = "cpv3/modules/users/service.py"
ROUTER = "cpv3/modules/users/router.py"


def expected(code: str, path: str, source: str) -> list[tuple[str, str, int]]:
    return [(code, path, number) for number, line in enumerate(dedent(source).splitlines(), 1)
            if line.rstrip().endswith("# expect")]


def check(code: str, path: str, source: str) -> tuple[list[tuple[str, str, int]],
                                                      list[tuple[str, str, int]]]:
    return findings({path: source}, [code]), expected(code, path, source)


# --- AG405: only calls that read count ---------------------------------------------------

SERVICE_HEAD = """
    from __future__ import annotations

    import asyncio

    import sqlalchemy as sa
    from itertools import batched
    from sqlalchemy import delete, select, update
    from sqlalchemy.ext.asyncio import AsyncSession

    from cpv3.modules.users.models import Invoice, User
    from cpv3.modules.users.repository import InvoiceRepository, UserRepository


    class UserService:
        def __init__(self, session: AsyncSession) -> None:
            self.session = session
            self._users = UserRepository(session)
            self.invoice_repository = InvoiceRepository(session)
"""


def test_transaction_control_and_unit_of_work_calls_in_loops_are_not_queries() -> None:
    source = SERVICE_HEAD + """
        async def archive(self, batch_size: int) -> None:
            while True:
                stmt = update(User).where(User.id.in_(select(User.id).limit(batch_size)))
                result = await self.session.execute(stmt)
                await self.session.commit()
                if result.rowcount < batch_size:
                    break

        async def remove_each(self, users: list[User]) -> None:
            for user in users:
                try:
                    async with self.session.begin_nested():
                        await self.session.execute(
                            sa.update(Invoice).where(Invoice.user_id == user.id).values(x=1))
                        await self.session.execute(delete(User).where(User.id == user.id))
                except ValueError:
                    await self.session.rollback()

        async def import_rows(self, rows: list[User]) -> None:
            for index, row in enumerate(rows):
                self.session.add(row)
                await self.session.delete(row)
                self.session.expunge(row)
                await self.invoice_repository.create(row, flush=False)
                await self._users.update_status(row, "active")
                await self._users.soft_delete(row)
                if index % 100 == 0:
                    await self.session.flush()

        async def bill(self, users: list[User]) -> list[object]:
            return await asyncio.gather(*[self._users.add_credit(u) for u in users])
    """
    found, want = check("AG405", SERVICE, source)
    assert found == want == []


def test_per_item_writes_named_by_other_verbs_are_a_batch() -> None:
    """polar's billing entries: ``link_pending_by_subscription_and_meter(...)`` per order
    item is one UPDATE each, like ``update_...``. A verb only as a later word
    (``get_linked``), a prefix of a longer word (``settings``, ``linked_ids``) or a verb
    left out of a configured list reads."""
    source = SERVICE_HEAD + """
        async def link(self, items: dict[int, int]) -> None:
            for item_id, meter_id in items.items():
                await self._users.link_pending_by_meter(meter_id, item_id)
                await self._users.unlink(item_id)
                await self.invoice_repository.attach_to_order(item_id)
                await self.invoice_repository.assign_owner(item_id, meter_id)
                await self._users.increment_usage(item_id)
                await self._users.revoke_tokens(item_id)
                await self._users._archive(item_id)

        async def reads(self, ids: list[int]) -> None:
            for user_id in ids:
                await self._users.get_linked(user_id)  # expect
                await self._users.settings(user_id)  # expect
                await self._users.linked_ids(user_id)  # expect
    """
    found, want = check("AG405", SERVICE, source)
    assert found == want and len(want) == 3
    config = Config(write_verbs=["update"])
    assert [line for _, _, line in findings({SERVICE: source}, ["AG405"], config)] == [
        *range(22, 29), *(line for _, _, line in want)]


def test_write_verbs_key_loads() -> None:
    assert load_config_table({"write-verbs": ["link"]}, "t").write_verbs == ["link"]


def test_reads_in_loops_stay_n_plus_one_in_every_form() -> None:
    source = SERVICE_HEAD + """
        async def owners(self, ids: list[int]) -> list[object]:
            found = []
            for user_id in ids:
                found.append(await self._users.get_by_id(user_id))  # expect
                await self.session.commit()
            return found

        async def refreshed(self, users: list[User]) -> None:
            async for user in users:
                await self.session.refresh(user, ["invoices"])  # expect

        async def statements(self, ids: list[int]) -> None:
            stmt = sa.select(User)
            while ids:
                await self.session.execute(stmt.where(User.id == ids.pop()))  # expect
                await self.session.scalar(stmt)  # expect

        async def named(self, ids: list[int]) -> list[object]:
            users = UserRepository(self.session)
            return [await users.get_or_create(i) for i in ids]  # expect

        async def gathered(self, ids: list[int]) -> list[object]:
            repo = self.invoice_repository
            return await asyncio.gather(*(repo.list_for(i) for i in ids))  # expect
    """
    found, want = check("AG405", SERVICE, source)
    assert found == want and len(want) == 6
    assert run({SERVICE: source}, ["AG405"])[0].message == (
        "repository call 'self._users.get_by_id()' inside a for loop: N+1 queries")


def test_a_cache_refill_after_a_bulk_load_is_not_n_plus_one() -> None:
    source = SERVICE_HEAD + """
        async def prices(self, users: list[User]) -> None:
            by_user = await self.invoice_repository.get_by_users([u.id for u in users])
            for user in users:
                try:
                    price = by_user[user.id]
                except KeyError:
                    fresh = await self.invoice_repository.get_by_users([user.id])
                    price = by_user[user.id] = fresh[user.id]
                if user.id not in by_user:
                    by_user[user.id] = await self.invoice_repository.get_one(user.id)
                print(price)

        async def memo(self, users: list[User]) -> None:
            seen: dict[int, object] = {}
            for user in users:
                if user.id not in seen:
                    seen[user.id] = await self.invoice_repository.get_one(user.id)  # expect

        async def not_stored(self, users: list[User]) -> None:
            by_user = await self.invoice_repository.get_by_users([u.id for u in users])
            for user in users:
                try:
                    print(by_user[user.id])
                except KeyError:
                    print(await self.invoice_repository.get_one(user.id))  # expect

        async def other_error(self, users: list[User]) -> None:
            by_user = await self.invoice_repository.get_by_users([u.id for u in users])
            for user in users:
                try:
                    print(by_user[user.id])
                except ValueError:
                    by_user[user.id] = await self.invoice_repository.get_one(user.id)  # expect
    """
    found, want = check("AG405", SERVICE, source)
    assert found == want and len(want) == 3


def test_one_in_query_per_group_is_a_batch_load() -> None:
    """tracecat's sync service: ids grouped by resource type, one ``IN`` query per group;
    the query count follows the groups. A query per item, a group query nested in a loop
    over items, or an ``IN`` over something the loop does not bind stays N+1."""
    source = SERVICE_HEAD + """
        async def by_kind(self, ids_by_kind: dict[str, set[int]]) -> None:
            for kind, ids in ids_by_kind.items():
                if not ids:
                    continue
                stmt = select(Invoice).where(Invoice.kind == kind, Invoice.id.in_(ids))
                print((await self.session.execute(stmt)).scalars().all())

        async def chunks(self, ids: list[int]) -> None:
            for chunk in batched(ids, 500):
                print(await self.session.scalars(select(User).where(User.id.in_(chunk))))

        async def per_item(self, users: list[User]) -> None:
            for user in users:
                print(await self.session.execute(select(Invoice).where(  # expect
                    Invoice.user_id == user.id)))

        async def nested(self, users: list[User], kinds: dict[str, list[int]]) -> None:
            for user in users:
                for kind, ids in kinds.items():
                    print(await self.session.execute(select(Invoice).where(  # expect
                        Invoice.user_id == user.id, Invoice.id.in_(ids))))

        async def unbound(self, users: list[User], ids: list[int]) -> None:
            for user in users:
                stmt = select(Invoice).where(Invoice.id.in_(ids), Invoice.user_id == user.id)
                print(await self.session.execute(stmt))  # expect

        async def item_then_group(self, users: list[User]) -> None:
            for user in users:
                print(await self.session.execute(select(Invoice).where(  # expect
                    Invoice.id.in_(user.invoice_ids))))

        async def zipped(self, users: list[User], ids: list[list[int]]) -> None:
            for user, invoice_ids in zip(users, ids):
                print(await self.session.scalars(select(Invoice).where(  # expect
                    Invoice.id.in_(invoice_ids))))
    """
    found, want = check("AG405", SERVICE, source)
    assert found == want and len(want) == 5


# --- AG403: the same bulk write run in chunks is one query -------------------------------

REPO_HEAD = """
    from __future__ import annotations

    import sqlalchemy as sa
    from itertools import batched
    from sqlalchemy import func, select, update
    from sqlalchemy.ext.asyncio import AsyncSession

    from cpv3.modules.users.models import User


    class UserRepository:
        def __init__(self, session: AsyncSession) -> None:
            self.session = session
"""


def test_chunked_bulk_writes_are_one_query() -> None:
    source = REPO_HEAD + """
        async def link(self, ids: list[int], team_id: int) -> None:
            for batch in batched(ids, 1000):
                statement = update(User).where(User.id.in_(batch)).values(team_id=team_id)
                await self.session.execute(statement)

        async def link_pending(self, pending: sa.Select, team_id: int) -> None:
            last_id = None
            while True:
                page = pending if last_id is None else pending.where(User.id > last_id)
                updated = update(User).where(User.id.in_(page.limit(500))).values(
                    team_id=team_id).returning(User.id).cte("updated")
                count, last_id = (await self.session.execute(
                    select(func.count(), func.max(updated.c.id)).select_from(updated))).one()
                if count < 500:
                    break

        async def link_pending_keyset(self, pending: sa.Select, team_id: int) -> None:
            last_id = None
            while True:  # the executed select reads a local built from the update's CTE
                updated = update(User).where(User.id.in_(pending.limit(500))).values(
                    team_id=team_id).returning(User.id).cte("updated")
                statement = select(func.count(), select(updated.c.id).limit(1)
                                   .scalar_subquery()).select_from(updated)
                count, last_id = (await self.session.execute(statement)).one()
                if count < 500:
                    break

        async def insert_in_chunks(self, rows: list[dict[str, int]]) -> None:
            for chunk in batched(rows, 500):
                statement: sa.Insert = sa.insert(User)  # the whole value, annotated
                await self.session.execute(statement, chunk)

        async def purge(self, ids: list[int]) -> None:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                await self.session.execute(sa.delete(User).where(User.id.in_(chunk)))
    """
    found, want = check("AG403", REPO, source)
    assert found == want == []


def test_chunked_reads_beside_an_unrelated_write_stay_reported() -> None:
    source = REPO_HEAD + """
        async def load(self, ids: list[int]) -> list[User]:  # expect
            found: list[User] = []
            logs = []
            for batch in batched(ids, 100):
                found += await self.session.scalars(select(User).where(User.id.in_(batch)))
                logs.append(sa.insert(User).values(note="loaded"))
            return found
    """
    found, want = check("AG403", REPO, source)
    assert found == want and len(want) == 1


def test_chunked_reads_through_locals_that_never_reach_a_write_stay_reported() -> None:
    source = REPO_HEAD + """
        async def load(self, pending: sa.Select) -> None:  # expect
            last_id = None
            while True:
                page = pending.where(User.id > last_id).limit(100)
                statement = select(func.count()).select_from(page.subquery())
                log = sa.insert(User).values(note="paged")
                count, last_id = (await self.session.execute(statement)).one()
                if not count:
                    break
    """
    found, want = check("AG403", REPO, source)
    assert found == want and len(want) == 1


def test_per_item_and_mixed_loops_in_a_repository_stay_reported() -> None:
    source = REPO_HEAD + """
        async def rename_each(self, users: list[User]) -> None:  # expect
            for user in users:
                await self.session.execute(update(User).where(User.id == user.id).values(x=1))

        async def read_in_chunks(self, ids: list[int]) -> list[User]:  # expect
            found: list[User] = []
            for batch in batched(ids, 100):
                found += await self.session.scalars(select(User).where(User.id.in_(batch)))
            return found

        async def two_per_chunk(self, ids: list[int]) -> None:  # expect
            for batch in batched(ids, 100):
                await self.session.execute(update(User).where(User.id.in_(batch)))
                await self.session.execute(select(User).where(User.id.in_(batch)))

        async def then_count(self, ids: list[int]) -> int:  # expect
            for batch in batched(ids, 100):
                await self.session.execute(update(User).where(User.id.in_(batch)))
            return await self.session.scalar(select(func.count()).select_from(User))
    """
    found, want = check("AG403", REPO, source)
    assert found == want and len(want) == 4
    messages = [d.message for d in run({REPO: source}, ["AG403"])]
    assert messages[-1] == "repository method 'then_count' awaits 2 queries"


# --- AG504: cleanup and pings are not database work in a router --------------------------

ROUTER_HEAD = """
    from fastapi import APIRouter, Depends, HTTPException
    import sqlalchemy as sa
    from sqlalchemy import select, text
    from sqlalchemy.ext.asyncio import AsyncSession

    from cpv3.db.session import get_db
    from cpv3.modules.users.service import UserService

    router = APIRouter()
"""


def test_cleanup_and_pure_pings_in_routes_are_not_reported() -> None:
    source = ROUTER_HEAD + """

    @router.post("/tags")
    async def tag(db: AsyncSession = Depends(get_db)) -> None:
        try:
            await UserService(db).tag()
        except LookupError:
            await db.rollback()
            raise HTTPException(status_code=404)
        finally:
            await db.close()


    @router.get("/healthz")
    async def healthz(session: AsyncSession = Depends(get_db)) -> dict[str, str]:
        try:
            await session.execute(select(1))
        except sa.exc.SQLAlchemyError as error:
            raise HTTPException(status_code=503) from error
        return {"status": "ok"}


    @router.get("/probe")
    async def probe(db_session: AsyncSession = Depends(get_db)) -> None:
        await db_session.execute(sa.text("select 1"))
    """
    found, want = check("AG504", ROUTER, source)
    assert found == want == []


def test_pings_beside_other_work_and_real_queries_stay_reported() -> None:
    source = ROUTER_HEAD + """

    @router.get("/health/db")
    async def database_health(db: AsyncSession = Depends(get_db)) -> dict[str, str]:
        await db.execute(text("SELECT 1"))  # expect
        return await UserService(db).liveness()


    @router.get("/one")
    async def one(db: AsyncSession = Depends(get_db)) -> object:
        return await db.scalar(select(1))  # expect


    @router.get("/users")
    async def users(db: AsyncSession = Depends(get_db)) -> None:
        await db.execute(text("select * from users"))  # expect


    @router.post("/save")
    async def save(db: AsyncSession = Depends(get_db)) -> None:
        await UserService(db).save()
        await db.commit()  # expect
    """
    found, want = check("AG504", ROUTER, source)
    assert found == want and len(want) == 4


def test_a_ping_on_a_session_of_an_unknown_type_is_not_a_query_built_in_a_router() -> None:
    source = """
        from fastapi import Depends
        from sqlalchemy import select

        from cpv3.kit.postgres import Session, get_read_session
        from cpv3.kit.routing import APIRouter

        router = APIRouter()


        @router.get("/healthz")
        async def healthz(session: Session = Depends(get_read_session)) -> dict[str, str]:
            await session.execute(select(1))
            return {"status": "ok"}


        @router.get("/users")
        async def users(session: Session = Depends(get_read_session)) -> object:
            await session.execute(select(1))  # expect
            return await session.scalars(select(2))  # expect
    """
    found, want = check("AG504", ROUTER, source)
    assert found == want and len(want) == 2


def test_a_query_built_into_a_local_and_executed_is_one_finding() -> None:
    source = ROUTER_HEAD + """

    @router.get("/prefs")
    async def preferences(db: AsyncSession = Depends(get_db)) -> object:
        statement = select(User).where(User.active)
        return await db.scalars(statement)  # expect


    @router.get("/built")
    async def built_only(db: AsyncSession = Depends(get_db)) -> object:
        statement = select(User)  # expect
        return await UserService(db).run(statement)
    """
    found, want = check("AG504", ROUTER, source)
    assert found == want and len(want) == 2
