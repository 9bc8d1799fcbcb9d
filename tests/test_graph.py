"""The module graph (archguard.graph.modules) and ``archguard graph`` (mermaid, dot, json)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archguard.analysis.project_view import Project
from archguard.cli import main
from archguard.engine.analyze import analyze_file
from archguard.graph.modules import module_cycles, module_graph
from archguard.run.graph import render
from archguard.project.config import Config
from helpers import dedent

FUTURE = "from __future__ import annotations\n"
M = "cpv3/modules"


def project_of(files: dict[str, str], config: Config | None = None) -> Project:
    config = config or Config()
    results = [analyze_file(path, dedent(text).encode(), config)
               for path, text in sorted(files.items())]
    return Project(config, {r.path: r.facts for r in results})


TINY = {
    "cpv3/__init__.py": "",
    f"{M}/__init__.py": "",
    f"{M}/users/__init__.py": FUTURE + "from cpv3.modules.users.service import UserService\n",
    f"{M}/users/service.py": FUTURE + (
        "from cpv3.modules.projects.schemas import ProjectRead\n\n\n"
        "class UserService:\n    pass\n"),
    f"{M}/users/repository.py": FUTURE + "\n\nclass UserRepository:\n    pass\n",
    f"{M}/users/router.py": FUTURE + "from cpv3.modules.users.repository import UserRepository\n",
    f"{M}/projects/service.py": FUTURE + "from cpv3.modules.users import UserService\n",
    f"{M}/projects/schemas.py": FUTURE + "\n\nclass ProjectRead:\n    pass\n",
    f"{M}/media/service.py": FUTURE + "from cpv3.modules.users.service import UserService\n",
}


# the graph -----------------------------------------------------------------------------------
def test_references_resolve_reexports_and_build_both_views() -> None:
    project = project_of(TINY)
    graph = module_graph(project)
    assert [(r.path, r.span.line, r.target, r.written) for r in graph.references] == [
        (f"{M}/media/service.py", 2, "cpv3.modules.users.service",
         "cpv3.modules.users.service.UserService"),
        (f"{M}/projects/service.py", 2, "cpv3.modules.users.service",
         "cpv3.modules.users.UserService"),
        (f"{M}/users/__init__.py", 2, "cpv3.modules.users.service",
         "cpv3.modules.users.service.UserService"),
        (f"{M}/users/router.py", 2, "cpv3.modules.users.repository",
         "cpv3.modules.users.repository.UserRepository"),
        (f"{M}/users/service.py", 2, "cpv3.modules.projects.schemas",
         "cpv3.modules.projects.schemas.ProjectRead"),
    ]
    assert sorted(graph.module_edges) == [
        ("media", "users"), ("projects", "users"), ("users", "projects")]
    assert ("cpv3.modules.users.router", "cpv3.modules.users.repository") in graph.file_edges
    assert graph.modules == ["media", "projects", "users"]
    node = graph.nodes["cpv3.modules.users"]
    assert (node.path, node.role, node.module) == (f"{M}/users/__init__.py", "init", "users")
    assert graph.nodes["cpv3.modules"].module is None
    assert module_graph(project) is graph  # built once per project


def test_absent_role_files_are_nodes_and_other_targets_are_not() -> None:
    project = project_of({f"{M}/users/router.py": FUTURE + (
        "import fastapi\n"
        "from cpv3.modules.media.repository import MediaRepository\n"
        "from cpv3.infrastructure.db import get_db\n")})
    graph = module_graph(project)
    assert [r.target for r in graph.references] == ["cpv3.modules.media.repository"]
    node = graph.nodes["cpv3.modules.media.repository"]
    assert (node.path, node.role, node.module, node.exists) == (
        f"{M}/media/repository.py", "repository", "media", False)


def test_type_checking_references_are_left_out_unless_configured() -> None:
    files = {f"{M}/users/service.py": FUTURE + (
        "from typing import TYPE_CHECKING\n\n"
        "if TYPE_CHECKING:\n"
        "    import cpv3.modules.media.service as media\n\n\n"
        "def f(x: media.MediaService) -> None:\n"
        "    return None\n")}
    assert module_graph(project_of(files)).references == []
    counted = module_graph(project_of(files, Config(type_checking_imports=True)))
    assert [(r.span.line, r.kind) for r in counted.references] == [(5, "import")]


def test_cycles_are_rotated_sorted_and_memoised() -> None:
    project = project_of(TINY)
    assert module_cycles(project) == ([["projects", "users"]], False)
    assert module_cycles(project) is module_cycles(project)


def test_an_acyclic_graph_is_settled_without_importing_networkx(tmp_path: Path) -> None:
    tree = {**TINY, f"{M}/users/service.py": FUTURE}  # drops users -> projects
    for path, text in tree.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(dedent(text))
    code = ("import sys; from pathlib import Path; from archguard.project.config import Config; "
            "from archguard.engine.analyze import analyze_file; from archguard.analysis.project_view import Project; "
            "from archguard.graph.modules import module_cycles; "
            f"root = Path({str(tmp_path)!r}); paths = sorted(root.rglob('*.py')); "
            "results = [analyze_file(str(p.relative_to(root)), p.read_bytes(), Config()) "
            "for p in paths]; "
            "project = Project(Config(), {r.path: r.facts for r in results}); "
            "print(module_cycles(project), 'networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "([], False) False"
    cyclic = project_of(TINY)
    assert module_cycles(cyclic)[0] == [["projects", "users"]]  # and with a cycle it is found


# rendering -----------------------------------------------------------------------------------
TINY_MERMAID = """\
flowchart LR
    m_media["media"]
    m_projects["projects"]
    m_users["users"]
    m_media -->|"service→service"| m_users
    m_projects -->|"service→service (AG205)"| m_users
    m_users -->|"service→schemas (AG205)"| m_projects
    m_users -->|"router→repository (AG203)"| m_users
    linkStyle 1,2,3 stroke:#d00,stroke-width:2px
    classDef cycle fill:#fdd,stroke:#d00,stroke-width:2px
    class m_projects,m_users cycle
