"""AG301 schema-base: Pydantic models derive from the project's Schema, in any form."""

from __future__ import annotations

from archguard.project.config import Config
from helpers import dedent, findings, run

SCHEMA = "cpv3/common/schemas.py"
SCHEMA_SOURCE = dedent("""
    from __future__ import annotations

    from pydantic import BaseModel, ConfigDict


    class Schema(BaseModel):
        model_config = ConfigDict(from_attributes=True)
""")
PATH = "cpv3/modules/media/schemas.py"


def check(source: str, **extra: str) -> list[tuple[str, str, int]]:
    return findings({SCHEMA: SCHEMA_SOURCE, PATH: dedent(source), **extra}, ["AG301"])


def test_raw_basemodel_in_every_import_form() -> None:
    assert check("""
        import pydantic
        import pydantic as pd
        from pydantic import BaseModel as BM, RootModel
        from pydantic.main import BaseModel


        class A(pydantic.BaseModel):
            pass


        class B(pd.BaseModel):
            pass


        class C(BM):
            pass


        class D(RootModel[list[int]]):
            pass


        @decorated
        class E(BaseModel):
            pass


        def factory() -> type:
            class Nested(BM):
                pass
            return Nested
    """) == [(
        "AG301", PATH, line) for line in (7, 11, 15, 19, 24, 29)]


def test_project_hierarchy_through_schema_is_fine_in_any_file() -> None:
    assert check(
        """
        from pydantic import BaseModel

        from cpv3.common.schemas import Schema
        from cpv3.modules.users.schemas import UserRead


        class MediaRead(Schema):
            pass


        class MediaDetailRead(UserRead):
            pass


        class Mixed(Schema, BaseModel):
            pass
        """,
        **{"cpv3/modules/users/schemas.py": dedent("""
            from cpv3.common.schemas import Schema as S


            class UserRead(S):
                pass
        """)},
    ) == []


def test_schema_definition_itself_and_base_settings_are_exempt() -> None:
    assert check("""
        from pydantic_settings import BaseSettings
        from pydantic import BaseModel as Model


        class Settings(BaseSettings):
            debug: bool = False


        class BaseModel:
            pass


        class NotPydantic(BaseModel):
            pass
    """) == []


def test_reexported_basemodel_and_subclass_of_raw_model() -> None:
    shared = dedent("""
        from pydantic import BaseModel

        __all__ = ["BaseModel"]
    """)
    assert check(
        """
        from cpv3.common.base import BaseModel


        class Raw(BaseModel):
            pass


        class Child(Raw):
            pass
        """,
        **{"cpv3/common/base.py": shared},
    ) == [("AG301", PATH, 4), ("AG301", PATH, 8)]  # Child reaches BaseModel through Raw


def test_chain_through_project_classes_in_other_files() -> None:
    files = {
        "cpv3/common/schemas.py": "from pydantic import BaseModel\n\n\nclass Schema(BaseModel):\n"
                                  "    pass\n",
        "cpv3/common/raw.py": "from pydantic import BaseModel\n\n\nclass Entity(BaseModel):\n"
                              "    pass\n\n\nclass Named(Entity):\n    pass\n",
        "cpv3/common/broken.py": "class Broken(\n",
        PATH: dedent("""
            from cpv3.common.broken import Broken
            from cpv3.common.raw import Named
            from cpv3.common.schemas import Schema
            from somelib import LibraryModel


            class MediaRead(Named):
                pass


            class MediaCreate(Schema):
                pass


            class MediaUpdate(LibraryModel):
                pass


            class MediaPatch(Broken):
                pass
        """),
    }
    found = run(files, ["AG301"])
    assert [(d.path, d.line) for d in found] == [
        ("cpv3/common/raw.py", 4), ("cpv3/common/raw.py", 8), (PATH, 7)]
    assert found[-1].message == ("schema 'MediaRead' derives from pydantic.BaseModel (through "
                                 "Named, Entity) instead of cpv3.common.schemas.Schema")


def test_configured_schema_base() -> None:
    config = Config(schema_base="cpv3.common.dto.Dto")
    files = {
        "cpv3/common/dto.py": "from pydantic import BaseModel\n\n\nclass Dto(BaseModel):\n"
                              "    pass\n",
        PATH: "from cpv3.common.dto import Dto\nfrom pydantic import BaseModel\n\n\n"
              "class A(Dto):\n    pass\n\n\nclass B(BaseModel):\n    pass\n",
    }
    assert findings(files, ["AG301"], config) == [("AG301", PATH, 9)]
