"""AG406, AG407, AG701-AG705, AG805: pattern rules run through semgrep (``semgrep_rules/``).

Each class documents one rule of ``semgrep_rules/<slug>.yaml`` for ``archguard rules`` and
``archguard explain``; the YAML holds the patterns (and, in ``metadata``, the code, slug and
hint for semgrep users: a test keeps both in agreement). Nothing here parses YAML, so listing
and explaining rules costs no more than for native rules. The findings come from
``archguard.semgrep.scan`` and go through the same selection, suppressions and output.
"""

from __future__ import annotations

from typing import Any, ClassVar

from archguard.rules.registry import Rule, register

CONFIGURATION = (
    "Runs through semgrep (`semgrep_rules/{slug}.yaml`, shipped with archguard). "
    "`--no-semgrep` or `semgrep = false` turns every semgrep rule off; the rule's `paths:` "
    "follow `package`, `settings-module`, `modules-dir` and `tests-dir`.")


class SemgrepRule(Rule):
    """A rule whose check is a semgrep rule file; this class carries its documentation."""

    engine = "semgrep"
    # Function-level rule: a match on a decorator is reported on the decorated `def` line.
    def_line: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "configuration" not in cls.__dict__:
            cls.configuration = CONFIGURATION.format(slug=cls.name)

    @classmethod
    def rule_file(cls) -> str:
        return f"{cls.name}.yaml"


@register
class SyncDatabase(SemgrepRule):
    """cpv3 is async end to end: a synchronous engine, `sessionmaker` or `Session` blocks
    the event loop on every query and cannot share the async connection pool. Reported:
    `create_engine` (SQLAlchemy or SQLModel, any import form), plain `sessionmaker` (not
    `sessionmaker(..., class_=AsyncSession)`, SQLAlchemy 1.4's async session factory),
    `scoped_session`, any use of `sqlalchemy.orm.Session` (construction, annotation,
    `class_=Session`), and the legacy `session.query(...)` on receivers named like a session
    (`session`, `db`, `self.session`, ...). SQLAlchemy's event API targets the sync
    `Session` class even in async apps: `Session` inside `event.listens_for`/`listen`/
    `contains`/`remove`, or in a `(Session, "event_name", listener)` triple kept for a later
    `event.remove`, is not reported. Test files and migrations (which run on a sync
    connection) are not checked."""

    code = "AG406"
    name = "sync-database"
    summary = "Synchronous SQLAlchemy engine, sessionmaker, Session or session.query()"
    rulebook = ("**Sync database operations** — never use synchronous SQLAlchemy sessions or "
                "engines. Everything is `AsyncSession`.")
    hint = ("Use create_async_engine/async_sessionmaker/AsyncSession and await "
            "session.execute(select(...)) instead of the sync Session/query API.")
    example_path = "cpv3/db/session.py"
    bad = ("from __future__ import annotations\n\n"
           "from sqlalchemy import create_engine\n\n"
           "from cpv3.infrastructure.settings import get_settings\n\n"
           "engine = create_engine(get_settings().database_url)\n")
    good = ("from __future__ import annotations\n\n"
            "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
            "from cpv3.infrastructure.settings import get_settings\n\n"
            "engine = create_async_engine(get_settings().database_url)\n")


@register
class ManualSession(SemgrepRule):
    """A session built by hand escapes the request lifecycle: nobody closes it on error,
    so connections leak. The `get_db` dependency owns that lifecycle; only the db and
    infrastructure layers (`cpv3/db/`, `cpv3/infrastructure/`) create sessions. Reported:
    `AsyncSession(...)`, a call of a factory built with `async_sessionmaker(...)`/
    `sessionmaker(...)` in the same file, and a call of a factory with a conventional name
    (`SessionLocal`, `async_session_factory`, `async_session_maker`, ...). Test files are
    not checked (fixtures build sessions on the test database)."""

    code = "AG407"
    name = "manual-session"
    summary = "AsyncSession or a session factory called outside the db/infrastructure layer"
    rulebook = ("**Session leaks** — `AsyncSession` created manually without proper cleanup "
                "(should use DI's `get_db` which handles lifecycle).")
    hint = ("Take `session: AsyncSession = Depends(get_db)` and pass it down instead of "
            "creating a session by hand.")
    example_path = "cpv3/modules/media/service.py"
    bad = ("from __future__ import annotations\n\n"
           "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
           "from cpv3.db.session import engine\n\n\n"
           "async def count_media() -> int:\n"
           "    async with AsyncSession(engine) as session:\n"
           "        return await MediaRepository(session).count()\n")
    good = ("from __future__ import annotations\n\n"
            "from sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
            "class MediaService:\n"
            "    def __init__(self, session: AsyncSession) -> None:\n"
            "        self._media = MediaRepository(session)\n\n"
            "    async def count_media(self) -> int:\n"
            "        return await self._media.count()\n")


