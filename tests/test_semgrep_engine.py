"""The semgrep engine inside ``archguard check`` (issue 4).

Real semgrep runs are few (each start costs about a second) and shared through module-scoped
fixtures: the end-to-end project (run offline, then re-used for the cache tests and a one-file
change), an invalid rule folder, the rules' bad/good examples in one scan, and
``semgrep --test semgrep_rules/``. Everything else (JSON conversion, launching, selection,
failures) runs without semgrep, against a recorded report or a fake executable.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import REPO, semgrep_env
from helpers import write_tree

from archguard.semgrep import binary, process
from archguard.cli import main
from archguard.diagnostics import ArchguardError
from archguard.fix.records import attach_fixes
from archguard.project.config import Config
from archguard.project.discovery import ProjectLocation, locate_project
from archguard.report.emitters import EmitOptions, get_emitter
from archguard.rules.docs import explain_text
from archguard.rules.registry import Rule, all_rules, find_rule
from archguard.rules.wording import default_hint
from archguard.run.runner import CheckRequest, run_check
from archguard.semgrep.process import (
    SemgrepProcess, check_errors, diagnostics_by_path, normal_path,
)
from archguard.semgrep.rules import (
    HOSTS_PLACEHOLDER, builtin_rule, builtin_rules_dir, load_custom_rules, rule_text,
    rules_fingerprint,
)

DATA = Path(__file__).parent / "data"
RECORDED = DATA / "semgrep_report.json"  # semgrep on PROJECT (see record_report below)
SEMGREP_RULES = [rule for rule in all_rules() if rule.engine == "semgrep"]
OFFLINE = {"https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "no_proxy": "", "NO_PROXY": ""}  # any network attempt fails at once

# A project in a non-default layout (the shipped globs are rewritten for it), with one
# finding per rule family, tricky negatives, suppressions and two custom rules.
PROJECT = {
    "pyproject.toml": """
        [tool.archguard]
        package = "svc"
        modules-dir = "svc/modules"
        module-names = ["media", "tasks"]
        settings-module = "svc/core/settings.py"
        public-hosts = ["gravatar.com"]
        tests-dir = "spec"
        semgrep-rules = ["rules"]
        """,
    "rules/custom.yaml": """
        rules:
          - id: no-print
            languages: [python]
            severity: WARNING
            message: print() in application code; use the logger
            pattern: print(...)
          - id: no-breakpoint
            languages: [python]
            severity: ERROR
            message: breakpoint() left in the code
            metadata:
              archguard-code: XY100
              archguard-hint: remove it
            pattern: breakpoint()
        """,
    "svc/core/settings.py": """
        from __future__ import annotations

        import os

        DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://app@db/app")
        """,
    "svc/db/session.py": """
        from __future__ import annotations

        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import AsyncSession

        from svc.core.settings import DATABASE_URL

        engine = create_engine(DATABASE_URL)


        def open_session() -> AsyncSession:
            return AsyncSession(engine)
        """,
    "svc/modules/media/service.py": """
        from __future__ import annotations

        import os
        import time

        import dramatiq
        from sqlalchemy.ext.asyncio import AsyncSession

        API = "https://api.remotion.dev/v1"
        REGION = os.getenv("REGION")  # archguard: ignore[AG703]
        LABEL = "é"; BUCKET = os.environ["BUCKET"]


        async def wait(seconds: float) -> None:
            time.sleep(seconds)
            print("waited")  # archguard: ignore[no-print]
            print("done")


        async def count(engine: object) -> int:
            async with AsyncSession(engine) as session:  # archguard: ignore[XY100]
                return await session.scalar(1)


        @dramatiq.actor(
            queue_name="media",
        )
        def transcribe(media_id: str) -> None:
            breakpoint()


        MIRROR = "https://cdn.gravatar.com/x"  # public-hosts: not AG702
        """,
    "svc/modules/tasks/service.py": """
        from __future__ import annotations

        import dramatiq


        @dramatiq.actor(max_retries=3, time_limit=60_000)
        def render(job_id: str) -> None:
            ...
        """,
    "spec/test_media.py": """
        from __future__ import annotations

        from unittest.mock import AsyncMock

        from sqlalchemy.ext.asyncio import AsyncSession


        def test_one() -> None:
            session = AsyncMock(spec=AsyncSession)
            other = AsyncMock(spec=AsyncSession)  # archguard: ignore[AG805]
            redis = AsyncMock()
            print(session, other, redis)
        """,
}
MEDIA = "svc/modules/media/service.py"
# (code, path, line) of every finding of PROJECT from semgrep, and the unused suppression.
EXPECTED = [
    ("AG805", "spec/test_media.py", 9),
    ("no-print", "spec/test_media.py", 12),
    ("AG406", "svc/db/session.py", 8),
    ("AG702", MEDIA, 9),
    ("AG703", MEDIA, 11),
    ("AG701", MEDIA, 15),
    ("no-print", MEDIA, 17),
    ("AG407", MEDIA, 21),
    ("AG001", MEDIA, 21),  # ignore[XY100] on a line without an XY100 finding
    ("AG704", MEDIA, 28),  # the def line, not the decorator
    ("AG705", MEDIA, 28),
    ("XY100", MEDIA, 29),
]
REPORTED = {code for code, _, _ in EXPECTED}


def triples(diagnostics: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(d["code"], d["path"], d["line"]) for d in diagnostics if d["code"] in REPORTED]


def report_json(report: object) -> dict[str, Any]:
    stream = io.StringIO()
    get_emitter("json")(report, stream, EmitOptions())  # type: ignore[arg-type]
    return json.loads(stream.getvalue())


@pytest.fixture
def semgrep_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHGUARD_NO_SEMGREP", raising=False)


@pytest.fixture
def no_launch(monkeypatch: pytest.MonkeyPatch, semgrep_on: None) -> None:
    """semgrep must not be started: the launcher fails the test if it is called."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("semgrep was started")

    monkeypatch.setattr(process, "launch", refuse)


# --- the registry and the shipped YAML --------------------------------------------------

def yaml_rule(rule: Rule) -> dict[str, Any]:
    document = yaml.safe_load((builtin_rules_dir() / f"{rule.name}.yaml").read_text())
    (only,) = document["rules"]
    return only


