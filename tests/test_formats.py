"""The CI formats (sarif, github, gitlab, junit) on sample_project's real findings, plus
emitter tests on constructed diagnostics for escaping, encoding and unknown rule codes."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import REPO, SAMPLE

from archguard import __version__
from archguard.cli import main
from archguard.diagnostics import Diagnostic
from archguard.project.config import Config
from archguard.report.baseline import fingerprints
from archguard.report.emitters import FORMATS, MACHINE_FORMATS, EmitOptions, get_emitter
from archguard.report.emitters.github import command, escape_data, escape_property
from archguard.report.result import CheckReport
from archguard.rules.registry import all_rules, find_rule
from archguard.run.runner import CheckRequest, run_check

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
CI_FORMATS = ("sarif", "github", "gitlab", "junit")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """sample_project is read-only: CLI runs keep their cache elsewhere."""
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def report() -> CheckReport:
    found = run_check(CheckRequest([SAMPLE], use_cache=False, jobs=1))
    assert found.diagnostics, "sample_project has planted violations"
    return found


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the project root: CI paths equal the report's paths."""
    monkeypatch.chdir(SAMPLE)
    return SAMPLE


def emitted(report: CheckReport, name: str) -> str:
    stream = io.StringIO()
    get_emitter(name)(report, stream, EmitOptions())
    return stream.getvalue()


def sarif_errors(log: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(log)]


def made(path: str, code: str = "AG201", rule: str = "relative-import", message: str = "m",
         line: int = 3, severity: str = "error", hint: str = "") -> Diagnostic:
    return Diagnostic(path=path, line=line, column=1, code=code, rule=rule, message=message,
                      end_line=line, end_column=9, hint=hint, severity=severity)


def constructed(root: Path, *diagnostics: Diagnostic,
                rules: tuple[str, ...] = ("AG201",)) -> CheckReport:
    return CheckReport(root, Config(), list(diagnostics), 1, rules=rules)


def test_formats_are_registered() -> None:
    assert set(CI_FORMATS) <= set(FORMATS)
    assert {"sarif", "gitlab", "junit"} <= MACHINE_FORMATS
    for name in FORMATS:
        assert callable(get_emitter(name))


# --- SARIF -----------------------------------------------------------------------------

def test_sarif_of_sample_project_validates_against_the_official_schema(
        report: CheckReport, at_root: Path) -> None:
    log = json.loads(emitted(report, "sarif"))
    assert sarif_errors(log) == []
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


def test_sarif_results_are_the_diagnostics(report: CheckReport, at_root: Path) -> None:
    run = json.loads(emitted(report, "sarif"))["runs"][0]
    # sample_project lies in archguard's own git repository: paths are relative to its root
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": REPO.resolve().as_uri() + "/"}}
    rules = run["tool"]["driver"]["rules"]
    prints = fingerprints(report.diagnostics, report.root)
    assert len(run["results"]) == len(report.diagnostics)
    for result, d, fingerprint in zip(run["results"], report.diagnostics, prints):
        assert result["ruleId"] == d.code
        assert rules[result["ruleIndex"]]["id"] == d.code
        assert result["level"] == "error"
        assert result["message"] == {"text": d.message}
        assert result["partialFingerprints"] == {"archguardFingerprint/v1": fingerprint}
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        folder = (SAMPLE / d.path).is_dir()
        assert physical["artifactLocation"] == {
            "uri": "sample_project/" + d.path + ("/" if folder else ""), "uriBaseId": "%SRCROOT%"}
        if folder:
            assert "region" not in physical
        else:
            region = physical["region"]
            assert (region["startLine"], region["startColumn"]) == (d.line, d.column)
            assert region["endLine"] >= region["startLine"]


