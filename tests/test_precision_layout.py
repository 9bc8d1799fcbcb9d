"""Issue 12: precision of the layout rules (AG101-AG103) on real backends configured with
``modules-dir`` = the package root and ``module-names = []``. Each tree is shaped like the
real code (helper packages, plugin containers, layer folders, co-located tests), never a
copy of it."""

from __future__ import annotations

from archguard.project.config import Config, RolesConfig
from helpers import dedent, findings

LAYOUT = ["AG101", "AG102", "AG103", "AG104"]
SIX = ("__init__.py", "models.py", "schemas.py", "repository.py", "service.py", "router.py")


def detected(**kwargs: object) -> Config:
    """Modules detected, not listed: every folder of the package root may be one."""
    return Config(package="app", modules_dir="app", module_names=[], **kwargs)


def module(folder: str, *names: str) -> dict[str, str]:
    return {f"{folder}/{name}": "" for name in names}


# --- 1. a folder without any role file is no module ---------------------------------------

def test_helper_package_without_role_files_is_not_a_module() -> None:
    """tracecat/git: constants, types and utils; no router, service, models..."""
    files = module("app/git", "__init__.py", "constants.py", "types.py", "utils.py")
    assert findings(files, LAYOUT, detected()) == []


def test_container_of_client_packages_is_not_a_module() -> None:
    """polar/integrations: only third-party client subpackages, each with its own files."""
    files = {**module("app/integrations", "__init__.py"),
             **module("app/integrations/stripe", "__init__.py", "service.py", "tasks.py"),
             **module("app/integrations/github", "__init__.py", "client.py")}
    assert findings(files, LAYOUT, detected()) == []


def test_engine_package_with_subpackages_is_not_a_module() -> None:
    """mealie/services/parser_services: parsing strategies in subfolders, no role file."""
    files = {**module("app/parsing", "__init__.py", "parser.py", "evaluator.py"),
             **module("app/parsing/openai", "__init__.py", "prompt.py")}
    assert findings(files, LAYOUT, detected()) == []


def test_one_role_file_is_enough_to_be_judged() -> None:
    """A folder with a service.py is a module: its extra file, subfolder and missing role
    files are reported."""
    files = {**module("app/billing", "__init__.py", "service.py", "utils.py"),
             **module("app/billing/helpers", "__init__.py", "retry.py")}
    assert findings(files, LAYOUT, detected()) == [
        ("AG103", "app/billing", 1),
        ("AG102", "app/billing/helpers", 1),
        ("AG101", "app/billing/utils.py", 1),
    ]


def test_renamed_role_is_the_evidence() -> None:
    """dispatch: ``router = "views.py"``: a folder with views.py is a module; dispatch/common
    (managers, utils) is not."""
    config = detected(roles=RolesConfig(router="views.py"))
    files = {**module("app/incident", "__init__.py", "views.py", "flows.py"),
             **module("app/common", "__init__.py", "managers.py", "utils.py")}
    assert [(c, p) for c, p, _ in findings(files, LAYOUT, config)] == [
        ("AG103", "app/incident"), ("AG101", "app/incident/flows.py")]


def test_role_file_in_a_role_subfolder_is_evidence() -> None:
    config = detected(roles=RolesConfig(repository=["repository.py", "db/api.py"]))
    files = module("app/orders", "__init__.py", "db/__init__.py", "db/api.py", "helpers.py")
    assert [(c, p) for c, p, _ in findings(files, LAYOUT, config)] == [
        ("AG103", "app/orders"), ("AG101", "app/orders/helpers.py")]


def test_file_named_with_a_role_word_is_evidence() -> None:
    """mealie/services/recipe (recipe_service.py) and Hyperion (cruds_loan.py,
    endpoints_loan.py) name their role files differently: still modules, judged against the
    configured role names. A word merely containing a role word is no evidence."""
    files = {**module("app/recipe", "__init__.py", "recipe_service.py", "scraper.py"),
             **module("app/loan", "__init__.py", "cruds_loan.py"),
             **module("app/parsing", "__init__.py", "ingredient_parser.py", "servicer.py",
                      "_base.py", "payment_api.py")}
    assert sorted((c, p) for c, p, _ in findings(files, LAYOUT, detected())) == [
        ("AG101", "app/loan/cruds_loan.py"),
        ("AG101", "app/recipe/recipe_service.py"), ("AG101", "app/recipe/scraper.py"),
        ("AG103", "app/loan"), ("AG103", "app/recipe")]


def test_package_marker_and_test_files_are_no_evidence() -> None:
    files = {**module("app/kit", "__init__.py", "db.py"),
             **module("app/kit/tests", "__init__.py", "test_service.py", "service.py")}
    assert findings(files, LAYOUT, detected()) == []