@register
class BlockingCallInAsync(SemgrepRule):
    """One blocking call inside `async def` stalls the whole event loop: every other request
    of the worker waits for it. Reported inside an `async def` (not inside a plain `def` or
    lambda nested in it, which typically runs in a thread): `requests.*`,
    `urllib.request.urlopen`, sync `httpx` (`httpx.get`, `httpx.Client`), `time.sleep`,
    built-in `open()`, `Path.read_text/read_bytes/write_text/write_bytes` (unless awaited,
    as with `anyio.Path`), `subprocess.run/call/check_output/Popen`, `os.system`/`os.popen`.
    Test files are not checked."""

    code = "AG701"
    name = "blocking-call-in-async"
    summary = "A blocking call (HTTP, sleep, file or process I/O) inside async def"
    rulebook = ("**Sync operations in async context** — calling `requests.get()`, `open()` for "
                "large files, CPU-heavy computation, or any blocking call without "
                "`anyio.to_thread.run_sync()`. This blocks the entire event loop.")
    hint = ("Use the async client (httpx.AsyncClient, anyio.open_file, "
            "asyncio.create_subprocess_exec, asyncio.sleep) or wrap it in "
            "`await anyio.to_thread.run_sync(...)`.")
    example_path = "cpv3/infrastructure/remotion_client.py"
    bad = ("from __future__ import annotations\n\n"
           "import time\n\n\n"
           "async def wait_for_render(poll_seconds: float) -> None:\n"
           "    time.sleep(poll_seconds)\n")
    good = ("from __future__ import annotations\n\n"
            "import anyio\n\n\n"
            "async def wait_for_render(poll_seconds: float) -> None:\n"
            "    await anyio.sleep(poll_seconds)\n")


@register
class HardcodedConfig(SemgrepRule):
    """URLs, hosts, ports and credentials differ per environment, and a secret in source is
    a leaked secret. Outside the settings module, reported: a string literal that is a
    whole URL/DSN with a host (`https://...`, `postgresql+asyncpg://...`, `redis://...`,
    `s3://...`; f-strings by their literal part), a third-party endpoint included (tests
    and staging point it elsewhere); a `host:port` literal; and a literal secret (8+
    characters, or letters mixed with digits) bound to a name, keyword or dict key ending
    in password/secret/token/api_key/... . Not configuration: docstrings, messages with
    spaces, a scheme without a host (`sqlite:///{path}`), `example.com`, schema
    namespaces, the `public-hosts` you list, example data (`example=`, `examples/`
    folders), OpenAPI metadata (`servers`, `contact`, `license_info`) and links for people
    bound to names, dict keys or subscripts that say so (`docs_url = ...`, `"weblink":
    data.get("join_url", "https://...")`, `update["avatar_url"] = ...`) or returned as the
    text of a function or property named so (`def avatar_url(self): return f"..."`), a value
    in a branch taken only outside production (`if not settings.PRODUCTION:`, `if
    settings.DEBUG:`), a loopback
    listener whose port is only known at run time (`f"http://127.0.0.1:{port}/mcp"`:
    http/ws on localhost, 127.0.0.1 or [::1]), a URL requested over a Unix socket
    (`transport=httpx.AsyncHTTPTransport(uds=path)`, or given beside a client factory of
    the same file that passes `uds=`: its host is a placeholder), a literal
    compared
    with a setting or given as the last fallback of one (`settings.BASE_URL !=
    "http://localhost:8080"`, `opts.url or settings.url or "https://..."`: the setting is
    the configuration; `settings`/`get_settings()` as written); names that merely
    contain the word (`token_type`, `password_hash`) are not secrets, and neither is a
    placeholder value: at most a short vendor prefix (1-5 letters) followed only by words
    saying it is not real (`valid`, `invalid`, `test`, `testing`, `dummy`, `fake`, `mock`,
    `example`, `sample`, `placeholder`, `redacted`, `changeme`, `xxx`), as in
    `App(token="xoxb-valid", token_verification_enabled=False)`. Test files are not
    checked."""

    code = "AG702"
    name = "hardcoded-config"
    summary = "A URL/DSN, host:port or secret literal outside the settings module"
    rulebook = ("**Hardcoded configuration** — URLs, credentials, feature flags, or any "
                "environment-specific values not coming from `get_settings()`.")
    hint = ("Move the value to a Settings field in {settings_module} and read it via "
            "get_settings().")
    example_path = "cpv3/modules/webhooks/service.py"
    bad = ("from __future__ import annotations\n\n"
           "import httpx\n\n\n"
           "async def notify(payload: dict[str, str]) -> None:\n"
           "    async with httpx.AsyncClient() as client:\n"
           "        await client.post(\"http://remotion-worker:3001/render\", json=payload)\n")
    good = ("from __future__ import annotations\n\n"
            "import httpx\n\n"
            "from cpv3.infrastructure.settings import get_settings\n\n\n"
            "async def notify(payload: dict[str, str]) -> None:\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        await client.post(get_settings().remotion_webhook_url, json=payload)\n")


