"""The command line at ruff's level (issue 16): slugs wherever a code goes, severities,
the configured baseline, output modes, settings and files, watch mode, one-line usage
errors, and the rules that duplicate ruff's. Every test runs the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archguard.cli import main
from archguard.run.progress import PROGRESS_MIN_FILES, TerminalProgress
from archguard.semgrep.process import first_sentence
from conftest import semgrep_env

SERVICE = "cpv3/modules/media/service.py"
RELATIVE = ("from __future__ import annotations\n\nfrom .schemas import MediaRead\n"
            "from .models import Media\n")
CONFIG = '[tool.archguard]\nmodule-names = ["media"]\n'


def make_project(root: Path, config: str = CONFIG, service: str = RELATIVE) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(config)
    folder = root / "cpv3" / "modules" / "media"
    folder.mkdir(parents=True)
    for name in ("__init__.py", "models.py", "schemas.py", "repository.py", "router.py"):
        (folder / name).write_text("")
    (folder / "service.py").write_text(service)
    (root / "cpv3" / "__init__.py").write_text("")
    (root / "cpv3" / "modules" / "__init__.py").write_text("")
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project that is also the working directory: text formats print paths relative to
    it, as the user would read them."""
    root = make_project(tmp_path / "proj")
    monkeypatch.chdir(root)
    return root


def concise(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["check", *args, "--format", "concise"])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


# --- slugs wherever a code is accepted ------------------------------------------------

