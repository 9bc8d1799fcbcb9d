"""AG304 model-base and AG305 implicit-column-type."""

from __future__ import annotations

from archguard.project.config import Config
from helpers import BASE, BASE_SOURCE, dedent, findings, run

MODELS = "cpv3/modules/media/models.py"


def tree(**files: str) -> dict[str, str]:
    return {BASE: BASE_SOURCE, **{path: dedent(source) for path, source in files.items()}}


# --- AG304 model-base ---------------------------------------------------------------------

def test_models_missing_the_base_or_the_mixin() -> None:
    files = tree(**{MODELS: """
        from __future__ import annotations

        from sqlalchemy.orm import declared_attr

        from cpv3.db.base import Base, BaseModelMixin


        class Media(Base):
            __tablename__ = "media"


        class Thumbnail(BaseModelMixin):
            __tablename__ = "thumbnails"


        class Orphan:
            __tablename__ = "orphans"


        @some_decorator
        class Declared(BaseModelMixin):
            @declared_attr
            def __tablename__(cls) -> str:
                return "declared"


        class Plain(Base):
            __table__ = media_table


        class NotAbstract(Base):
            __abstract__ = False
    """})
    assert findings(files, ["AG304"]) == [
        ("AG304", MODELS, 8), ("AG304", MODELS, 12), ("AG304", MODELS, 16),
        ("AG304", MODELS, 21), ("AG304", MODELS, 27), ("AG304", MODELS, 31),
    ]
    messages = [d.message for d in run(files, ["AG304"])]
    assert messages[:3] == [
        "model 'Media' derives from Base but not BaseModelMixin",
        "model 'Thumbnail' derives from BaseModelMixin but not Base",
        "model 'Orphan' derives from neither Base nor BaseModelMixin",
    ]


def test_aliases_reexports_and_abstract_intermediates_across_files() -> None:
    files = tree(**{
        "cpv3/db/__init__.py": "from cpv3.db.base import Base, BaseModelMixin as Mixin\n",
        "cpv3/db/audited.py": """
            from cpv3.db import Base, Mixin


            class AuditedBase(Base, Mixin):
                __abstract__ = True


            class HalfBase(Base):
                __abstract__ = True
        """,
        MODELS: """
            from __future__ import annotations

            import cpv3.db.base as db
            from cpv3.db import Base, Mixin
            from cpv3.db.audited import AuditedBase, HalfBase
            from cpv3.db.base import BaseModelMixin as BMM


            class Media(db.Base, db.BaseModelMixin):
                __tablename__ = "media"


            class Clip(Base, Mixin):
                __tablename__ = "clips"


            class Audited(AuditedBase):
                __tablename__ = "audited"


            class Half(HalfBase, BMM):
                __tablename__ = "half"


            class Subclip(Clip):
                pass


            class NotAModel:
                name = "x"
        """,
    })
    assert findings(files, ["AG304"]) == []


def test_an_intermediate_base_without_abstract_is_a_model() -> None:
    files = tree(**{MODELS: """
        from cpv3.db.base import Base, BaseModelMixin


        class TimestampedBase(Base):
            pass


        class Media(TimestampedBase, BaseModelMixin):
            __tablename__ = "media"
    """})
    assert findings(files, ["AG304"]) == [("AG304", MODELS, 4)]


def test_configured_base_and_mixin() -> None:
    files = {
        "cpv3/core/orm.py": dedent("""
            from sqlalchemy.orm import DeclarativeBase


            class Model(DeclarativeBase):
                pass


            class SoftDelete:
                pass
        """),
        MODELS: dedent("""
            from cpv3.core.orm import Model, SoftDelete
            from cpv3.db.base import Base, BaseModelMixin


            class Media(Model, SoftDelete):
                __tablename__ = "media"


            class Legacy(Base, BaseModelMixin):
                __tablename__ = "legacy"
        """),
        BASE: BASE_SOURCE,
    }
    config = Config(model_base="cpv3.core.orm.Model", model_mixin="cpv3.core.orm.SoftDelete")
    assert findings(files, ["AG304"], config) == [("AG304", MODELS, 9)]