@register
class EnvironmentAccess(SemgrepRule):
    """The environment is read in one place, the settings module, where pydantic-settings
    validates and documents every value; `os.environ` anywhere else is an undeclared,
    unvalidated setting. Every read of `os.environ`/`os.environb` and every call of
    `os.getenv` is reported, through any import form. Not reported, because no setting of
    the application is read: the whole environment handed on to a child process
    (`os.environ.copy()`, `dict(os.environ)`, `{**os.environ}`, `env=os.environ`,
    `os.execvpe(..., os.environ)`) or a filtered copy of it built as a mapping (`{k: v for
    k, v in os.environ.items() if ...}`), writes that configure a library (`os.environ[K] = v`,
    `setdefault`, also spelled out as `if K not in os.environ: os.environ[K] = v`, `update`,
    `del`, `os.putenv`, `os.unsetenv`), and the operating system's own variables read by a
    literal name (`PATH`, `HOME`, `USER`, `SHELL`, `TMPDIR`, `LANG`, `HOSTNAME`, ...). The
    settings module and test files are not checked. Nor is a hand-off: a variable, read by
    a literal name, that the package itself writes into an environment it builds for a
    child process (a mapping named `env`, `sandbox_env`, `env_vars`, `environment`, ...:
    `env["RUN_TOKEN"] = token`, `env.update({...})`, `env = {...}`, or `env={...}` in a
    call), unless the settings module reads it too (then it is a setting the child could
    read there). A guess, on by default
    (`allow-env-in-scripts`): a standalone script, a module with an `if __name__ ==
    "__main__":` block that imports nothing from the package, cannot reach the settings
    module (a sandbox runner kept free of the package, an entry point exec'd with its run's
    values in the environment) and is not reported, nor is the body of any module's
    `__main__` block (a manual test harness)."""

    code = "AG703"
    name = "environment-access"
    summary = "os.environ or os.getenv outside the settings module"
    rulebook = ("Settings via `get_settings()` from `cpv3.infrastructure.settings` (cached with "
                "`@lru_cache`)")
    hint = ("Add a Settings field in {settings_module} and read get_settings().<field> "
            "instead of os.environ/os.getenv.")
    example_path = "cpv3/infrastructure/storage.py"
    bad = ("from __future__ import annotations\n\n"
           "import os\n\n\n"
           "def bucket_name() -> str:\n"
           "    return os.environ[\"S3_BUCKET\"]\n")
    good = ("from __future__ import annotations\n\n"
            "from cpv3.infrastructure.settings import get_settings\n\n\n"
            "def bucket_name() -> str:\n"
            "    return get_settings().s3_bucket\n")