def test_listed_modules_are_judged_without_role_files() -> None:
    """An explicit module-names list wins over detection: every listed folder is judged,
    every other folder is an unexpected module."""
    config = Config(package="app", modules_dir="app", module_names=["git"])
    files = {**module("app/git", "__init__.py", "utils.py"),
             **module("app/integrations/stripe", "__init__.py", "client.py")}
    assert [(c, p) for c, p, _ in findings(files, LAYOUT, config)] == [
        ("AG103", "app/git"), ("AG101", "app/git/utils.py"),
        ("AG103", "app/integrations"), ("AG104", "app/integrations"),
        ("AG102", "app/integrations/stripe")]


# --- 2. containers of self-contained packages ----------------------------------------------

def test_container_of_plugins_is_not_a_flat_module() -> None:
    """dispatch/plugins/<plugin>/ and polar/backoffice/<area>/: the subfolders hold role
    files, the container none; no AG102 for its subfolders."""
    config = detected(roles=RolesConfig(router="endpoints.py"))
    files = {**module("app/backoffice", "__init__.py", "forms.py", "layout.py"),
             **module("app/backoffice/orders", "__init__.py", "endpoints.py"),
             **module("app/backoffice/customers", "__init__.py", "endpoints.py"),
             **module("app/plugins", "__init__.py"),
             **module("app/plugins/slack", "__init__.py", "service.py", "models.py", "bolt.py"),
             **module("app/plugins/slack/modals", "__init__.py", "views.py")}
    assert findings(files, LAYOUT, config) == []


def test_nested_container_with_its_own_role_file_is_still_a_module() -> None:
    """A folder that holds a role file itself is judged, subfolders included."""
    config = detected(roles=RolesConfig(router="endpoints.py"))
    files = {**module("app/backoffice", "__init__.py", "endpoints.py"),
             **module("app/backoffice/orders", "__init__.py", "endpoints.py")}
    assert [(c, p) for c, p, _ in findings(files, ["AG102"], config)] == [
        ("AG102", "app/backoffice/orders")]


def test_container_can_be_made_a_modules_dir() -> None:
    """To judge a container's packages, list it as a modules dir."""
    config = Config(package="app", modules_dir=["app", "app/plugins"], module_names=[])
    files = {**module("app/plugins", "__init__.py"),
             **module("app/plugins/slack", "__init__.py", "service.py", "bolt.py")}
    assert [(c, p) for c, p, _ in findings(files, LAYOUT, config)] == [
        ("AG103", "app/plugins/slack"), ("AG101", "app/plugins/slack/bolt.py")]


# --- 3. co-located tests --------------------------------------------------------------------

def test_tests_folders_inside_a_module_are_not_hidden_helpers() -> None:
    """papermerge features/<m>/tests/: test folders and files are no module code."""
    files = {**module("app/modules/users", *SIX, "conftest.py", "test_router.py"),
             **module("app/modules/users/tests", "__init__.py", "test_service.py"),
             **module("app/modules/users/test_data", "__init__.py", "factories.py"),
             **module("app/modules/users/test", "test_models.py")}
    config = Config(package="app", modules_dir="app/modules", module_names=["users"])
    assert findings(files, LAYOUT, config) == []


def test_folder_merely_named_like_tests_is_still_a_subdirectory() -> None:
    files = {**module("app/modules/users", *SIX),
             **module("app/modules/users/testing", "__init__.py", "fakes.py"),
             **module("app/modules/users/contest", "__init__.py", "rules.py")}
    config = Config(package="app", modules_dir="app/modules", module_names=["users"])
    assert [(c, p) for c, p, _ in findings(files, LAYOUT, config)] == [
        ("AG102", "app/modules/users/contest"), ("AG102", "app/modules/users/testing")]


# --- 4. layer folders -----------------------------------------------------------------------

def test_layer_folders_are_not_modules() -> None:
    """lnbits/core: views/ holds every router (payment_api.py, ...), crud/, models/ and
    services/ one kind of file each; none is a domain module and no file is "extra"."""
    files = {**module("app/core", "__init__.py", "db.py", "helpers.py"),
             **module("app/core/views", "__init__.py", "payment_api.py", "wallet_api.py"),
             **module("app/core/crud", "__init__.py", "payments.py", "wallets.py"),
             **module("app/core/models", "__init__.py", "payments.py", "wallets.py"),
             **module("app/core/services", "__init__.py", "payments.py", "wallets.py")}
    config = Config(package="app", modules_dir="app/core", module_names=[])
    assert findings(files, LAYOUT, config) == []


