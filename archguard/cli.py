"""The command line: a thin typer layer over ``archguard.run.runner`` and the emitters.

Exit codes: 0 no findings, 1 findings, 2 usage, config or internal error (one line on
stderr; a traceback only with ``--debug``).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator, Optional, TextIO

import typer

from archguard import __version__
from archguard.diagnostics import ArchguardError, Diagnostic
from archguard.report.emitters import MACHINE_FORMATS, EmitOptions, get_emitter
from archguard.report.result import CheckReport
from archguard.run.runner import CheckRequest, run_check

if TYPE_CHECKING:
    from archguard.fix.engine import FixOutcome

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="archguard",
    help="Architecture conformance checker for cpv3-style FastAPI backends.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class OutputFormat(str, Enum):
    full = "full"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    junit = "junit"


class TableFormat(str, Enum):
    table = "table"
    json = "json"


_debug = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archguard {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """archguard: the cpv3 backend rulebook, machine-checked."""
    global _debug
    _debug = debug


def split_codes(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def use_color(no_color: bool, stream: TextIO) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


@contextmanager
def output_stream(output_file: Path | None) -> Iterator[TextIO]:
    if output_file is None:
        yield sys.stdout
        return
    try:
        with output_file.open("w", encoding="utf-8") as stream:
            yield stream
    except OSError as error:
        raise ArchguardError(f"cannot write {output_file}: {error.strerror}") from None


PathsArg = Annotated[Optional[list[Path]], typer.Argument(
    help="Project root, or folders/files inside it (default: .).", show_default=False)]
SelectOpt = Annotated[Optional[list[str]], typer.Option(
    "--select", help="Codes or prefixes to report, comma-separated (AG2, AG201).")]
IgnoreOpt = Annotated[Optional[list[str]], typer.Option(
    "--ignore", help="Codes or prefixes to leave out, comma-separated.")]
ConfigOpt = Annotated[Optional[Path], typer.Option(
    "--config", help="pyproject.toml (or TOML file) holding the archguard settings.")]


@app.command()
def check(
    paths: PathsArg = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="Output format.")] = OutputFormat.full,
    output_file: Annotated[Optional[Path], typer.Option(
        "--output-file", "-o", help="Write the report to this file.")] = None,
    statistics: Annotated[bool, typer.Option(
        "--statistics", help="Show the number of findings per code instead.")] = False,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="Exit 0 even when there are findings.")] = False,
    config: ConfigOpt = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="Never colour output.")] = False,
    baseline: Annotated[Optional[Path], typer.Option(
        "--baseline", help="Report only findings not recorded in this baseline file.")] = None,
    since: Annotated[Optional[str], typer.Option(
        "--since", help="Report only files changed since this git revision.")] = None,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Neither read nor write the cache (.archguard_cache/).")] = False,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0,
        help="Processes for per-file work: 0 = one per core, 1 = serial.")] = 0,
    no_semgrep: Annotated[bool, typer.Option(
        "--no-semgrep", help="Skip the semgrep rules (AG406, AG407, AG70x, AG805, your own).",
    )] = False,
    fix: Annotated[bool, typer.Option(
        "--fix", help="Apply the safe fixes, then report what remains.")] = False,
    unsafe_fixes: Annotated[bool, typer.Option(
        "--unsafe-fixes", help="Also apply (and count as fixable) the fixes that can change "
        "behaviour.")] = False,
    diff: Annotated[bool, typer.Option(
        "--diff", help="Print the fixes as a unified diff and write nothing (exit 1 when "
        "there is a diff).")] = False,
    show_fixes: Annotated[bool, typer.Option(
        "--show-fixes", help="With --fix: list the findings that were fixed.")] = False,
) -> None:
    """Check the project against the rulebook."""
    from archguard.run.progress import progress_for

    request = CheckRequest(
        paths=paths or [Path(".")], config_file=config, select=split_codes(select),
        ignore=split_codes(ignore), since=since, baseline=baseline,
        use_cache=not no_cache, jobs=jobs, semgrep=not no_semgrep)
    outcome = None
    if fix or diff:
        from archguard.fix.engine import fix_project

        outcome = fix_project(request, unsafe_fixes, write=not diff)
        for note in outcome.notes:
            sys.stderr.write(f"archguard: {note}\n")
        if diff:
            with output_stream(output_file) as stream:
                stream.write(outcome.diff())
            raise typer.Exit(EXIT_FINDINGS if outcome.after else EXIT_CLEAN)
    with progress_for(output_format.value) as progress:
        request.progress = progress
        report = run_check(request)
    _attach_fix_details(report, request, unsafe_fixes, output_format.value, outcome)
    if show_fixes and outcome is not None:
        _show_fixes(outcome.fixed, sys.stderr if output_file is None and
                    output_format.value in MACHINE_FORMATS else sys.stdout)
    with output_stream(output_file) as stream:
        options = EmitOptions(color=output_file is None and use_color(no_color, stream),
                              statistics=statistics)
        get_emitter(output_format.value)(report, stream, options)
    if report.diagnostics and not exit_zero:
        raise typer.Exit(EXIT_FINDINGS)


def _attach_fix_details(report: CheckReport, request: CheckRequest, unsafe: bool,
                        output_format: str, outcome: FixOutcome | None) -> None:
    """What the emitters say about fixes: which findings have one ([*], the summary), what
    --fix fixed, and for JSON/SARIF the edits (libcst only then, or from the cache)."""
    from archguard.report.fixable import FixSettings

    report.fix_settings = FixSettings.build(report.config, unsafe)
    if outcome is not None:
        report.fixed = outcome.fixed
    if output_format in ("json", "sarif"):
        from archguard.fix.records import attach_fixes

        attach_fixes(report, request)


def _show_fixes(fixed: list[Diagnostic], stream: TextIO) -> None:
    """--show-fixes: ``Fixed N findings:`` then ``path:line:col: CODE [slug] message``."""
    stream.write(f"Fixed {len(fixed)} finding{'s' if len(fixed) != 1 else ''}"
                 f"{':' if fixed else '.'}\n")
    for d in sorted(fixed, key=Diagnostic.sort_key):
        stream.write(f"  {d.path}:{d.line}:{d.column}: {d.code} [{d.rule}] {d.message}\n")


@app.command("baseline")
def baseline_command(
    paths: PathsArg = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "--output-file", "-o",
        help="Baseline file to write [default: .archguard-baseline.json].",
        show_default=False)] = None,
    prune: Annotated[Optional[Path], typer.Option(
        "--prune", help="Drop the entries of this baseline that no longer occur (adds "
        "nothing new); rewrites it, or writes --output.")] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Record today's findings so that 'check --baseline FILE' reports only new ones."""
    from archguard.run.baseline import write_baseline_command

    request = CheckRequest(paths=paths or [Path(".")], config_file=config,
                           select=split_codes(select), ignore=split_codes(ignore))
    typer.echo(write_baseline_command(request, output, prune))