"""

TINY_DOT = """\
digraph modules {
    rankdir=LR;
    node [shape=box];
    "media";
    "projects" [color=red, fontcolor=red];
    "users" [color=red, fontcolor=red];
    "media" -> "users" [label="service→service"];
    "projects" -> "users" [label="service→service (AG205)", color=red, fontcolor=red, \
penwidth=2];
    "users" -> "projects" [label="service→schemas (AG205)", color=red, fontcolor=red, \
penwidth=2];
    "users" -> "users" [label="router→repository (AG203)", color=red, fontcolor=red, \
penwidth=2];
}
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.archguard]\nmodule-names = []\n")
    for path, text in TINY.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return tmp_path


def test_mermaid(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(tiny)]) == 0
    assert capsys.readouterr().out == TINY_MERMAID


def test_dot(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(tiny), "--format", "dot"]) == 0
    assert capsys.readouterr().out == TINY_DOT


def test_json(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(tiny), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["nodes"][0] == {"id": "media", "files": [f"{M}/media/service.py"],
                                "in_cycle": False}
    assert [n["id"] for n in data["nodes"]] == ["media", "projects", "users"]
    assert data["cycles"] == [["projects", "users"]] and data["cycles_truncated"] is False
    assert data["edges"][1] == {
        "source": "projects", "target": "users", "layers": ["service→service"],
        "violations": ["AG205"],
        "imports": [{
            "file": f"{M}/projects/service.py", "line": 2, "column": 1,
            "name": "cpv3.modules.users.UserService",
            "resolved": "cpv3.modules.users.service.UserService",
            "target": "cpv3.modules.users.service", "kind": "import",
            "layers": "service→service", "violations": [],
        }],
    }
    assert data["edges"][3]["imports"][0]["violations"] == ["AG203"]


def test_suppressed_and_ignored_findings_are_not_highlighted(
        tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    router = tiny / M / "users" / "router.py"
    router.write_text(router.read_text().rstrip("\n") + "  # archguard: ignore[AG203]\n")
    (tiny / "pyproject.toml").write_text(
        "[tool.archguard]\nmodule-names = []\nignore = [\"AG205\"]\n")
    out = tiny / "graph.mmd"
    assert main(["graph", str(tiny), "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text() == (
        "flowchart LR\n"
        '    m_media["media"]\n'
        '    m_projects["projects"]\n'
        '    m_users["users"]\n'
        '    m_media -->|"service→service"| m_users\n'
        '    m_projects -->|"service→service"| m_users\n'
        '    m_users -->|"service→schemas"| m_projects\n')


def test_mermaid_ids_are_safe_and_unique() -> None:
    project = project_of({
        f"{M}/end/service.py": FUTURE + "from cpv3.modules.café.service import S\n",
        f"{M}/café/service.py": FUTURE + "from cpv3.modules.caf_.service import T\n\n\n"
                                "class S:\n    pass\n",
        f"{M}/caf_/service.py": "",
    })
    assert render(project, "mermaid").splitlines()[1:6] == [
        '    m_caf_["caf_"]',
        '    m_caf__2["café"]',
        '    m_end["end"]',
        '    m_caf__2 -->|"service→service"| m_caf_',
        '    m_end -->|"service→service"| m_caf__2',
    ]


def test_graph_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err == f"archguard: error: path not found: {tmp_path / 'missing'}\n"


def test_cross_module_repository_edges_are_highlighted_too() -> None:
    project = project_of({
        f"{M}/projects/service.py": FUTURE + (
            "from cpv3.modules.users.repository import UserRepository\n"),
        f"{M}/users/repository.py": FUTURE + "\n\nclass UserRepository:\n    pass\n",
    })
    assert render(project, "mermaid").splitlines()[3:] == [
        '    m_projects -->|"service→repository (AG202)"| m_users',
        "    linkStyle 0 stroke:#d00,stroke-width:2px",
    ]