def test_slugs_in_select_ignore_and_per_file_ignores(project: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = concise(capsys, str(project), "--select", "relative-import")
    assert code == 1 and [line.split(": ")[1] for line in out[:-1]] == [
        "AG201 [relative-import] [*] relative import 'from .schemas import MediaRead'",
        "AG201 [relative-import] [*] relative import 'from .models import Media'"]
    assert concise(capsys, str(project), "--ignore", "relative-import")[0] == 0
    (project / "pyproject.toml").write_text(
        CONFIG + '[tool.archguard.per-file-ignores]\n"cpv3/modules/media/*" = '
        '["relative-import"]\n')
    assert concise(capsys, str(project))[0] == 0


def test_a_slug_in_a_suppression_comment_suppresses(project: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (project / SERVICE).write_text(RELATIVE.replace(
        "MediaRead\n", "MediaRead  # archguard: ignore[relative-import]\n"))
    code, out, _ = concise(capsys, str(project))
    assert code == 1
    assert out[:-1] == [f"{SERVICE}:4:1: AG201 [relative-import] [*] relative import 'from .models "
                        "import Media': use 'from cpv3.modules.media.models import Media'"]
    (project / SERVICE).write_text(
        "# archguard: ignore-file[relative-import]\n" + RELATIVE)
    assert concise(capsys, str(project))[0] == 0  # no AG001 for the slug either


def test_a_misspelt_slug_in_a_comment_is_reported(project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (project / SERVICE).write_text(RELATIVE.replace(
        "MediaRead\n", "MediaRead  # archguard: ignore[relative-imports]\n"))
    _, out, _ = concise(capsys, str(project), "--select", "AG001")
    assert out[0] == (f"{SERVICE}:3:33: AG001 [unused-suppression] unknown rule code "
                      "'RELATIVE-IMPORTS' in suppression comment")


@pytest.mark.parametrize("args, message", [
    (["check", "--select", "relativ-import"],
     "unknown rule code or prefix 'relativ-import' in --select (did you mean "
     "'relative-import'?)"),
    (["check", "--ignore", "AG2011"], "(did you mean 'AG201'?)"),
    (["explain", "AG9"], "unknown rule 'AG9'; see 'archguard rules'"),
    (["explain", "AG20"], "(did you mean 'AG201', 'AG202' or 'AG203'?)"),
    (["rule", "import"], "(did you mean 'relative-import'?)"),
    (["explain", "n-plus-1"], "(did you mean 'n-plus-one'?)"),
])
def test_did_you_mean_by_prefix_and_by_name(project: Path, args: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1
    assert "AG805" not in err


def test_unknown_code_in_per_file_ignores_is_an_error(project: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        CONFIG + '[tool.archguard.per-file-ignores]\n"cpv3/*" = ["AG2O1"]\n')
    assert main(["check", str(project)]) == 2
    assert "unknown rule code or prefix 'AG2O1' in [tool.archguard.per-file-ignores] " \
        "'cpv3/*'" in capsys.readouterr().err


# --- severity ---------------------------------------------------------------------------

def test_configured_warning_does_not_fail_unless_fail_on_warning(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        CONFIG + '[tool.archguard.severity]\nrelative-import = "warning"\n')
    code, out, _ = concise(capsys, str(project))
    assert code == 0
    assert out[0].endswith("AG201 [relative-import] [*] warning: relative import 'from .schemas "
                           "import MediaRead': use 'from cpv3.modules.media.schemas import "
                           "MediaRead'")
    assert out[-1] == ("Found 2 findings (2 warnings) in 1 file (8 files checked). 2 fixable "
                       "with --fix.")
    assert concise(capsys, str(project), "--fail-on", "warning")[0] == 1
    assert main(["check", str(project), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["severity"] for d in data["diagnostics"]} == {"warning"}
    (project / "pyproject.toml").write_text(
        CONFIG + '[tool.archguard.severity]\nAG2 = "warning"\nAG201 = "error"\n')
    assert concise(capsys, str(project))[0] == 1  # the longest prefix decides


def test_bad_severity_is_a_one_line_error(project: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        CONFIG + '[tool.archguard.severity]\nAG201 = "fatal"\n')
    assert main(["check", str(project)]) == 2
    assert "'tool.archguard.severity.AG201' must be one of error, warning, info, got " \
        "'fatal'" in capsys.readouterr().err


CUSTOM_RULES = """rules:
  - id: no-print
    languages: [python]
    severity: WARNING
    message: print() in application code. Use the logger, which the platform collects.
    pattern: print(...)
"""


def test_project_semgrep_rules_are_listed_explained_and_warn(
        project: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text(CONFIG + 'semgrep-rules = ["rules"]\n')
    (project / "rules").mkdir()
    (project / "rules/custom.yaml").write_text(CUSTOM_RULES)
    monkeypatch.chdir(project)
    assert main(["rules", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[-1] == {
        "code": "no-print", "rule": "no-print", "summary": "print() in application code.",
        "default": True, "engine": "semgrep (project)", "severity": "warning"}
    assert main(["explain", "no-print"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("no-print no-print: print() in application code.\n(default: on; "
                           "engine: semgrep, the project's rule 'no-print' in ")
    assert "severity: warning)" in text and "Use the logger" in text
    (project / SERVICE).write_text("from __future__ import annotations\n\nprint(1)\n")
    done = subprocess.run([sys.executable, "-m", "archguard", "check", "--format", "concise",
                           "--no-cache"], cwd=project, env=semgrep_env(), capture_output=True,
                          text=True, check=False)
    assert (done.returncode, done.stdout.splitlines()) == (0, [
        f"{SERVICE}:3:1: no-print [no-print] warning: print() in application code.",
        "Found 1 finding (1 warning) in 1 file (8 files checked)."]), done.stderr


def test_settings_naming_project_rules_work_for_graph_too(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        CONFIG + 'semgrep-rules = ["rules"]\nignore = ["no-print"]\n'
        '[tool.archguard.severity]\nno-print = "info"\n')
    (project / "rules").mkdir()
    (project / "rules/custom.yaml").write_text(CUSTOM_RULES)
    assert main(["graph", str(project)]) == 0
    assert capsys.readouterr().out.startswith("flowchart")
    (project / "pyproject.toml").write_text(CONFIG + 'ignore = ["no-print"]\n')
    assert main(["graph", str(project)]) == 2
    assert "unknown rule code or prefix 'no-print' in [tool.archguard] ignore" in \
        capsys.readouterr().err


def test_first_sentence_of_a_semgrep_message() -> None:
    assert first_sentence("Dramatiq actor declared outside `cpv3/x.py`. Move it, e.g. there.") \
        == ("Dramatiq actor declared outside `cpv3/x.py`.", "Move it, e.g. there.")
    assert first_sentence("Use `a. B` and e.g. Foo here") == ("Use `a. B` and e.g. Foo here", "")


# --- the configured baseline ------------------------------------------------------------

def test_configured_baseline_written_at_the_root_from_a_subfolder(
        project: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text(CONFIG + 'baseline = "archguard-baseline.json"\n')
    (project / "cpv3/modules/media/router.py").write_text(
        "from __future__ import annotations\n\nfrom .service import x\n")
    monkeypatch.chdir(project / "cpv3" / "modules" / "media")
    assert main(["check", "--format", "concise"]) == 2
    assert "baseline file not found" in capsys.readouterr().err
    assert main(["baseline", "service.py"]) == 0
    assert capsys.readouterr().out == (
        "archguard: recorded 3 findings in ../../../archguard-baseline.json; 'archguard "
        "check' now reports only new ones\n")
    assert not (project / "cpv3/modules/media/archguard-baseline.json").exists()
    recorded = json.loads((project / "archguard-baseline.json").read_text())
    assert sorted(e["path"] for e in recorded["findings"]) == [
        "cpv3/modules/media/router.py", SERVICE, SERVICE]  # the whole project
    monkeypatch.chdir(project)
    assert concise(capsys)[0] == 0
    code, out, _ = concise(capsys, "--no-baseline")
    assert code == 1 and len(out) == 4


def test_baseline_without_the_key_says_how_to_set_it(project: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "cpv3")
    assert main(["baseline"]) == 0
    assert capsys.readouterr().out == (
        "archguard: recorded 2 findings in ../.archguard-baseline.json; 'archguard check "
        "--baseline ../.archguard-baseline.json' now reports only new ones (or set baseline = "
        "\".archguard-baseline.json\" in [tool.archguard])\n")
    assert (project / ".archguard-baseline.json").is_file()


# --- output modes -----------------------------------------------------------------------

def test_quiet_prints_only_the_findings_and_silent_nothing(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(project), "-q", "--format", "concise"]) == 1
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()] == [
        SERVICE, SERVICE]
    assert main(["check", str(project), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "How to fix" not in out and "Found" not in out and "AG201" in out
    assert main(["check", str(project), "-s"]) == 1
    assert capsys.readouterr() == ("", "")
    assert main(["check", str(project), "--silent", "--exit-zero"]) == 0
    report = project / "report.json"
    assert main(["check", str(project), "-s", "--format", "json", "-o", str(report)]) == 1
    assert capsys.readouterr() == ("", "")
    assert json.loads(report.read_text())["summary"]["diagnostics"] == 2


def test_hints_once_in_a_footer_unless_show_hints(project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    hint = "always import absolutely from the package root"
    assert main(["check", str(project), "--no-color"]) == 1
    out = capsys.readouterr().out
    assert out.count(hint) == 1
    assert f"How to fix:\n  AG201 [relative-import] {hint}\n" in out
    assert main(["check", str(project), "--no-color", "--show-hints"]) == 1
    out = capsys.readouterr().out
    assert out.count(f"      hint: {hint}\n") == 2 and "How to fix" not in out


def test_source_excerpts_wrap_to_the_terminal_width(project: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    long_import = "from .schemas import " + ", ".join(f"Name{i}" for i in range(12))
    (project / SERVICE).write_text(f"from __future__ import annotations\n\n{long_import}\n")
    monkeypatch.setenv("COLUMNS", "50")
    assert main(["check", str(project), "--no-color"]) == 1
    lines = capsys.readouterr().out.splitlines()
    start = lines.index(f"       3 | {long_import[:39]}")  # 50 columns less the gutter
    assert lines[start + 1] == "           ^" + "~" * 38
    assert lines[start + 2] == f"         | {long_import[39:78]}"
    assert all(len(line) <= 50 for line in lines[start:start + 4])
    monkeypatch.delenv("COLUMNS")
    assert main(["check", str(project), "--no-color"]) == 1  # a pipe: the line whole
    assert f"       3 | {long_import}\n" in capsys.readouterr().out


def test_output_format_alias_and_environment_variable(
        project: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["check", str(project), "--output-format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["diagnostics"] == 2
    monkeypatch.setenv("ARCHGUARD_OUTPUT_FORMAT", "concise")
    assert main(["check", str(project)]) == 1
    assert capsys.readouterr().out.startswith(f"{SERVICE}:3:1: AG201")
    assert main(["check", str(project), "--format", "json"]) == 1  # the option wins
    json.loads(capsys.readouterr().out)
    monkeypatch.setenv("ARCHGUARD_OUTPUT_FORMAT", "xml")
    assert main(["check", str(project)]) == 2
    assert "'xml' is not one of" in capsys.readouterr().err


def test_color_always_never_and_the_environment(project: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    main(["check", str(project)])
    assert "\x1b[" not in capsys.readouterr().out  # auto: not a terminal
    main(["check", str(project), "--color", "always"])
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("FORCE_COLOR", "1")
    main(["check", str(project)])
    assert "\x1b[" in capsys.readouterr().out
    main(["check", str(project), "--color", "never"])
    assert "\x1b[" not in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    main(["check", str(project)])
    assert "\x1b[" not in capsys.readouterr().out  # NO_COLOR beats FORCE_COLOR
    main(["check", str(project), "--color", "always"])
    assert "\x1b[" in capsys.readouterr().out  # the option beats both


def test_statistics_sorted_with_total_and_as_json(project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (project / "cpv3/modules/media/extra.py").write_text("x: int = 1\n")
    assert main(["check", str(project), "--statistics", "--format", "concise"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "count  code   rule                  fixable  summary",
        "    2  AG201  [relative-import]           2  A relative import anywhere in the package",
        "    1  AG101  [extra-module-file]            A file in a module folder that is not "
        "one of the six role files",
        "    1  AG801  [future-annotations]        1  A package file without `from __future__ "
        "import annotations`",
        "    4  total                              3",
    ]
    assert main(["check", str(project), "--statistics", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["total"], data["fixable"]) == (4, 3)
    assert [(row["code"], row["count"], row["fixable"]) for row in data["statistics"]] == [
        ("AG201", 2, 2), ("AG101", 1, 0), ("AG801", 1, 1)]
    assert main(["check", str(project), "--statistics", "--format", "sarif"]) == 2
    assert capsys.readouterr().err == (
        "archguard: error: invalid value: --statistics works with full, concise, json, not "
        "--format sarif (see 'archguard check -h')\n")


# --- settings, files, help, completion ------------------------------------------------

def test_show_settings_says_where_each_value_comes_from(
        project: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text(
        CONFIG + '[tool.archguard.roles]\nrouter = "routes.py"\n')
    monkeypatch.setenv("ARCHGUARD_OUTPUT_FORMAT", "json")
    assert main(["check", str(project), "--show-settings", "--select", "AG2", "-j", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    source = str(project / "pyproject.toml")
    assert lines[1] == f"# configuration: {source}"
    assert 'package = "cpv3"  # default' in lines
    assert f'module-names = ["media"]  # {source}' in lines
    assert 'select = ["AG2"]  # command line (--select)' in lines
    assert f'router = "routes.py"  # {source}' in lines[lines.index("[roles]"):]
    assert 'format = "json"  # environment ($ARCHGUARD_OUTPUT_FORMAT)' in lines
    assert "jobs = 1  # command line" in lines
    assert 'fail-on = "error"  # default' in lines


def test_show_files_lists_what_would_be_checked(project: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(project / "cpv3/modules/media"), "--show-files"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"cpv3/modules/media/{name}" for name in (
            "__init__.py", "models.py", "repository.py", "router.py", "schemas.py",
            "service.py")]


def test_dash_h_rule_alias_and_completion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-h"]) == 0
    out = capsys.readouterr().out
    assert "--install-completion" in out and "completion" in out
    assert main(["check", "-h"]) == 0
    out = capsys.readouterr().out
    for option in ("--quiet", "--silent", "--output-format", "--color", "--show-settings",
                   "--show-files", "--watch", "--no-baseline", "--fail-on", "--show-hints"):
        assert option in out
    assert main(["rule", "AG201"]) == 0
    assert capsys.readouterr().out.startswith("AG201 relative-import:")
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert "_ARCHGUARD_COMPLETE" in script and "complete " in script


def test_bash_completion_completes_commands_and_options() -> None:
    env = {**os.environ, "_ARCHGUARD_COMPLETE": "complete_bash", "COMP_WORDS": "archguard ch",
           "COMP_CWORD": "1"}
    done = subprocess.run([sys.executable, "-m", "archguard"], env=env, capture_output=True,
                          text=True, check=False)
    assert "check" in done.stdout.split()
    env.update(COMP_WORDS="archguard check --sho", COMP_CWORD="2")
    done = subprocess.run([sys.executable, "-m", "archguard"], env=env, capture_output=True,
                          text=True, check=False)
    assert {"--show-settings", "--show-files", "--show-hints"} <= set(done.stdout.split())


# --- first contact ----------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["check", "--bogus"], "archguard: error: no such option: --bogus"),
    (["check", "--format", "xml"], "archguard: error: invalid value for '--format'"),
    (["check", "-j", "-1"], "archguard: error: invalid value for '--jobs' / '-j': -1"),
    (["chek"], "archguard: error: no such command 'chek'. Did you mean 'check'?"),
    (["check", "--fail-on", "fatal"], "archguard: error: invalid value for '--fail-on'"),
])
def test_usage_errors_are_one_line_on_stderr(args: list[str], message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "archguard", *args], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(message) and len(done.stderr.splitlines()) == 1


def test_without_configuration_the_error_leads_to_init(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app").mkdir()
    assert main(["check", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"archguard: error: package folder 'cpv3' not found in {tmp_path} and no "
        "[tool.archguard] configuration: run 'archguard init' to detect the layout and "
        "write one\n")
    (tmp_path / "pyproject.toml").write_text('[tool.archguard]\npackage = "svc"\n')
    assert main(["check", str(tmp_path)]) == 2
    assert "(set 'package' in [tool.archguard] of pyproject.toml)" in capsys.readouterr().err


# --- progress -------------------------------------------------------------------------

class Terminal:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_bar_names_the_semgrep_stage() -> None:
    stream = Terminal()
    progress = TerminalProgress(stream)  # type: ignore[arg-type]
    progress(PROGRESS_MIN_FILES, PROGRESS_MIN_FILES)
    assert "analysing" in stream.text
    assert f"{PROGRESS_MIN_FILES}/{PROGRESS_MIN_FILES}" in stream.text
    progress.stage("semgrep rules", 655)
    assert "semgrep rules: 655 files" in stream.text
    progress.close()
    quiet = Terminal()
    few = TerminalProgress(quiet)  # type: ignore[arg-type]
    few.stage("semgrep rules", 3)  # no bar for a handful of files
    assert quiet.text == ""


# --- watch mode -------------------------------------------------------------------------

def test_watch_checks_again_after_a_save(project: Path) -> None:
    env = {**os.environ, "ARCHGUARD_WATCH_MAX_RUNS": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "archguard", "check", "--watch", "--format", "concise",
         str(project)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=project)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # printed once the first run is done
        assert line.startswith("watching ")
        # the watcher may start after the line: save again until a run has seen a save
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            (project / SERVICE).write_text(RELATIVE.replace("from .models import Media\n", ""))
            time.sleep(0.2)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert out.count(f"{SERVICE}:3:1: AG201") == 2
    assert out.count(f"{SERVICE}:4:1: AG201") == 1  # the second run saw the save
    assert out.count("Found 2 findings") == 1 and out.count("Found 1 finding in") == 1
    assert process.returncode == 0


# --- rules that duplicate ruff's -------------------------------------------------------

def init_ignores(root: Path) -> list[str]:
    text = (root / "pyproject.toml").read_text()
    if "ignore = []" in text:
        return []
    block = text[text.index("ignore = [\n"):]
    return [line.strip() for line in block[:block.index("\n]")].splitlines()[1:]]


@pytest.mark.parametrize("ruff, expected", [
    ("", []),  # ruff's defaults (E4, E7, E9, F) duplicate nothing
    ('[tool.ruff.lint]\nselect = ["ANN", "C90"]\n',
     ['"AG601",  # ruff C901', '"AG802",  # ruff ANN001 + ANN201', '"AG803",  # ruff ANN401']),
    ('[tool.ruff]\nselect = ["ALL"]\nignore = ["ANN401", "ANN2"]\n',  # legacy top level
     ['"AG601",  # ruff C901']),
    ('[tool.ruff.lint]\nextend-select = ["TID", "I"]\n', []),  # defaults of both settings
    ('[tool.ruff.lint]\nselect = ["A", "C4", "T20", "FA"]\n', []),  # other linters' letters
    ('[tool.ruff.lint]\nextend-select = ["TID252", "I002"]\n'
     '[tool.ruff.lint.flake8-tidy-imports]\nban-relative-imports = "all"\n'
     '[tool.ruff.lint.isort]\nrequired-imports = ["from __future__ import annotations"]\n',
     ['"AG201",  # ruff TID252', '"AG801",  # ruff I002']),
])
def test_init_ignores_what_the_ruff_config_already_checks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], ruff: str,
        expected: list[str]) -> None:
    root = make_project(tmp_path / "p", config=ruff)
    assert main(["init", str(root)]) == 0
    assert init_ignores(root) == expected
    out = capsys.readouterr().out
    codes = ", ".join(item.split('"')[1] for item in expected)
    assert (f"  ignore       {codes} (ruff already checks them)" in out) == bool(expected)
    assert main(["check", str(root), "--select", "AG6,AG8", "--format", "json"]) in (0, 1)


def test_init_reads_ruff_toml_first(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", config='[tool.ruff.lint]\nselect = ["C901"]\n')
    (root / "ruff.toml").write_text('[lint]\nselect = ["ANN401"]\n')
    assert main(["init", str(root)]) == 0
    assert init_ignores(root) == ['"AG803",  # ruff ANN401']


@pytest.mark.parametrize("code, ruff", [("AG201", "TID252"), ("AG801", "I002"),
                                        ("AG802", "ANN001 and ANN201"), ("AG803", "ANN401"),
                                        ("AG601", "C901")])
def test_explain_names_the_ruff_rule(code: str, ruff: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", code]) == 0
    text = capsys.readouterr().out
    overlap = text[text.index("\nOverlap with ruff\n"):]
    assert f"If your ruff configuration enables {ruff}, keep one of the two" in overlap