@app.command()
def init(
    path: Annotated[Optional[Path], typer.Argument(
        help="The project root (default: .).", show_default=False)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace an existing [tool.archguard] section.")] = False,
) -> None:
    """Detect the project layout and write a commented [tool.archguard] to pyproject.toml."""
    from archguard.project.init import init_project

    typer.echo(init_project(path or Path("."), force))


@app.command()
def scaffold(
    module: Annotated[str, typer.Argument(help="The new module's name (e.g. billing).")],
    path: Annotated[Optional[Path], typer.Argument(
        help="The project root, or a path inside it (default: .).", show_default=False)] = None,
    config: ConfigOpt = None,
) -> None:
    """Create a new module: its six role files, from templates that pass every rule."""
    from archguard.fix.scaffold import scaffold_module

    typer.echo(scaffold_module(module, path or Path("."), config))


@app.command()
def clean(
    path: Annotated[Optional[Path], typer.Argument(
        help="The project, or a path inside it (default: .).", show_default=False)] = None,
) -> None:
    """Remove the project's cache (.archguard_cache/, or $ARCHGUARD_CACHE_DIR)."""
    from archguard.engine.cache import cache_dir, clean as clean_cache
    from archguard.project.discovery import locate_project

    root = locate_project([path or Path(".")]).root
    removed = clean_cache(root)
    typer.echo(f"removed {removed}" if removed else f"no cache at {cache_dir(root)}")


@app.command()
def rules(
    output_format: Annotated[TableFormat, typer.Option(
        "--format", help="table or json.")] = TableFormat.table,
    no_color: Annotated[bool, typer.Option("--no-color", help="Never colour output.")] = False,
) -> None:
    """List every rule: code, slug, summary, and whether it is on by default."""
    from archguard.rules.docs import print_rules_table, rules_json

    if output_format is TableFormat.json:
        typer.echo(rules_json())
    else:
        print_rules_table(use_color(no_color, sys.stdout))


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="A rule code (AG201) or slug (relative-import).")],
    no_color: Annotated[bool, typer.Option("--no-color", help="Never colour output.")] = False,
) -> None:
    """Explain a rule: why it exists, the rulebook line, bad and good examples, configuration."""
    from archguard.rules.docs import explain_text
    from archguard.rules.registry import find_rule

    typer.echo(explain_text(find_rule(rule)))


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


@app.command()
def graph(
    path: Annotated[Optional[Path], typer.Argument(
        help="The project root, or any path inside it (default: .).",
        show_default=False)] = None,
    output_format: Annotated[GraphFormat, typer.Option(
        "--format", help="mermaid, dot or json.")] = GraphFormat.mermaid,
    output_file: Annotated[Optional[Path], typer.Option(
        "--output-file", "-o", help="Write the graph to this file.")] = None,
    config: ConfigOpt = None,
) -> None:
    """The module dependency graph; layer violations and cycles highlighted."""
    from archguard.run.graph import graph_text

    text = graph_text(path or Path("."), config, output_format.value)
    with output_stream(output_file) as stream:
        stream.write(text)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: maps every outcome to the documented exit codes.

    typer/click handle usage errors themselves (message and exit 2); everything else that
    escapes a command is turned into one line on stderr.
    """
    try:
        app(args=argv, prog_name="archguard", standalone_mode=True)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_ERROR
    except ArchguardError as error:
        _fail(str(error), error)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # never a bare traceback for users
        _fail(f"internal error: {error!r} (run with --debug for the traceback)", error)
        return EXIT_ERROR
    return EXIT_CLEAN


def _fail(message: str, error: BaseException) -> None:
    if _debug or "--debug" in sys.argv:
        import traceback

        traceback.print_exception(error)
    sys.stderr.write(f"archguard: error: {message}\n")


def run() -> None:
    """The console script: ``main``, then a hard exit. Tearing down the interpreter frees a
    large project's objects one by one (~60 ms of a cold check) and nothing needs it: the
    pool and semgrep are finished by now and every file written is closed (mypy does the
    same)."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`archguard check | head`): nothing to do
            pass
    os._exit(code)