def test_a_model_with_its_own_key_and_the_mixin_s_other_columns_is_not_asked_for_it() -> None:
    """tracecat's RecordModel adds a surrogate key to TimestampMixin's columns: a model with
    a key of its own and those columns (from another mixin, in another file) lacks nothing
    but a second key. Reported still: a model missing a timestamp, one without a key, and
    every model when the mixin has no key to compare (the default BaseModelMixin)."""
    files = {
        "cpv3/core/orm.py": dedent("""
            from datetime import datetime

            from sqlalchemy import DateTime, Integer
            from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


            class Base(DeclarativeBase):
                pass


            class TimestampMixin:
                created_at: Mapped[datetime] = mapped_column(DateTime)

                @declared_attr
                def updated_at(cls) -> Mapped[datetime]:
                    return mapped_column(DateTime)


            class RecordModel(TimestampMixin, Base):
                __abstract__ = True

                surrogate_id: Mapped[int] = mapped_column(Integer, primary_key=True)
        """),
        "cpv3/core/stamps.py": dedent("""
            from datetime import datetime

            from sqlalchemy import DateTime
            from sqlalchemy.orm import Mapped, mapped_column

            from cpv3.core.orm import TimestampMixin


            class Stamped(TimestampMixin):
                pass


            class CreatedOnly:
                created_at: Mapped[datetime] = mapped_column(DateTime)
        """),
        MODELS: dedent("""
            from uuid import UUID

            from sqlalchemy import ForeignKey, PrimaryKeyConstraint, String, Uuid
            from sqlalchemy.orm import Mapped, mapped_column

            from cpv3.core.orm import Base, TimestampMixin
            from cpv3.core.stamps import CreatedOnly, Stamped


            class Scope(Base, TimestampMixin):
                __tablename__ = "scope"

                id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)


            class Membership(Base, Stamped):
                __tablename__ = "membership"
                __table_args__ = (PrimaryKeyConstraint("user_id", "org_id"),)

                user_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("users.id"))
                org_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("orgs.id"))
                role: Mapped[str] = mapped_column(String(20))


            class Draft(Base, CreatedOnly):
                __tablename__ = "draft"

                id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)


            class Keyless(Base, TimestampMixin):
                __tablename__ = "keyless"
        """),
    }
    config = Config(model_base="cpv3.core.orm.Base", model_mixin="cpv3.core.orm.RecordModel")
    assert findings(files, ["AG304"], config) == [("AG304", MODELS, 25), ("AG304", MODELS, 31)]
    assert findings(files, ["AG304"], Config(model_base="cpv3.core.orm.Base",
                                             model_mixin="cpv3.core.orm.TimestampMixin")) == [
        ("AG304", MODELS, 25)]


def test_a_base_archguard_cannot_see_may_supply_what_the_mixin_gives() -> None:
    """tracecat's fastapi-users tables: `AccessToken(SQLAlchemyBaseAccessTokenTableUUID,
    Base)` gets its key, timestamps and user key from the library; unknown, not reported,
    whether the library class is named directly, through a project alias or re-export, or
    comes from a project file that fails to parse. SQLAlchemy's own classes and the standard
    library's supply no columns: still judged."""
    files = tree(**{
        "cpv3/db/users.py": """
            from fastapi_users_db_sqlalchemy import SQLAlchemyBaseUserTableUUID as UserTable
        """,
        "cpv3/db/__init__.py": "from cpv3.db.users import UserTable\n",
        "cpv3/db/broken.py": "class Stamped(:\n",
        MODELS: """
            import abc

            from fastapi_users_db_sqlalchemy.access_token import (
                SQLAlchemyBaseAccessTokenTableUUID,
            )
            from sqlalchemy.orm import MappedAsDataclass

            from cpv3.db import UserTable
            from cpv3.db.base import Base
            from cpv3.db.broken import Stamped


            class AccessToken(SQLAlchemyBaseAccessTokenTableUUID, Base):
                pass


            class User(UserTable, Base):
                __tablename__ = "users"


            class Stamp(Base, Stamped):
                __tablename__ = "stamps"


            class Admin(User):
                __tablename__ = "admins"


            class Dated(MappedAsDataclass, Base):
                __tablename__ = "dated"


            class Checked(Base, abc.ABC):
                __tablename__ = "checked"


            class Plain(Base):
                __tablename__ = "plain"
        """,
    })
    assert findings(files, ["AG304", "AG000"]) == [
        ("AG000", "cpv3/db/broken.py", 1),
        ("AG304", MODELS, 29),  # sqlalchemy's MappedAsDataclass declares no key
        ("AG304", MODELS, 33),  # abc.ABC neither
        ("AG304", MODELS, 37)]


# --- AG305 implicit-column-type -----------------------------------------------------------

