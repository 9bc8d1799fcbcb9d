"""AG302 schema-suffix and AG303 schema-string-enum, on real multi-file trees."""

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
USERS = "cpv3/modules/users/schemas.py"
POSTS = "cpv3/modules/posts"


def tree(**files: str) -> dict[str, str]:
    """The Schema base plus the given files (dedented)."""
    return {SCHEMA: SCHEMA_SOURCE, **{k: dedent(v) for k, v in files.items()}}


# --- AG302 schema-suffix ------------------------------------------------------------------

def test_suffixes_through_hierarchies_and_reexports_across_files() -> None:
    files = tree(**{
        "cpv3/common/dto.py": """
            from cpv3.common.schemas import Schema


            class TimestampedSchema(Schema):
                created_at: str
        """,
        "cpv3/common/__init__.py": "from cpv3.common.schemas import Schema as BaseSchema\n",
        USERS: """
            from __future__ import annotations

            import cpv3.common.schemas as schemas
            from cpv3.common import BaseSchema
            from cpv3.common.dto import TimestampedSchema


            class UserOut(TimestampedSchema):
                id: int


            class UserPayload(BaseSchema):
                id: int


            class UserDTO(schemas.Schema):
                id: int


            class UserRead(TimestampedSchema):
                id: int


            class UserReadDetail(UserRead):
                email: str
        """,
    })
    assert findings(files, ["AG302"]) == [
        ("AG302", USERS, 8), ("AG302", USERS, 12), ("AG302", USERS, 16), ("AG302", USERS, 24),
    ]


def test_private_nested_non_schema_and_other_files_are_exempt() -> None:
    files = tree(**{
        USERS: """
            from __future__ import annotations

            from enum import Enum

            from pydantic import BaseModel

            from cpv3.common.schemas import Schema


            class _UserFields(Schema):
                email: str


            class UserCreate(_UserFields):
                class Nested(Schema):
                    x: int


            class Helper:
                pass


            class Kind(Enum):
                A = 1


            class RawModel(BaseModel):
                x: int
        """,
        "cpv3/modules/users/service.py": """
            from cpv3.common.schemas import Schema


            class UserOut(Schema):
                id: int
        """,
    })
    assert findings(files, ["AG302"]) == []


def test_the_schema_base_itself_and_configured_suffixes() -> None:
    base = "cpv3/modules/users/schemas.py"
    files = {base: dedent("""
        from pydantic import BaseModel


        class Schema(BaseModel):
            pass


        class UserBase(Schema):
            pass


        class UserView(Schema):
            pass
    """)}
    config = Config(schema_base="cpv3.modules.users.schemas.Schema",
                    schema_suffixes=["Create", "Update", "Read", "Base"])
    assert findings(files, ["AG302"], config) == [("AG302", base, 12)]
    message = run(files, ["AG302"], config)[0].message
    assert message == "schema 'UserView' must end in Create, Update, Read or Base"


# --- AG303 schema-string-enum -------------------------------------------------------------

ENUMS = f"{POSTS}/models.py"
ENUMS_SOURCE = """
    from __future__ import annotations

    import enum
    from enum import StrEnum, auto


    class PostStatus(StrEnum):
        DRAFT = "draft"
        PUBLISHED = "published"


    class Visibility(str, enum.Enum):
        PUBLIC = auto()
        PRIVATE = auto()


    class Priority(enum.IntEnum):
        LOW = 1


    class Flavour(enum.Enum):
        SWEET = "sweet"
"""


def test_str_enums_defined_in_a_schemas_file_in_every_form() -> None:
    files = tree(**{
        "cpv3/common/enums.py": """
            from enum import Enum


            class LabelEnum(str, Enum):
                pass
        """,
        USERS: """
            from __future__ import annotations

            import enum
            from enum import Enum, IntEnum
            from enum import StrEnum as SE

            from cpv3.common.enums import LabelEnum


            class Role(str, Enum):
                ADMIN = "admin"


            class Theme(SE):
                DARK = "dark"


            class Locale(str, enum.Enum):
                EN = "en"


            class Colour(LabelEnum):
                RED = "red"


            class Level(IntEnum):
                LOW = 1


            class Kind(Enum):
                A = "a"
        """,
    })
    assert findings(files, ["AG303"]) == [
        ("AG303", USERS, 10), ("AG303", USERS, 14), ("AG303", USERS, 18), ("AG303", USERS, 22),
    ]