@pytest.mark.parametrize("rule", SEMGREP_RULES, ids=lambda r: r.code)
def test_registry_agrees_with_the_yaml_metadata(rule: Rule) -> None:
    shipped = yaml_rule(rule)
    metadata = shipped["metadata"]
    assert (shipped["id"], metadata["archguard-code"], metadata["archguard-slug"],
            metadata["archguard-hint"]) == (rule.name, rule.code, rule.name,
                                            default_hint(rule.hint))
    assert metadata["rulebook"] == rule.rulebook.replace("**", "")
    assert rule.rationale() and rule.bad and rule.good
    assert "(default: on; engine: semgrep; severity: error)" in explain_text(rule)


def test_every_shipped_rule_file_is_registered_and_in_the_wheel() -> None:
    shipped = sorted(p.name for p in (REPO / "semgrep_rules").glob("*.yaml"))
    assert shipped == sorted(f"{rule.name}.yaml" for rule in SEMGREP_RULES)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    included = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included == {f"semgrep_rules/{name}": f"archguard/semgrep_rules/{name}"
                        for name in shipped}


def test_installed_package_finds_its_rules(tmp_path: Path) -> None:
    """The wheel layout: archguard/semgrep_rules/*.yaml inside the package, no checkout."""
    site = tmp_path / "site-packages"
    shutil.copytree(REPO / "archguard", site / "archguard",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "semgrep_rules", site / "archguard" / "semgrep_rules",
                    ignore=shutil.ignore_patterns("*.py", "*.md"))
    code = "from archguard.semgrep.rules import builtin_rules_dir as d; print(d())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(site)}, cwd=tmp_path,
                          check=True)
    assert done.stdout.strip() == str(site / "archguard" / "semgrep_rules")