def test_columns_without_a_type_in_every_form() -> None:
    files = {MODELS: dedent("""
        from __future__ import annotations

        import sqlalchemy as sa
        from sqlalchemy import Column, ForeignKey, Identity, Sequence
        from sqlalchemy import orm
        from sqlalchemy.orm import Mapped
        from sqlalchemy.orm import mapped_column as col

        from cpv3.db.base import Base, BaseModelMixin


        class Media(Base, BaseModelMixin):
            __tablename__ = "media"

            title: Mapped[str] = col()
            owner_id: Mapped[int] = col(ForeignKey("users.id"), index=True)
            legacy: Mapped[str] = orm.mapped_column("legacy_name", nullable=True)
            seq: Mapped[int] = col(Sequence("media_seq"), primary_key=True)
            ident: Mapped[int] = col(Identity(), primary_key=True)
            project_id = sa.Column(
                sa.ForeignKey("projects.id"),
                nullable=False,
            )
            plain = Column(primary_key=True)
            nothing: Mapped[str] = col(None)
            named = Column("named")


        def latest(session: object) -> object:
            query = select(Media).order_by(sa.desc(Column("created_at")))
            index = sa.Index("ix", sa.func.lower(Column("email")))
            op.add_column("media", sa.Column("nickname"))
            return T("t", sa.MetaData(), Column("untyped"), query, index)
    """)}
    assert findings(files, ["AG305"]) == [
        ("AG305", MODELS, 15), ("AG305", MODELS, 16), ("AG305", MODELS, 17),
        ("AG305", MODELS, 18), ("AG305", MODELS, 19), ("AG305", MODELS, 20),
        ("AG305", MODELS, 24), ("AG305", MODELS, 25), ("AG305", MODELS, 26),
        ("AG305", MODELS, 32), ("AG305", MODELS, 33),  # declared by a call, Table as T too;
    ]  # the query's and the index's column clauses are no declarations
    assert run(files, ["AG305"])[0].message == "col() without an explicit SQL type"


def test_a_column_reused_from_the_superclass_is_not_judged() -> None:
    """polar's single-table price subclasses redeclare the base's typed column with
    `use_existing_column=True`: its type is the base's. `False`, or a computed flag, is a
    column of its own, judged as usual."""
    files = {MODELS: dedent("""
        from __future__ import annotations

        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column

        from cpv3.db.base import Base, BaseModelMixin


        class Price(Base, BaseModelMixin):
            __tablename__ = "prices"

            interval: Mapped[str | None] = mapped_column(String(20), nullable=True)


        class FixedPrice(Price):
            interval: Mapped[None] = mapped_column(use_existing_column=True, default=None)
            note: Mapped[str] = mapped_column(use_existing_column=False)
            other: Mapped[str] = mapped_column(use_existing_column=REUSE)
    """)}
    assert findings(files, ["AG305"]) == [("AG305", MODELS, 17), ("AG305", MODELS, 18)]


def test_explicit_types_and_calls_that_cannot_be_judged() -> None:
    files = {MODELS: dedent("""
        from __future__ import annotations

        import sqlalchemy as sa
        from sqlalchemy import JSON, ForeignKey, String, Uuid
        from sqlalchemy.dialects.postgresql import ARRAY, JSONB
        from sqlalchemy.orm import Mapped, mapped_column

        from cpv3.db.base import Base, BaseModelMixin

        UUID_TYPE = Uuid(as_uuid=True)


        class Media(Base, BaseModelMixin):
            __tablename__ = "media"

            title: Mapped[str] = mapped_column(String(200))
            owner_id: Mapped[str] = mapped_column(Uuid, ForeignKey("users.id"))
            legacy: Mapped[str] = mapped_column("legacy_name", String, nullable=True)
            typed: Mapped[str] = mapped_column(type_=String(20))
            tags: Mapped[list[str]] = mapped_column(ARRAY(String))
            payload: Mapped[dict] = mapped_column(JSONB)
            alias_type: Mapped[str] = mapped_column(UUID_TYPE)
            spread: Mapped[str] = mapped_column(*COMMON)
            options: Mapped[str] = mapped_column(**OPTIONS)
            count = sa.Column(sa.Integer, primary_key=True)
            data = sa.Column("data", JSON)
    """), "cpv3/modules/media/service.py": dedent("""
        from rich.table import Column


        def mapped_column() -> None:
            return None


        def build() -> None:
            mapped_column()
            Column()
    """)}
    assert findings(files, ["AG305"]) == []