def test_str_enum_field_types_anywhere_through_reexports_and_quotes() -> None:
    schemas = f"{POSTS}/schemas.py"
    service = f"{POSTS}/service.py"
    files = tree(**{
        ENUMS: ENUMS_SOURCE,
        f"{POSTS}/__init__.py": "from cpv3.modules.posts.models import PostStatus\n",
        schemas: """
            from __future__ import annotations

            from typing import TYPE_CHECKING, Annotated, Literal, Optional

            from pydantic import Field

            from cpv3.common.schemas import Schema
            from cpv3.modules.posts import PostStatus
            from cpv3.modules.posts import models

            if TYPE_CHECKING:
                from cpv3.modules.posts.models import Visibility


            class PostRead(Schema):
                status: PostStatus
                previous: Optional[PostStatus] = None
                history: "list[PostStatus]"
                visibility: Visibility | None = None
                also: models.Visibility
                label: Annotated[str, Field(description="PostStatus")]
                literal: Literal["PostStatus"]
                priority: models.Priority
                flavour: models.Flavour

                def method(self, status: PostStatus) -> PostStatus:
                    local: PostStatus = status
                    return local
        """,
        service: """
            from __future__ import annotations

            from dataclasses import dataclass

            from cpv3.common.schemas import Schema
            from cpv3.modules.posts.models import PostStatus


            class PostSummaryRead(Schema):
                status: PostStatus


            @dataclass
            class Row:
                status: PostStatus
        """,
    })
    assert findings(files, ["AG303"]) == [
        ("AG303", schemas, 16), ("AG303", schemas, 17), ("AG303", schemas, 18),
        ("AG303", schemas, 19), ("AG303", schemas, 20), ("AG303", service, 10),
    ]


def test_the_hint_spells_the_literal_from_the_member_values() -> None:
    schemas = f"{POSTS}/schemas.py"
    files = tree(**{
        ENUMS: ENUMS_SOURCE,
        schemas: """
            from cpv3.common.schemas import Schema
            from cpv3.modules.posts.models import PostStatus, Visibility


            class PostRead(Schema):
                status: PostStatus
                visibility: Visibility
        """,
    })
    found = run(files, ["AG303"])
    assert [(d.line, d.message, d.hint) for d in found] == [
        (6, "schema field 'status' is typed with the str Enum 'PostStatus': use a Literal type",
         'use Literal["draft", "published"] instead, '
         'e.g. PostStatus = Literal["draft", "published"]'),
        (7, "schema field 'visibility' is typed with the str Enum 'Visibility': use a Literal "
            "type",
         'use Literal["public", "private"] instead, '
         'e.g. Visibility = Literal["public", "private"]'),
    ]


def test_enum_in_a_schemas_file_used_there_is_reported_at_both_places() -> None:
    schemas = f"{POSTS}/schemas.py"
    files = tree(**{schemas: """
        from enum import Enum

        from cpv3.common.schemas import Schema


        class Tone(str, Enum):
            WARM = "warm"
            COLD = get_cold()


        class ToneRead(Schema):
            tone: Tone
    """})
    found = run(files, ["AG303"])
    assert [(d.line, d.column) for d in found] == [(6, 1), (12, 11)]
    assert found[0].hint == "use a Literal[...] of Tone's values instead of the Enum"


def test_library_enums_and_non_schema_classes_are_not_reported() -> None:
    schemas = f"{POSTS}/schemas.py"
    files = tree(**{schemas: """
        from http import HTTPStatus

        from pydantic import BaseModel
        from somelib.enums import Colour

        from cpv3.common.schemas import Schema


        class ResultRead(Schema):
            status: HTTPStatus
            colour: Colour
    """})
    assert findings(files, ["AG303"]) == []