def test_sarif_rule_descriptors(report: CheckReport, at_root: Path) -> None:
    driver = json.loads(emitted(report, "sarif"))["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("archguard", __version__)
    assert driver["informationUri"] == "https://github.com/archguard/archguard"
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    assert set(report.rules) | {d.code for d in report.diagnostics} == set(ids)
    ag201 = driver["rules"][ids.index("AG201")]
    rule = find_rule("AG201")
    assert ag201["name"] == "relative-import"
    assert ag201["shortDescription"] == {"text": rule.summary}
    assert ag201["fullDescription"] == {"text": rule.rationale()}
    assert ag201["helpUri"] == (
        "https://github.com/archguard/archguard/blob/main/docs/rules/AG201.md")
    assert ag201["defaultConfiguration"]["level"] == "error"
    assert rule.rulebook in ag201["help"]["text"]
    assert "from .schemas import MediaRead" in ag201["help"]["markdown"]


def test_sarif_describes_codes_outside_the_registry(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    custom = made("cpv3/my file.py", code="CUSTOM1", rule="no-print", message="print() call",
                  severity="warning", hint="use logging")
    run = json.loads(emitted(constructed(tmp_path, custom), "sarif"))["runs"][0]
    assert sarif_errors({"version": "2.1.0", "runs": [run]}) == []
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["AG201", "CUSTOM1"]
    assert rules[1]["name"] == "no-print"
    assert rules[1]["defaultConfiguration"] == {"level": "warning"}
    (result,) = run["results"]
    assert (result["ruleIndex"], result["level"]) == (1, "warning")
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "cpv3/my%20file.py"  # a URI, percent-encoded


def test_sarif_folder_finding_has_a_folder_uri_and_no_region(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cpv3" / "modules" / "billing").mkdir(parents=True)
    folder = made("cpv3/modules/billing", code="AG104", rule="unexpected-module", line=1)
    log = json.loads(emitted(constructed(tmp_path, folder, rules=("AG104",)), "sarif"))
    assert sarif_errors(log) == []
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "cpv3/modules/billing/",
                                             "uriBaseId": "%SRCROOT%"}}


def test_ci_paths_are_relative_to_the_repository_and_the_working_directory(
        report: CheckReport, monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub and GitLab resolve paths against the repository root, where CI runs: SARIF and
    GitLab name them from the repository root wherever archguard runs; the GitHub log
    names them from the working directory, like every text format."""
    monkeypatch.chdir(SAMPLE / "cpv3")
    first = report.diagnostics[0]
    run = json.loads(emitted(report, "sarif"))["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == REPO.resolve().as_uri() + "/"
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.removesuffix("/") == "sample_project/" + first.path
    assert json.loads(emitted(report, "gitlab"))[0]["location"]["path"] == (
        "sample_project/" + first.path)
    github = emitted(report, "github").splitlines()[0]
    assert f"file={first.path.removeprefix('cpv3/')}," in github
    monkeypatch.chdir(SAMPLE.parent)
    first = report.diagnostics[0]
    run = json.loads(emitted(report, "sarif"))["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == SAMPLE.parent.resolve().as_uri() + "/"
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.removesuffix("/") == "sample_project/" + first.path
    assert f"file=sample_project/{first.path}," in emitted(report, "github").splitlines()[0]
    assert json.loads(emitted(report, "gitlab"))[0]["location"]["path"] == (
        "sample_project/" + first.path)


# --- GitHub ----------------------------------------------------------------------------

def test_github_escaping_as_documented() -> None:
    assert escape_data("100%\r\n, a: b %0A") == "100%25%0D%0A, a: b %250A"
    assert escape_property("100%\r\n, a: b") == "100%25%0D%0A%2C a%3A b"


def test_github_command_escapes_message_and_properties() -> None:
    d = made("cpv3/odd,name:50%.py", message="50% done\r\nnext, line: here",
             rule="relative-import")
    assert command(d) == (
        "::error file=cpv3/odd%2Cname%3A50%25.py,line=3,col=1,endLine=3,endColumn=9,"
        "title=AG201 relative-import::50%25 done%0D%0Anext, line: here")
    custom = made("a.py", code="X1", rule="a:b,c", severity="warning", hint="do: this")
    assert command(custom) == ("::warning file=a.py,line=3,col=1,endLine=3,endColumn=9,"
                               "title=X1 a%3Ab%2Cc::m%0Ahint: do: this")
    assert command(made("a.py", severity="info")).startswith("::notice ")


def _unescape(text: str) -> str:
    for escaped, raw in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"),
                         ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def test_github_format_on_sample_project(report: CheckReport, at_root: Path) -> None:
    lines = emitted(report, "github").splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(report.diagnostics)
    assert lines[-1].startswith("Found ")  # the plain summary closes the log
    pattern = re.compile(r"^::error (?P<props>[^:]*)::(?P<message>.*)$")
    for line, d in zip(commands, report.diagnostics):
        match = pattern.match(line)
        assert match, line
        props = dict(item.split("=", 1) for item in match["props"].split(","))
        assert {k: _unescape(v) for k, v in props.items()} == {
            "file": d.path, "line": str(d.line), "col": str(d.column),
            "endLine": str(d.end_line), "endColumn": str(d.end_column),
            "title": f"{d.code} {d.rule}"}
        message = _unescape(match["message"])
        assert message == d.message + (f"\nhint: {d.hint}" if d.hint else "")


# --- GitLab ----------------------------------------------------------------------------

def test_gitlab_code_quality_on_sample_project(report: CheckReport, at_root: Path) -> None:
    issues = json.loads(emitted(report, "gitlab"))
    assert isinstance(issues, list) and len(issues) == len(report.diagnostics)
    prints = fingerprints(report.diagnostics, report.root)
    assert len(set(prints)) == len(prints)
    for issue, d, fingerprint in zip(issues, report.diagnostics, prints):
        assert issue["check_name"] == d.code
        assert issue["description"] == f"{d.code} [{d.rule}] {d.message}"
        assert issue["fingerprint"] == fingerprint
        assert issue["severity"] == "major"
        assert issue["location"] == {"path": "sample_project/" + d.path,
                                     "lines": {"begin": d.line, "end": d.end_line}}


def test_gitlab_severity_mapping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    found = constructed(tmp_path, made("a.py"), made("b.py", severity="warning"),
                        made("c.py", severity="info"))
    assert [i["severity"] for i in json.loads(emitted(found, "gitlab"))] == [
        "major", "minor", "info"]


# --- JUnit -----------------------------------------------------------------------------

def test_junit_on_sample_project(report: CheckReport, at_root: Path) -> None:
    suites = ET.fromstring(emitted(report, "junit"))
    assert suites.tag == "testsuites"
    (suite,) = suites.findall("testsuite")
    cases = suite.findall("testcase")
    codes = sorted(set(report.rules) | {d.code for d in report.diagnostics})
    slugs = {r.code: r.name for r in all_rules()}
    assert [c.get("name") for c in cases] == [f"{code} {slugs[code]}" for code in codes]
    per_code = Counter(d.code for d in report.diagnostics)
    failed = [c for c in cases if c.findall("failure")]
    assert suite.get("tests") == str(len(cases))
    assert suite.get("failures") == str(len(failed)) == str(len(per_code))
    for case in cases:
        failures = case.findall("failure")
        code = case.get("name", "").split()[0]
        assert len(failures) == per_code[code]
        assert all(f.get("type") == code for f in failures)
    assert len(cases) > len(failed), "rules without findings are passing test cases"
    texts = [f.text or "" for f in suite.iter("failure")]
    for d in report.diagnostics:
        assert any(t.startswith(f"{d.path}:{d.line}:{d.column}: {d.code}") for t in texts)


def test_junit_survives_characters_xml_cannot_carry(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    found = constructed(tmp_path, made("a.py", message="bad \x01 byte <&>"))
    failure = ET.fromstring(emitted(found, "junit")).find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "bad \ufffd byte <&>"


# --- through the CLI -------------------------------------------------------------------

@pytest.mark.parametrize("name", CI_FORMATS)
def test_cli_formats_exit_1_on_findings_and_write_the_file(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"report.{name}"
    assert main(["check", str(SAMPLE), "--format", name, "--output-file", str(out)]) == 1
    assert capsys.readouterr().out == ""
    text = out.read_text(encoding="utf-8")
    if name in ("sarif", "gitlab"):
        assert json.loads(text)
    elif name == "junit":
        assert ET.fromstring(text).tag == "testsuites"
    else:
        assert text.startswith("::error ")


def test_cli_sarif_with_baseline_reports_it_in_run_properties(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", str(SAMPLE), "-o", str(baseline)]) == 0
    capsys.readouterr()
    assert main(["check", str(SAMPLE), "--format", "sarif", "--baseline", str(baseline)]) == 0
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert run["results"] == []
    assert run["properties"]["baseline"]["stale"] == 0
    assert run["properties"]["baseline"]["matched"] > 0


# --- the JSON text itself ------------------------------------------------------------------

PLAIN_JSON = [
    {}, [], "", 0, -7, True, False, None, {"a": []}, {"a": {}}, [[], {}, [[]]],
    {"é": "naïve — \u2028 \x00 \x1f \" \\ /", "n": [1, True, None, "x"], "t": ("a", 2)},
    {"diagnostics": [{"path": "a.py", "fix": None, "edits": [{"line": 1, "text": "x\n"}]}]},
]


@pytest.mark.parametrize("data", PLAIN_JSON, ids=range(len(PLAIN_JSON)))
def test_indented_json_is_the_stdlib_text(data: Any) -> None:
    from archguard.report.emitters import indented_json

    assert indented_json(data) == json.dumps(data, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("data", [1.5, {"a": float("nan")}, {1: "x"}, {"a": {"b"}},
                                  {"a": Path("x")}])
def test_indented_json_leaves_other_values_to_the_stdlib(data: Any) -> None:
    from archguard.report.emitters import dump_json, indented_json

    assert indented_json(data) is None
    if not isinstance(data, dict) or not isinstance(next(iter(data.values())), (set, Path)):
        stream = io.StringIO()
        dump_json(data, stream)
        assert stream.getvalue() == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_indented_json_of_generated_values() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    from archguard.report.emitters import indented_json

    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                    max_size=4),
        max_leaves=20)

    @hypothesis.settings(max_examples=200, deadline=None, derandomize=True)
    @hypothesis.given(values)
    def same(data: Any) -> None:
        assert indented_json(data) == json.dumps(data, indent=2, ensure_ascii=False)

    same()