# letta's declarative base and its keyless mixin of the rulebook's columns
LETTA_BASE = dedent("""
            from datetime import datetime

            from sqlalchemy import Boolean, DateTime, String
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class CommonMeta(Base):
                __abstract__ = True

                created_at: Mapped[datetime] = mapped_column(DateTime)
                updated_at: Mapped[datetime] = mapped_column(DateTime)
                is_deleted: Mapped[bool] = mapped_column(Boolean)
""")


def test_without_the_configured_mixin_the_rulebook_columns_decide() -> None:
    """letta's models derive from SqlalchemyBase (an `id` key over CommonSqlalchemyMetaMixins'
    created_at, updated_at, is_deleted) and the configured BaseModelMixin does not exist:
    such a model lacks nothing the mixin would give. Reported still: a model on the base
    alone, and one whose project base lacks the soft-delete flag."""
    files = {
        "cpv3/orm/base.py": LETTA_BASE + dedent("""


            class SqlalchemyBase(CommonMeta):
                __abstract__ = True

                id: Mapped[str] = mapped_column(String, primary_key=True)


            class Stamped(Base):
                __abstract__ = True

                id: Mapped[str] = mapped_column(String, primary_key=True)
                created_at: Mapped[datetime] = mapped_column(DateTime)
                updated_at: Mapped[datetime] = mapped_column(DateTime)
        """),
        MODELS: dedent("""
            from sqlalchemy import String
            from sqlalchemy.orm import Mapped, mapped_column

            from cpv3.orm.base import Base, SqlalchemyBase, Stamped


            class Agent(SqlalchemyBase):
                __tablename__ = "agents"

                name: Mapped[str] = mapped_column(String)


            class Tag(Base):
                __tablename__ = "tags"

                id: Mapped[str] = mapped_column(String, primary_key=True)


            class Note(Stamped):
                __tablename__ = "notes"
        """),
    }
    config = Config(model_base="cpv3.orm.base.Base", model_mixin="cpv3.orm.base.BaseModelMixin")
    assert findings(files, ["AG304"], config) == [("AG304", MODELS, 13), ("AG304", MODELS, 19)]


def test_a_keyless_mixin_and_table_level_foreign_keys() -> None:
    """letta: the mixin (CommonMeta) has no key; BlocksTags has its own key and every column
    of the mixin, so it lacks nothing. BlocksAgents links two tables through a table-level
    ForeignKeyConstraint (block_id, block_label) and a column ForeignKey (agent_id), all in
    its key: an association table. Reported: a model with a key but no timestamps, and one
    whose key holds a column no foreign key names (a value, not a link)."""
    files = {
        "cpv3/orm/base.py": LETTA_BASE,
        MODELS: dedent("""
            from datetime import datetime

            from sqlalchemy import Boolean, DateTime, ForeignKey, ForeignKeyConstraint, String
            from sqlalchemy.orm import Mapped, mapped_column

            from cpv3.orm.base import Base


            class BlocksTags(Base):
                __tablename__ = "blocks_tags"

                id: Mapped[str] = mapped_column(String, primary_key=True)
                created_at: Mapped[datetime] = mapped_column(DateTime)
                updated_at: Mapped[datetime] = mapped_column(DateTime)
                is_deleted: Mapped[bool] = mapped_column(Boolean)


            class BlocksAgents(Base):
                __tablename__ = "blocks_agents"
                __table_args__ = (
                    ForeignKeyConstraint(["block_id", "block_label"], ["block.id", "block.label"]),
                )

                agent_id: Mapped[str] = mapped_column(String, ForeignKey("agents.id"),
                                                      primary_key=True)
                block_id: Mapped[str] = mapped_column(String, primary_key=True)
                block_label: Mapped[str] = mapped_column(String, primary_key=True)


            class Plain(Base):
                __tablename__ = "plain"

                id: Mapped[str] = mapped_column(String, primary_key=True)


            class AgentsTags(Base):
                __tablename__ = "agents_tags"

                agent_id: Mapped[str] = mapped_column(String, ForeignKey("agents.id"),
                                                      primary_key=True)
                tag: Mapped[str] = mapped_column(String, primary_key=True)
        """),
    }
    config = Config(model_base="cpv3.orm.base.Base", model_mixin="cpv3.orm.base.CommonMeta")
    assert findings(files, ["AG304"], config) == [("AG304", MODELS, 30), ("AG304", MODELS, 36)]