def test_the_folder_defining_the_configured_bases_is_the_shared_kernel() -> None:
    """polar/kit: schemas.py defines the schema base, db/ the model base (and repository.py
    the base repository); a folder that only imports them is judged as usual."""
    files = {**module("app/kit", "__init__.py", "schemas.py", "repository.py", "utils.py"),
             **module("app/kit/db", "__init__.py", "models.py"),
             **module("app/orders", "__init__.py", "service.py", "helpers.py")}
    config = detected(schema_base="app.kit.schemas.Schema", model_base="app.kit.db.models.Model")
    assert [(code, path) for code, path, _ in findings(files, ["AG101", "AG102"], config)] == [
        ("AG101", "app/orders/helpers.py")]
    assert ("AG102", "app/kit/db") in [
        (code, path) for code, path, _ in findings(files, ["AG101", "AG102"], detected())]


def test_a_schemas_file_alone_is_no_evidence() -> None:
    """tracecat/expressions and tracecat/mcp: an engine and a server that describe their data
    with a schemas.py (or a ``*_schema.py``) but have no router, service, repository or
    models: not modules. The same schemas.py beside a service is part of a judged module."""
    files = {**module("app/expressions", "__init__.py", "schemas.py", "parser.py", "eval.py"),
             **module("app/expressions/functions", "__init__.py", "builtins.py"),
             **module("app/mcp", "__init__.py", "server_schema.py", "auth.py"),
             **module("app/cases", "__init__.py", "schemas.py", "service.py", "enums.py")}
    assert findings(files, LAYOUT, detected()) == [
        ("AG103", "app/cases", 1), ("AG101", "app/cases/enums.py", 1)]


def test_a_repository_file_that_touches_no_sql_is_no_evidence() -> None:
    """tracecat/registry: its only role file, repository.py, loads actions from git (a
    repository of code, not of rows): not a module. A repository.py that queries is."""
    files = {
        **module("app/registry", "__init__.py", "loader.py", "lock.py"),
        "app/registry/repository.py": dedent("""
            from __future__ import annotations

            import subprocess


            class Repository:
                def __init__(self, url: str) -> None:
                    self.url = url

                def clone(self) -> None:
                    subprocess.run(["git", "clone", self.url], check=True)
        """),
        **module("app/orders", "__init__.py", "helpers.py"),
        "app/orders/repository.py": dedent("""
            from __future__ import annotations

            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession


            class OrderRepository:
                def __init__(self, session: AsyncSession) -> None:
                    self.session = session

                async def ids(self) -> list[int]:
                    return list(await self.session.scalars(select(1)))
        """),
    }
    assert findings(files, LAYOUT, detected()) == [
        ("AG103", "app/orders", 1), ("AG101", "app/orders/helpers.py", 1)]


def test_a_modules_dir_inside_another_keeps_its_own_files_as_a_module() -> None:
    """onyx's server/ and server/manage/ (dispatch's case/ likewise) both modules dirs: the
    subfolders of manage are modules of their own, not nested packages of a module 'manage'
    (no AG102), and manage's own files are the module 'manage' of server/ (its extra file is
    AG101). A real module beside them keeps its nested package reported."""
    files = {**module("app/server/manage", "__init__.py", "models.py", "users.py"),
             **module("app/server/manage/llm", "__init__.py", "router.py", "models.py"),
             **module("app/server/manage/voice", "__init__.py", "router.py", "models.py"),
             **module("app/server/query", "__init__.py", "router.py", "models.py"),
             **module("app/server/query/parts", "__init__.py", "x.py")}
    config = Config(package="app", modules_dir=["app/server", "app/server/manage"],
                    module_names=[])
    assert findings(files, ["AG101", "AG102"], config) == [
        ("AG101", "app/server/manage/users.py", 1), ("AG102", "app/server/query/parts", 1)]
    # a folder of modules with no role file of its own is no module, listed names or not
    files.update(module("app/server/features", "__init__.py"))
    files.update(module("app/server/features/tags", "__init__.py", *SIX[1:]))
    listed = Config(package="app", module_names=["manage", "llm", "voice", "query", "tags"],
                    modules_dir=["app/server", "app/server/manage", "app/server/features"])
    assert [f for f in findings(files, LAYOUT, listed) if "features" in f[1]] == []


def test_a_role_word_inside_a_file_name_is_no_evidence() -> None:
    """letta's services/llm_router: a client of an LLM router, not a FastAPI router; a role
    word names a module file at the start or the end of its name (``cruds_loan.py``,
    ``recipe_service.py``), not in the middle."""
    files = module("app/llm_router", "__init__.py", "llm_router_client_base.py",
                   "llm_router_client.py")
    assert findings(files, LAYOUT, detected()) == []
    files = module("app/recipes", "__init__.py", "recipe_service.py", "helpers.py")
    assert findings(files, LAYOUT, detected()) == [
        ("AG103", "app/recipes", 1), ("AG101", "app/recipes/helpers.py", 1),
        ("AG101", "app/recipes/recipe_service.py", 1)]