def test_registry_parses_no_yaml() -> None:
    code = ("import sys; from archguard.cli import main; main(['explain', 'AG701']); "
            "main(['rules', '--format', 'json']); print('yaml' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.stdout.strip().endswith("False")


def test_shipped_globs_follow_the_configured_layout() -> None:
    config = Config(package="svc", settings_module="svc/core/settings.py", tests_dir="spec",
                    modules_dir="svc/modules")
    text = rule_text(builtin_rule(find_rule("AG703")), config).decode()
    assert '- "**/svc/core/settings.py"' in text and '- "**/spec/**"' in text
    assert "cpv3/infrastructure/settings.py`" in text  # messages are left alone
    assert rule_text(builtin_rule(find_rule("AG703")), Config()) == \
        (builtin_rules_dir() / "environment-access.yaml").read_bytes()


def test_public_hosts_fill_ag702s_placeholder() -> None:
    config = Config(public_hosts=["github.com", " Gravatar.com. "])
    text = rule_text(builtin_rule(find_rule("AG702")), config).decode()
    assert "([\\w-]+\\.)*(github\\.com|gravatar\\.com)([/:?#]|$)" in text
    assert HOSTS_PLACEHOLDER not in text
    assert rules_fingerprint([builtin_rule(find_rule("AG702"))], config, "1") != \
        rules_fingerprint([builtin_rule(find_rule("AG702"))], Config(), "1")
    assert rule_text(builtin_rule(find_rule("AG702")), Config()) == \
        (builtin_rules_dir() / "hardcoded-config.yaml").read_bytes()


# --- semgrep JSON -> diagnostics (recorded report, no semgrep) ----------------------------

def catalog(root: Path) -> dict[str, Any]:
    location = locate_project([root])
    rules = [builtin_rule(rule) for rule in SEMGREP_RULES]
    rules += load_custom_rules(location.root, location.config)
    return {info.rule_id: info for info in rules}


def test_recorded_report_becomes_diagnostics(tmp_path: Path) -> None:
    root = write_tree(tmp_path, PROJECT)
    report = json.loads(RECORDED.read_text())
    found = diagnostics_by_path(report, catalog(root), root)
    media = {(d.code, d.line): d for d in found[MEDIA]}
    actor = media[("AG704", 28)]  # semgrep matched the decorator on line 25
    assert (actor.column, actor.end_line, actor.end_column) == (1, 28, 39)
    env = media[("AG703", 11)]  # `LABEL = "é"; BUCKET = os.environ[...]`: characters, not bytes
    assert (env.column, env.end_column) == (23, 33)
    assert (env.rule, env.severity, env.hint) == (
        "environment-access", "error", find_rule("AG703").hint)  # filled in by finish()
    assert env.message.startswith("Environment read outside the settings module.")
    custom = media[("XY100", 29)]
    assert (custom.rule, custom.severity, custom.hint, custom.message) == (
        "no-breakpoint", "error", "remove it", "breakpoint() left in the code")
    printed = media[("no-print", 17)]
    assert (printed.rule, printed.severity, printed.hint) == ("no-print", "warning", "")
    every = sorted((d.code, d.path, d.line) for ds in found.values() for d in ds)
    assert every == sorted([t for t in EXPECTED if t[0] != "AG001"]
                           + [("AG703", MEDIA, 10), ("no-print", MEDIA, 16),
                              ("AG805", "spec/test_media.py", 10)])  # before suppressions


def test_one_finding_per_rule_and_line(tmp_path: Path) -> None:
    """dispatch's `scoped_session(sessionmaker(...))` and polar's `os.environ.get("A") or
    os.environ.get("B")`: one line, one problem per rule (the first match); another rule on
    the same line, and the next line, are their own."""
    root = write_tree(tmp_path, PROJECT)
    (root / "svc" / "db.py").write_text(
        'session = scoped_session(sessionmaker(bind=engine))\n'
        'name = os.environ.get("A") or os.environ.get("B")\n'
        'other = os.environ.get("C")\n')

    def result(check_id: str, line: int, start: int, end: int) -> dict[str, Any]:
        return {"check_id": check_id, "path": "svc/db.py", "extra": {"message": "m"},
                "start": {"line": line, "col": start}, "end": {"line": line, "col": end}}

    report = {"results": [result("sync-database", 1, 26, 51), result("sync-database", 1, 11, 52),
                          result("environment-access", 2, 31, 45),
                          result("environment-access", 2, 8, 22),
                          result("hardcoded-config", 2, 40, 43),
                          result("environment-access", 3, 9, 23)]}
    found = diagnostics_by_path(report, catalog(root), root)["svc/db.py"]
    assert [(d.code, d.line, d.column) for d in found] == [
        ("AG406", 1, 11), ("AG703", 2, 8), ("AG702", 2, 40), ("AG703", 3, 9)]


def test_paths_are_project_relative() -> None:
    assert normal_path("./svc/a.py") == "svc/a.py"
    assert normal_path("svc\\modules\\a.py") == "svc/modules/a.py"


def test_unknown_rule_in_a_report_is_an_error(tmp_path: Path) -> None:
    report = {"results": [{"check_id": "mystery", "path": "a.py"}]}
    with pytest.raises(ArchguardError, match="unknown rule 'mystery'"):
        diagnostics_by_path(report, {}, tmp_path)


def test_rule_errors_fail_file_errors_and_parse_errors_do_not() -> None:
    check_errors([{"code": 3, "level": "warn", "type": ["PartialParsing", []],
                   "message": "Syntax error at line a.py:2"},
                  {"code": 3, "level": "warn", "type": "Syntax error", "path": "b.py",
                   "message": "b.py:1"}])
    with pytest.raises(ArchguardError, match=r"^semgrep reported rule parse error in rule "
                       r"'broken': Rule parse error in rule broken: Invalid pattern"):
        check_errors([{"code": 2, "level": "error", "type": "Rule parse error",
                       "rule_id": "broken", "message": "Rule parse error in rule broken:\n"
                       " Invalid pattern for Python"}])
    # One file's problem (a per-file timeout, a target deleted meanwhile) is that file's
    # AG000 finding (SemgrepScan), not the run's failure.
    per_file = [{"code": 3, "level": "warn", "type": "Timeout", "rule_id": "slow",
                 "path": "svc/big.py", "message": "Timeout when running slow"},
                {"code": 2, "level": "error", "type": "SemgrepError",
                 "message": "SemgrepError :\n Invalid scanning root: svc/gone.py"}]
    check_errors(per_file)
    assert process.file_errors(per_file) == {
        "svc/big.py": "Timeout: Timeout when running slow",
        "svc/gone.py": "SemgrepError: SemgrepError : Invalid scanning root: svc/gone.py"}


def test_command_is_offline_and_scans_explicit_relative_paths(tmp_path: Path) -> None:
    command = process.scan_command("semgrep", [Path("/r/a.yaml")], ["svc/a.py"])
    assert {"--metrics=off", "--disable-version-check", "--no-rewrite-rule-ids"} <= \
        set(command)
    assert command[-2:] == ["--", "svc/a.py"] and "--validate" not in command
    assert [a for a in command if a.startswith(("p/", "r/", "auto"))] == []
    env = process.semgrep_env(tmp_path)
    assert (env["SEMGREP_ENABLE_VERSION_CHECK"], env["SEMGREP_SEND_METRICS"]) == ("0", "off")
    assert env["XDG_CONFIG_HOME"] == str(tmp_path) and "SEMGREP_APP_TOKEN" not in env
    assert env["SEMGREP_SETTINGS_FILE"].startswith(str(tmp_path))
    assert env["SEMGREP_LOG_FILE"].startswith(str(tmp_path))


# --- when semgrep runs at all (no semgrep started) ---------------------------------------

SMALL_CONFIG = '[tool.archguard]\nignore = ["AG1"]\n'  # no layout findings: one file


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "small", {
        "pyproject.toml": SMALL_CONFIG,
        "cpv3/__init__.py": "",
        "cpv3/modules/users/service.py": """
            from __future__ import annotations

            import os

            REGION = os.environ["REGION"]  # archguard: ignore[AG703]
            """,
    })


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_select_without_semgrep_rules_does_not_start_semgrep(
        small: Path, no_launch: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(capsys, str(small), "--select", "AG2", "--no-cache")
    assert (code, err) == (0, "") and out.startswith("All checks passed")


def test_no_semgrep_says_so_and_judges_no_semgrep_suppression(
        small: Path, no_launch: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, str(small), "--no-semgrep", "--no-cache", "--format",
                         "concise")
    assert code == 0  # no AG001 for ignore[AG703]: AG703 did not run
    assert out.strip() == "All checks passed (2 files checked; semgrep rules off: --no-semgrep)."
    report = run_check(CheckRequest([small], semgrep=False, use_cache=False))
    assert "AG703" not in report.rules and "AG201" in report.rules


def test_config_semgrep_false(small: Path, no_launch: None,
                              capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(small, {"pyproject.toml": SMALL_CONFIG + "semgrep = false\n"})
    code, out, _ = check(capsys, str(small), "--no-cache", "--format", "concise")
    assert code == 0 and "semgrep rules off: semgrep = false)." in out


def test_missing_semgrep_is_exit_2(small: Path, semgrep_on: None, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(binary.sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = check(capsys, str(small), "--no-cache")
    assert (code, out) == (2, "")
    assert err.startswith("archguard: error: semgrep not found (looked next to ")
    assert "--no-semgrep" in err and err.count("\n") == 1


def fake_semgrep(folder: Path, body: str) -> Path:
    script = folder / "semgrep"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_crashing_semgrep_is_exit_2(small: Path, semgrep_on: None, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    script = fake_semgrep(tmp_path, "echo 'semgrep-core: internal error: boom' >&2; exit 3")
    monkeypatch.setattr(binary, "find_semgrep", lambda: str(script))
    code, out, err = check(capsys, str(small), "--no-cache")
    assert (code, out) == (2, "")
    assert err == ("archguard: error: semgrep failed (exit code 3): "
                   "semgrep-core: internal error: boom\n")


def test_semgrep_timeout_is_exit_2_and_kills_it(small: Path, semgrep_on: None,
                                                tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    pid_file = tmp_path / "pid"
    script = fake_semgrep(tmp_path, f"echo $$ > {pid_file}; exec sleep 60")
    monkeypatch.setattr(binary, "find_semgrep", lambda: str(script))
    write_tree(small, {"pyproject.toml": SMALL_CONFIG + "semgrep-timeout = 1\n"})
    code, _, err = check(capsys, str(small), "--no-cache")
    assert code == 2
    assert err.startswith("archguard: error: semgrep did not finish within 1 s: raise "
                          "'semgrep-timeout'")
    with pytest.raises(ProcessLookupError):  # killed (and reaped), not left running
        os.kill(int(pid_file.read_text()), 0)


def test_semgrep_timeout_must_be_positive(small: Path, capsys: pytest.CaptureFixture[str],
                                          ) -> None:
    write_tree(small, {"pyproject.toml": SMALL_CONFIG + "semgrep-timeout = 0\n"})
    code, _, err = check(capsys, str(small))
    assert code == 2 and "'tool.archguard.semgrep-timeout' must be at least 1" in err


@pytest.mark.parametrize(("rules", "message"), [
    ({}, "semgrep-rules: 'rules' not found in "),
    ({"rules/x.txt": "no rules"}, "semgrep-rules: no .yaml/.yml rule file in 'rules'"),
    ({"rules/x.yaml": "rules: 3"}, "a semgrep rule file needs 'rules:'"),
    ({"rules/x.yaml": "rules:\n  - id: manual-session\n"},
     "semgrep rule id 'manual-session' is already used"),
    ({"rules/x.yaml": "rules:\n  - id: mine\n    metadata: {archguard-code: AG201}\n"},
     "rule 'mine' uses the code AG201 of archguard's rule relative-import"),
])
def test_bad_custom_rule_folders_are_exit_2(small: Path, no_launch: None,
                                            capsys: pytest.CaptureFixture[str],
                                            rules: dict[str, str], message: str) -> None:
    write_tree(small, {"pyproject.toml": SMALL_CONFIG + 'semgrep-rules = ["rules"]\n', **rules})
    code, _, err = check(capsys, str(small), "--no-cache")
    assert code == 2 and message in err and err.count("\n") == 1


def test_custom_codes_are_valid_for_select_and_ignore(small: Path, no_launch: None,
                                                      capsys: pytest.CaptureFixture[str],
                                                      ) -> None:
    write_tree(small, {"pyproject.toml": SMALL_CONFIG + 'semgrep-rules = ["rules"]\n',
                  "rules/r.yaml": PROJECT["rules/custom.yaml"]})
    code, _, _ = check(capsys, str(small), "--no-cache", "--no-semgrep", "--select",
                       "no-print,XY1", "--ignore", "NO-PRINT")
    assert code == 0
    code, _, err = check(capsys, str(small), "--no-cache", "--select", "no-prin7")
    assert code == 2 and "did you mean 'no-print'?" in err


# --- real semgrep runs ----------------------------------------------------------------

def can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True,
                          check=False).returncode == 0


@dataclass
class Run:
    root: Path
    cache: Path
    home: Path
    done: subprocess.CompletedProcess[str]
    unshared: bool


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """archguard check on PROJECT, without network (no network namespace, or failing
    proxies), with an empty HOME and its own cache folder."""
    root = write_tree(tmp_path_factory.mktemp("e2e") / "project", PROJECT)
    cache, home = tmp_path_factory.mktemp("cache"), tmp_path_factory.mktemp("home")
    unshared = can_unshare()
    prefix = ["unshare", "-rn"] if unshared else []
    env = {**semgrep_env(), **OFFLINE, "ARCHGUARD_CACHE_DIR": str(cache), "HOME": str(home)}
    env.pop("XDG_CONFIG_HOME", None)
    done = subprocess.run([*prefix, sys.executable, "-m", "archguard", "check", str(root),
                           "--format", "json"], capture_output=True, text=True, env=env,
                          check=False, timeout=300)
    return Run(root, cache, home, done, unshared)


def test_end_to_end_offline(e2e: Run) -> None:
    assert (e2e.done.returncode, e2e.done.stderr) == (1, ""), e2e.done.stderr
    found = json.loads(e2e.done.stdout)["diagnostics"]
    assert triples(found) == EXPECTED
    assert any(d["code"] == "AG103" for d in found)  # the native findings are there too
    assert list(e2e.home.iterdir()) == []  # nothing written to ~/.semgrep


def test_end_to_end_ran_without_a_network_interface(e2e: Run) -> None:
    if not e2e.unshared:
        pytest.skip("unshare -rn unavailable here: the run had unreachable proxies only")
    assert e2e.done.returncode == 1


def test_custom_rules_in_every_format(e2e: Run, no_launch: None,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(e2e.cache))
    report = run_check(CheckRequest([e2e.root]))  # from the cache: semgrep not started
    printed = next(d for d in report.diagnostics if d.code == "no-print")
    assert (printed.rule, printed.severity) == ("no-print", "warning")
    stream = io.StringIO()
    get_emitter("sarif")(report, stream, EmitOptions())
    log = json.loads(stream.getvalue())
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log)) == []
    ids = {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert {"no-print", "XY100", "AG701", "AG805"} <= ids
    for name in ("junit", "github", "gitlab", "full", "concise"):
        get_emitter(name)(report, io.StringIO(), EmitOptions())


def test_second_run_does_not_start_semgrep(e2e: Run, no_launch: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(e2e.cache))
    request = CheckRequest([e2e.root])
    report = run_check(request)
    attach_fixes(report, request)  # as the CLI does for --format json
    assert report_json(report) == json.loads(e2e.done.stdout)
    # another selection misses the report memo; semgrep's per-file results still serve it
    narrower = report_json(run_check(CheckRequest([e2e.root], ignore=["AG1"])))
    assert triples(narrower["diagnostics"]) == EXPECTED


def test_a_changed_file_is_the_only_one_scanned_again(e2e: Run, semgrep_on: None,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      ) -> None:
    """Runs last in this module: it edits the shared project."""
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(e2e.cache))
    commands: list[list[str]] = []
    real_launch = process.launch

    def recording(command: list[str], *args: Any) -> Any:
        commands.append(command)
        return real_launch(command, *args)

    monkeypatch.setattr(process, "launch", recording)
    test_file = e2e.root / "spec/test_media.py"
    test_file.write_text(test_file.read_text().replace(
        "    redis = AsyncMock()", "    redis = AsyncMock()\n    print(0)"))
    report = report_json(run_check(CheckRequest([e2e.root])))
    assert [c[-1] for c in commands] == ["spec/test_media.py"]
    assert ("no-print", "spec/test_media.py", 12) in triples(report["diagnostics"])
    assert ("no-print", "spec/test_media.py", 13) in triples(report["diagnostics"])
    assert ("AG702", MEDIA, 9) in triples(report["diagnostics"])  # from the cache


def test_invalid_rule_is_exit_2(tmp_path: Path, semgrep_on: None,
                                capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path, {
        "cpv3/__init__.py": "print(1)\n",
        "pyproject.toml": '[tool.archguard]\nsemgrep-rules = ["rules"]\n',
        "rules/broken.yaml": """
            rules:
              - id: broken
                languages: [python]
                severity: ERROR
                message: x
                pattern: "foo(("
            """,
    })
    code, out, err = check(capsys, str(root), "--no-cache")
    assert (code, out) == (2, "")
    assert err.startswith("archguard: error: semgrep reported rule parse error in rule "
                          "'broken': Rule parse error in rule broken:")
    assert err.count("\n") == 1


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Every semgrep rule's bad and good example, in one semgrep run: each under its own
    ``<code>/<bad|good>/`` folder (the shipped globs start with ``**/``)."""
    root = tmp_path_factory.mktemp("examples")
    targets = []
    for rule in SEMGREP_RULES:
        for kind in ("bad", "good"):
            for path, text in rule.example_files(getattr(rule, kind)).items():
                write_tree(root, {f"{rule.code}/{kind}/{path}": text})
                targets.append(f"{rule.code}/{kind}/{path}")
    infos = [builtin_rule(rule) for rule in SEMGREP_RULES]
    process = SemgrepProcess(root, 300)
    try:
        process.start([info.file for info in infos], targets)
        found = diagnostics_by_path(process.wait(), {i.rule_id: i for i in infos}, root)
    finally:
        process.close()
    codes: dict[str, set[str]] = {}
    for path, diagnostics in found.items():
        folder = "/".join(path.split("/")[:2])
        codes.setdefault(folder, set()).update(d.code for d in diagnostics)
    return codes


@pytest.mark.parametrize("rule", SEMGREP_RULES, ids=lambda r: r.code)
def test_semgrep_examples(examples: dict[str, set[str]], rule: Rule) -> None:
    assert rule.code in examples.get(f"{rule.code}/bad", set())
    assert rule.code not in examples.get(f"{rule.code}/good", set())


def test_semgrep_test_passes_on_the_shipped_rules(tmp_path: Path) -> None:
    """`semgrep --test semgrep_rules/`, as CI and the docs (docs/rules/semgrep.md) run it (offline flags)."""
    env = {**semgrep_env(), **OFFLINE, "SEMGREP_ENABLE_VERSION_CHECK": "0",
           "SEMGREP_SEND_METRICS": "off", "XDG_CONFIG_HOME": str(tmp_path),
           "SEMGREP_SETTINGS_FILE": str(tmp_path / "settings.yml"),
           "SEMGREP_LOG_FILE": str(tmp_path / "semgrep.log")}
    done = subprocess.run([binary.find_semgrep(), "--test", "--json", "--metrics=off",
                           "--disable-version-check", "semgrep_rules/"], cwd=REPO, env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    checks = {rule_id: check["passed"] for file in result["results"].values()
              for rule_id, check in file["checks"].items()}
    assert checks == {rule.name: True for rule in SEMGREP_RULES}
    assert result["config_with_errors"] == [] and result["config_missing_tests"] == []


# --- recording the report used above ----------------------------------------------------

def record_report(folder: Path) -> None:
    """Regenerate tests/data/semgrep_report.json (run by hand after a rule change):
    python -c "import sys; sys.path[:0] = ['tests']; import test_semgrep_engine as t; \\
    t.record_report(__import__('pathlib').Path('/tmp/semgrep-record'))"
    """
    root = write_tree(folder, PROJECT)
    location: ProjectLocation = locate_project([root])
    rules = [builtin_rule(rule) for rule in SEMGREP_RULES]
    targets = sorted(str(p.relative_to(root)) for p in root.rglob("*.py"))
    process = SemgrepProcess(root, 300)
    try:
        files = []
        for info in rules:
            copy = process.workdir / info.file.name
            copy.write_bytes(rule_text(info, location.config))
            files.append(copy)
        process.start(files + [root / "rules/custom.yaml"], targets)
        report = process.wait()
    finally:
        process.close()
    kept = {key: report[key] for key in ("version", "results", "errors", "paths")}
    RECORDED.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")


# --- AG704 and the broker's own bounds -----------------------------------------------------

ACTORS = """
    from __future__ import annotations

    from app.worker import actor


    @actor(actor_name="media.render", priority=1)
    async def render(job_id: str) -> None: ...


    @actor(actor_name="media.probe", time_limit=60_000)
    async def probe(job_id: str) -> None: ...


    @actor(actor_name="media.purge", max_retries=0)
    async def purge(job_id: str) -> None: ...
    """
WORKER = """
    from __future__ import annotations

    import dramatiq
    from dramatiq import middleware

    broker_middleware = [
        middleware.Retries(max_retries=settings.WORKER_MAX_RETRIES, min_backoff=1000),{time_limit}
    ]


    def actor(actor_name: str, priority: int = 0, **options: object):
        return dramatiq.actor(actor_name=actor_name, priority=priority, **options)
    """


@pytest.mark.parametrize(("time_limit", "expected"), [
    ("", [("AG704", "app/media/tasks.py", 7), ("AG704", "app/media/tasks.py", 15)]),
    ("\n        middleware.TimeLimit(time_limit=get_limit(600_000)),", []),
])
def test_bounds_the_broker_sets_are_not_asked_of_each_actor(
        tmp_path: Path, semgrep_on: None, capsys: pytest.CaptureFixture[str],
        time_limit: str, expected: list[tuple[str, str, int]]) -> None:
    """Retries(max_retries=...) on the broker: an actor needs only a time limit; with
    TimeLimit(time_limit=...) too, every actor is bounded (polar's shape)."""
    root = write_tree(tmp_path / "project", {
        "pyproject.toml": '[tool.archguard]\npackage = "app"\nmodules-dir = "app"\n',
        "app/__init__.py": "", "app/media/__init__.py": "",
        "app/worker.py": WORKER.replace("{time_limit}", time_limit),
        "app/media/tasks.py": ACTORS,
    })
    code, out, err = check(capsys, str(root), "--select", "AG704", "--no-cache",
                           "--format", "json")
    assert err == ""
    found = json.loads(out)["diagnostics"]
    assert [(d["code"], d["path"], d["line"]) for d in found] == expected


def test_actor_bounds_are_detected_from_the_broker_middleware() -> None:
    from archguard.project.detect import detect_layout

    def bounds(texts: dict[str, str]) -> list[str] | None:
        return detect_layout(Config(), texts)[0].actor_bounds

    assert bounds({"a.py": "Retries(\n  max_retries=3)\n",
                   "b.py": "TimeLimit(time_limit=f(1))\n"}) == ["max_retries", "time_limit"]
    assert bounds({"a.py": "Retries()\nmax_retries = 3\n",
                   "b.py": "dramatiq.actor(time_limit=1)\n"}) == []
    assert detect_layout(Config(actor_bounds=["time_limit"]), {
        "a.py": "Retries(max_retries=3)\n"})[0].actor_bounds == ["time_limit"]


def test_semgrep_is_not_finished_while_batches_wait(tmp_path: Path) -> None:
    """The first batch's end is not semgrep's end: the progress bar names the semgrep stage
    until the last batch is done."""
    run = SemgrepProcess(tmp_path, 300)
    try:
        run.pending = [["b.py"]]  # a batch still to run after the current (absent) process
        assert not run.finished()
        run.pending = []
        assert run.finished()
    finally:
        run.close()  # its private folder
    assert not run.workdir.exists()


@pytest.mark.parametrize("limit, order", [
    (1024 * 1024, ["semgrep", "native"]),  # a small scan: its start-up hides in the pass
    (0, ["native", "semgrep"]),  # a large one waits: it would slow down beside the pass
])
def test_a_large_scan_starts_after_the_native_pass(
        small: Path, semgrep_on: None, monkeypatch: pytest.MonkeyPatch, limit: int,
        order: list[str]) -> None:
    from archguard.run import runner
    from archguard.semgrep import scan

    events: list[str] = []
    real_launch, real_analyze = process.launch, runner.analyze_paths

    def launching(*args: Any) -> Any:
        events.append("semgrep")
        return real_launch(*args)

    def analyzing(*args: Any) -> Any:
        events.append("native")
        return real_analyze(*args)

    monkeypatch.setattr(process, "launch", launching)
    monkeypatch.setattr(runner, "analyze_paths", analyzing)
    monkeypatch.setattr(scan, "OVERLAP_MAX_BYTES", limit)
    service = small / "cpv3/modules/users/service.py"
    service.write_text(service.read_text().replace("  # archguard: ignore[AG703]", ""))
    report = report_json(run_check(CheckRequest([small], use_cache=False)))
    assert events == order
    assert triples(report["diagnostics"]) == [("AG703", "cpv3/modules/users/service.py", 5)]


# polar's DB-free suites: the conftest overrides the global `session` fixture with a mock
# (and the database setup with a no-op) so that the parent conftest's setup does not reach
# Postgres; no test of the suite takes `session`.
PLACEHOLDER_CONFTEST = """
    from collections.abc import AsyncIterator
    from unittest.mock import AsyncMock

    import pytest_asyncio
    from sqlalchemy.ext.asyncio import AsyncSession


    @pytest_asyncio.fixture(scope="session", autouse=True)
    async def initialize_test_database() -> AsyncIterator[None]:
        yield


    @pytest_asyncio.fixture
    async def session() -> AsyncIterator[AsyncSession]:
        yield AsyncMock(spec=AsyncSession)
    """
NAMED_CONFTEST = """
    from unittest.mock import MagicMock

    import pytest
    from sqlalchemy.ext.asyncio import AsyncSession


    @pytest.fixture(name="db")
    def fake_db() -> AsyncSession:
        return MagicMock(spec=AsyncSession)
    """


def test_a_session_mock_no_test_of_its_suite_receives_is_a_placeholder(
        tmp_path: Path, semgrep_on: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Dropped: the mock a conftest fixture yields when no function under the conftest's
    folder takes the fixture (a call passing `session=AsyncMock()` is no request). Kept:
    a test (in a nested folder too) or a fixture taking it, `usefixtures("db")`, a suite
    file that does not parse, and a mock that is not a fixture's value."""
    root = write_tree(tmp_path / "project", {
        "pyproject.toml": '[tool.archguard]\npackage = "app"\nmodules-dir = "app"\n',
        "app/__init__.py": "",
        "tests/cli/conftest.py": PLACEHOLDER_CONFTEST,
        "tests/cli/test_listen.py": """
            from unittest.mock import AsyncMock


            async def test_listen(redis: object) -> None:
                await listen(redis=redis, session=AsyncMock())
            """,
        "tests/users/conftest.py": PLACEHOLDER_CONFTEST,
        "tests/users/api/test_users.py": """
            async def test_create(session: object) -> None:
                session.execute.return_value = None
            """,
        "tests/orgs/conftest.py": PLACEHOLDER_CONFTEST + """

    @pytest_asyncio.fixture
    async def organization(session: AsyncSession) -> object:
        return await create_organization(session)
    """,
        "tests/named/conftest.py": NAMED_CONFTEST,
        "tests/named/test_named.py": """
            import pytest


            @pytest.mark.usefixtures("db")
            def test_named() -> None:
                pass
            """,
        "tests/unnamed/conftest.py": NAMED_CONFTEST,
        "tests/unnamed/test_unnamed.py": "def test_plain() -> None:\n    pass\n",
        "tests/broken/conftest.py": PLACEHOLDER_CONFTEST,
        "tests/broken/test_broken.py": "def test_broken(:\n",
        "tests/direct/conftest.py": """
            from unittest.mock import AsyncMock

            from sqlalchemy.ext.asyncio import AsyncSession

            SESSION = AsyncMock(spec=AsyncSession)
            """,
    })
    code, out, err = check(capsys, str(root), "--select", "AG805", "--no-cache",
                           "--format", "json")
    assert err == ""
    assert [(d["path"], d["line"]) for d in json.loads(out)["diagnostics"]] == [
        ("tests/broken/conftest.py", 15), ("tests/direct/conftest.py", 5),
        ("tests/named/conftest.py", 9), ("tests/orgs/conftest.py", 15),
        ("tests/users/conftest.py", 15)]


RUNNER_READS = """import os
import sys


def main() -> int:
    level = os.environ.get("RUNNER_LOG_LEVEL", "INFO")
    print(level, file=sys.stderr)
    return 0
"""


def test_a_standalone_script_may_read_the_environment(
        tmp_path: Path, semgrep_on: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Dropped: a module run as a program that imports nothing from its package (no settings
    object within reach), and the `__main__` block of any module (a manual harness). Kept:
    a script importing the package (absolutely, relatively, in a function) outside its
    `__main__` block, a module without the block, a file that does not parse, and every
    script once `allow-env-in-scripts = false`."""
    main_block = '\n\nif __name__ == "__main__":\n    sys.exit(main())\n'
    files = {
        "pyproject.toml": '[tool.archguard]\npackage = "app"\nmodules-dir = "app"\n',
        "app/__init__.py": "",
        "app/config.py": "import os\n\nDEBUG = os.environ.get('DEBUG')\n",
        "app/runner.py": RUNNER_READS + main_block,
        "app/reversed_guard.py": RUNNER_READS + main_block.replace(
            '__name__ == "__main__"', '"__main__" == __name__'),
        "app/worker.py": "from app.config import DEBUG\n" + RUNNER_READS + main_block,
        "app/relative.py": "from . import config\n" + RUNNER_READS + main_block,
        "app/late.py": RUNNER_READS.replace(
            "    return 0", "    import app.config\n    return 0") + main_block,
        "app/library.py": RUNNER_READS,
        "app/broken.py": RUNNER_READS + main_block + "\ndef broken(:\n",
        "app/harness.py": "from app.config import DEBUG\n" + RUNNER_READS + main_block.replace(
            "sys.exit(main())", "print(os.environ.get('HARNESS_TOKEN'))\n    main()")
        + "else:\n    ON_IMPORT = os.environ['ON_IMPORT']\n",
    }
    files["pyproject.toml"] += 'settings-module = "app/config.py"\n'
    root = write_tree(tmp_path / "project", files)
    code, out, _ = check(capsys, str(root), "--select", "AG703", "--no-cache",
                         "--format", "json")
    found = [(d["path"], d["line"]) for d in json.loads(out)["diagnostics"]]
    expected = [("app/broken.py", 6), ("app/harness.py", 7), ("app/harness.py", 16),
                ("app/late.py", 6),
                ("app/library.py", 6), ("app/relative.py", 7), ("app/worker.py", 7)]
    assert found == expected
    (root / "pyproject.toml").write_text(files["pyproject.toml"] + "allow-env-in-scripts = false\n")
    code, out, _ = check(capsys, str(root), "--select", "AG703", "--no-cache",
                         "--format", "json")
    assert [(d["path"], d["line"]) for d in json.loads(out)["diagnostics"]] == sorted(
        expected + [("app/harness.py", 13),
                    ("app/reversed_guard.py", 6), ("app/runner.py", 6)])


def test_a_variable_the_package_hands_to_a_child_process_is_no_setting(
        tmp_path: Path, semgrep_on: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Dropped: reads of a name the package writes into an environment it builds for a
    child (`env["RUN_TOKEN"] = ...`, `sandbox_env.update({...})`, `env={...}`). Kept: a
    name only `os.environ`, a credentials dict or a test file writes, a setting the
    settings module reads (handed on or not), and a read by a non-literal name."""
    root = write_tree(tmp_path / "project", {
        "pyproject.toml": '[tool.archguard]\npackage = "app"\nmodules-dir = "app"\n'
                          'settings-module = "app/config.py"\n',
        "app/__init__.py": "",
        "app/config.py": "import os\n\nDEBUG = os.environ.get('DEBUG')\n",
        "app/launch.py": """
            import os
            import subprocess


            def launch(token: str, run_id: str) -> None:
                env = os.environ.copy()
                env["RUN_TOKEN"] = token
                sandbox_env: dict[str, str] = {}
                sandbox_env.update({"RUN_ID": run_id})
                os.environ["DATABASE_URL"] = "sqlite://"
                env["DEBUG"] = "1"
                subprocess.run(["python", "-m", "app.child"], env=env, check=True)
                subprocess.run(["python", "-m", "app.child"], env={"RUN_MODE": "x"}, check=True)
            """,
        "app/credentials.py": """
            def credentials(key: str) -> dict[str, str]:
                return {"AWS_ACCESS_KEY_ID": key}
            """,
        "app/child.py": """
            import os

            from app import config

            NAME = "RUN_TOKEN"


            def context() -> list[str | None]:
                return [
                    os.environ.get("RUN_TOKEN"),
                    os.environ["RUN_ID"],
                    os.getenv("RUN_MODE"),
                    os.getenv("DATABASE_URL"),
                    os.getenv("AWS_ACCESS_KEY_ID"),
                    os.getenv("SECRET_KEY"),
                    os.environ.get(NAME),
                    os.environ.get("DEBUG"),
                    {}.get("RUN_TOKEN") or os.environ["OTHER_KEY"],
                ]
            """,
        "tests/test_child.py": """
            def test_child() -> None:
                env = {}
                env["SECRET_KEY"] = "x"
            """,
    })
    code, out, _ = check(capsys, str(root), "--select", "AG703", "--no-cache",
                         "--format", "json")
    assert [(d["path"], d["line"]) for d in json.loads(out)["diagnostics"]] == [
        ("app/child.py", 13), ("app/child.py", 14), ("app/child.py", 15),  # DATABASE_URL,
        ("app/child.py", 16), ("app/child.py", 17),  # AWS_ACCESS_KEY_ID, SECRET_KEY, NAME,
        ("app/child.py", 18)]  # DEBUG, OTHER_KEY (not the other mapping's RUN_TOKEN)


def test_a_link_returned_by_a_function_named_for_it_is_no_configuration(
        tmp_path: Path, semgrep_on: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Dropped: a URL in the `return` of a function or property whose name says it is a
    link for people (`avatar_url`, `icon_to_github_url`). Kept: a URL such a function
    fetches, one returned by a function named otherwise, and one returned by a nested
    function (the innermost function owns the `return`)."""
    root = write_tree(tmp_path / "project", {
        "pyproject.toml": '[tool.archguard]\npackage = "app"\nmodules-dir = "app"\n'
                          'settings-module = "app/config.py"\n',
        "app/__init__.py": "",
        "app/config.py": "",
        "app/links.py": """
            import httpx


            class Organization:
                website = "acme.io"

                @property
                def avatar_url(self) -> str:
                    return f"https://img.logo.dev/{self.website}?size=64"


            def icon_to_github_url(repo: str, tail: str) -> str:
                return (
                    f"https://github.com/{repo}/raw/main/{tail}"
                )


            def fetch_logo(name: str) -> bytes:
                return httpx.get(f"https://logos.acme-cdn.io/{name}").content


            def api_base() -> str:
                return "https://api.acme.io/v1"


            def docs_links() -> object:
                def resolve() -> str:
                    return "https://api.acme.io/v2"
                return resolve
            """,
    })
    code, out, _ = check(capsys, str(root), "--select", "AG702", "--no-cache",
                         "--format", "json")
    assert [(d["path"], d["line"]) for d in json.loads(out)["diagnostics"]] == [
        ("app/links.py", 19), ("app/links.py", 23), ("app/links.py", 28)]


def test_a_url_beside_a_unix_socket_factory_is_no_configuration(
        tmp_path: Path, semgrep_on: None, capsys: pytest.CaptureFixture[str]) -> None:
    """tracecat's MCP proxy: the transport's URL is given beside a client factory of the
    same file that always connects with `uds=`; the host is a placeholder. Kept: the same
    URL beside a factory that does not pass `uds=`, or passes it only in a branch or as
    None, and a URL the factory's call does not take."""
    root = write_tree(tmp_path / "project", {
        "pyproject.toml": '[tool.archguard]\npackage = "app"\nmodules-dir = "app"\n'
                          'settings-module = "app/config.py"\n',
        "app/__init__.py": "",
        "app/config.py": "",
        "app/proxy.py": """
            import httpx
            from mcp import StreamableHttpTransport


            class _UDSClientFactory:
                def __init__(self, socket_path: str) -> None:
                    self._socket_path = socket_path

                def __call__(self, **kwargs: object) -> httpx.AsyncClient:
                    return httpx.AsyncClient(
                        transport=httpx.AsyncHTTPTransport(uds=self._socket_path))


            def _tcp_factory(**kwargs: object) -> httpx.AsyncClient:
                return httpx.AsyncClient(**kwargs)


            def over_socket(socket_path: str) -> StreamableHttpTransport:
                return StreamableHttpTransport(
                    url="http://localhost/mcp",
                    httpx_client_factory=_UDSClientFactory(socket_path),
                )


            def passed(socket_path: str) -> StreamableHttpTransport:
                return StreamableHttpTransport("http://localhost/mcp", _UDSClientFactory)


            def over_tcp() -> StreamableHttpTransport:
                return StreamableHttpTransport(
                    url="http://mcp.acme-internal.io/mcp",
                    httpx_client_factory=_tcp_factory,
                )


            def elsewhere(socket_path: str) -> StreamableHttpTransport:
                fallback = "http://mcp.acme-internal.io/mcp"
                return StreamableHttpTransport(
                    url=fallback, httpx_client_factory=_UDSClientFactory(socket_path))


            def _maybe_socket(socket_path: str | None = None) -> httpx.AsyncClient:
                if socket_path:
                    return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=socket_path))
                return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=None))


            def sometimes() -> StreamableHttpTransport:
                return StreamableHttpTransport(url="https://mcp.acme-internal.io/mcp",
                                               httpx_client_factory=_maybe_socket)
            """,
    })
    code, out, _ = check(capsys, str(root), "--select", "AG702", "--no-cache",
                         "--format", "json")
    assert [(d["path"], d["line"]) for d in json.loads(out)["diagnostics"]] == [
        ("app/proxy.py", 31), ("app/proxy.py", 37), ("app/proxy.py", 49)]


def test_a_development_only_value_is_no_configuration(
        tmp_path: Path, semgrep_on: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Dropped: a URL in a branch the settings take only outside production (`if not
    settings.PRODUCTION:`, `if settings.DEBUG:`, the `else` of `if settings.PRODUCTION:`).
    Kept: the production branch, a branch on another kind of flag, and a flag of an object
    that is not the settings."""
    root = write_tree(tmp_path / "project", {
        "pyproject.toml": '[tool.archguard]\npackage = "app"\nmodules-dir = "app"\n'
                          'settings-module = "app/config.py"\n',
        "app/__init__.py": "",
        "app/config.py": "",
        "app/main.py": """
            from app.config import settings

            origins = []
            if not settings.PRODUCTION:
                origins.append("http://localhost:3000")
            if settings.DEBUG:
                origins.append("http://localhost:5173")
            if settings.PRODUCTION:
                origins.append("https://app.acme.io")
            else:
                origins.append("http://127.0.0.1:3000")
            if settings.USE_S3:
                origins.append("https://s3.acme-storage.io")
            if request.DEBUG:
                origins.append("http://debug.acme-internal.io")
            if settings.PRODUCTION:
                origins.append(settings.ORIGIN)
            elif settings.STAGING:
                origins.append("https://staging.acme-internal.io")
            """,
    })
    code, out, _ = check(capsys, str(root), "--select", "AG702", "--no-cache",
                         "--format", "json")
    assert [(d["path"], d["line"]) for d in json.loads(out)["diagnostics"]] == [
        ("app/main.py", 9), ("app/main.py", 13), ("app/main.py", 15), ("app/main.py", 19)]