@register
class UnboundedActor(SemgrepRule):
    """An actor without bounds retries a poisoned message forever (Dramatiq's default is 20
    retries with growing backoff) and can run without a time limit, holding a worker. Every
    `@dramatiq.actor` (bare or called, aliases, the functional form, a project wrapper named
    `actor`) must pass both `max_retries=` and `time_limit=`, except a bound the broker's
    middleware gives every actor (`Retries(max_retries=...)`, `TimeLimit(time_limit=...)`
    anywhere in the package, or the `actor-bounds` setting). Reported on the actor's `def`
    line. Test files are not checked."""

    code = "AG704"
    name = "unbounded-actor"
    summary = "A Dramatiq actor without both max_retries= and time_limit="
    rulebook = ("**Unbounded background tasks** — Dramatiq actors without retry limits, "
                "timeout, or rate limiting. Every actor needs explicit bounds.")
    hint = "Declare the actor as @dramatiq.actor(max_retries=N, time_limit=MS, ...)."
    example_path = "cpv3/modules/tasks/service.py"
    def_line = True
    bad = ("from __future__ import annotations\n\n"
           "import dramatiq\n\n\n"
           "@dramatiq.actor(queue_name=\"media\")\n"
           "def transcribe_media(media_id: str) -> None:\n"
           "    ...\n")
    good = ("from __future__ import annotations\n\n"
            "import dramatiq\n\n\n"
            "@dramatiq.actor(queue_name=\"media\", max_retries=3, time_limit=600_000)\n"
            "def transcribe_media(media_id: str) -> None:\n"
            "    ...\n")


@register
class ActorLocation(SemgrepRule):
    """Actors are entry points into the system like routes: keeping them in one file makes
    the queue topology reviewable and keeps business logic in the owning module's service,
    which the actor calls. Any actor declaration outside `cpv3/modules/tasks/service.py`
    is reported (decorator bare or called, functional form, `GenericActor` subclass), on
    the `def` (or `class`) line. Test files are not checked."""

    code = "AG705"
    name = "actor-location"
    summary = "A Dramatiq actor declared outside the tasks module's service file"
    rulebook = "Actors live in `cpv3/modules/tasks/service.py`"
    hint = ("Move the actor into {tasks_service} and have it call the owning module's "
            "service.")
    example_path = "cpv3/modules/media/service.py"
    def_line = True
    bad = ("from __future__ import annotations\n\n"
           "import dramatiq\n\n\n"
           "@dramatiq.actor(max_retries=3, time_limit=600_000)\n"
           "def transcribe_media(media_id: str) -> None:\n"
           "    ...\n")
    good = ("# file: cpv3/modules/tasks/service.py\n"
            "from __future__ import annotations\n\n"
            "import dramatiq\n\n\n"
            "@dramatiq.actor(max_retries=3, time_limit=600_000)\n"
            "def transcribe_media(media_id: str) -> None:\n"
            "    ...\n")


@register
class MockedDatabase(SemgrepRule):
    """A mocked session accepts any query, so the test passes whatever SQL the code builds:
    false confidence. Tests run against a real test database. Reported in test files only
    (under `tests-dir`, `test_*.py`, `*_test.py`, `conftest.py`): a mock specced as
    `AsyncSession`, patching `get_db`, and `dependency_overrides[get_db]` set to a mock.
    Overriding `get_db` with a fixture that yields a real session, and mocks of other things
    (Redis, HTTP clients), are fine. So is a placeholder: a mock that a `conftest.py` fixture
    returns or yields when no function under that conftest's folder takes the fixture (as a
    parameter, in `usefixtures(...)` or `getfixturevalue(...)`), as in a DB-free suite that
    overrides the global `session` fixture so the parent conftest's setup never reaches the
    database: no test runs code against it."""

    code = "AG805"
    name = "mocked-database"
    summary = "A test mocks AsyncSession or get_db"
    rulebook = ("**Mocking the database in tests** — use real database sessions against a test "
                "database. Mocked DB tests provide false confidence and miss real query issues.")
    hint = ("Use a real AsyncSession on the test database (override get_db with a fixture "
            "yielding it) instead of a mock.")
    example_path = "tests/test_users.py"
    bad = ("from __future__ import annotations\n\n"
           "from unittest.mock import AsyncMock\n\n"
           "from sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
           "async def test_create_user() -> None:\n"
           "    session = AsyncMock(spec=AsyncSession)\n"
           "    await UserService(session).create(UserCreate(email=\"a@b.c\"))\n")
    good = ("from __future__ import annotations\n\n"
            "from sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
            "async def test_create_user(db_session: AsyncSession) -> None:\n"
            "    await UserService(db_session).create(UserCreate(email=\"a@b.c\"))\n")
