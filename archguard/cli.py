"""The command line: a thin typer layer over ``archguard.run.runner`` and the emitters.

Exit codes: 0 nothing failed, 1 findings at the ``--fail-on`` severity (default: errors),
2 usage, config or internal error (one line on stderr; a traceback only with ``--debug``).
How output is printed (colour, width, quiet, silent) is decided in ``archguard.run.output``.
"""

from __future__ import annotations

import dataclasses
import io
import os
import signal
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator, Optional, TextIO

import typer

from archguard import __version__
from archguard.diagnostics import ArchguardError, Diagnostic
from archguard.report.emitters import MACHINE_FORMATS, EmitOptions, get_emitter
from archguard.report.result import CheckReport
from archguard.run import output
from archguard.run.output import ColorChoice
from archguard.run.runner import CheckRequest, run_check

if TYPE_CHECKING:
    from archguard.fix.engine import FixOutcome

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="archguard",
    help="Architecture conformance checker for cpv3-style FastAPI backends.",
    add_completion=True,  # --install-completion / --show-completion (typer loads it anyway)
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
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


def use_color(no_color: bool, stream: TextIO, color: ColorChoice = ColorChoice.auto) -> bool:
    return output.use_color(output.color_choice(color, no_color), stream)


@contextmanager
def output_stream(output_file: Path | None, silent: bool = False) -> Iterator[TextIO]:
    """Where a report goes: the file, else stdout (nowhere with ``--silent``). A file is
    written atomically once the report is complete (a failure leaves the old file as it
    was). On standard output, a reader that went away (``archguard check | head``) ends the
    output quietly and the exit code stays the check's; any other write failure (a full
    disk) is exit 2."""
    if silent and output_file is None:
        yield output.NullStream()  # type: ignore[misc]
        return
    if output_file is not None:
        from archguard.project.fileio import write_user_file

        buffer = io.StringIO()
        yield buffer
        write_user_file(output_file, buffer.getvalue().encode("utf-8", "backslashreplace"))
        return
    stream = sys.stdout
    if stream is None:  # started with standard output closed (`archguard check >&-`)
        raise ArchguardError("standard output is closed: nowhere to write the report "
                             "(use --output-file)")
    try:
        yield stream
        stream.flush()
    except BrokenPipeError:
        _drop_stdout()
    except (OSError, ValueError) as error:  # ENOSPC (/dev/full), EBADF, a closed stream
        _drop_stdout()
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise ArchguardError(f"cannot write the report to standard output: {reason}") from None


def _drop_stdout() -> None:
    """Point standard output at /dev/null: what is still buffered cannot fail again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


PathsArg = Annotated[Optional[list[Path]], typer.Argument(
    help="Project root, or folders/files inside it (default: .).", show_default=False)]
SelectOpt = Annotated[Optional[list[str]], typer.Option(
    "--select", help="Codes, prefixes or rule names to report, comma-separated (AG2, AG201, "
    "relative-import).")]
IgnoreOpt = Annotated[Optional[list[str]], typer.Option(
    "--ignore", help="Codes, prefixes or rule names to leave out, comma-separated.")]
ConfigOpt = Annotated[Optional[Path], typer.Option(
    "--config", help="pyproject.toml (or TOML file) holding the archguard settings.")]
ColorOpt = Annotated[ColorChoice, typer.Option(
    "--color", help="Colour: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces it), "
    "always or never.")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="Same as --color never.")]
FORMAT_ENV = "ARCHGUARD_OUTPUT_FORMAT"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


@app.command()
def check(
    ctx: typer.Context,
    paths: PathsArg = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "--output-format", envvar=FORMAT_ENV,
        help="Output format.")] = OutputFormat.full,
    output_file: Annotated[Optional[Path], typer.Option(
        "--output-file", "-o", help="Write the report to this file.")] = None,
    statistics: Annotated[bool, typer.Option(
        "--statistics", help="Show the number of findings per code instead (full, concise "
        "or json).")] = False,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="Exit 0 even when there are findings.")] = False,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help="The least severe finding that fails the run (exit 1).")
    ] = FailOn.error,
    config: ConfigOpt = None,
    color: ColorOpt = ColorChoice.auto,
    no_color: NoColorOpt = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print the findings only (no summary, no hints).")] = False,
    silent: Annotated[bool, typer.Option(
        "--silent", "-s", help="Print nothing (--output-file is still written); the exit "
        "code tells.")] = False,
    show_hints: Annotated[bool, typer.Option(
        "--show-hints", help="A hint under every finding instead of once per rule.")] = False,
    baseline: Annotated[Optional[Path], typer.Option(
        "--baseline", help="Report only findings not recorded in this baseline file "
        "[default: the 'baseline' setting].")] = None,
    no_baseline: Annotated[bool, typer.Option(
        "--no-baseline", help="Ignore the configured baseline: report every finding.")
    ] = False,
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
    show_settings: Annotated[bool, typer.Option(
        "--show-settings", help="Print the resolved settings and where each comes from; "
        "check nothing.")] = False,
    show_files: Annotated[bool, typer.Option(
        "--show-files", help="List the files that would be checked; check nothing.")] = False,
    watch: Annotated[bool, typer.Option(
        "--watch", "-w", help="Check again on every save (Ctrl-C to stop).")] = False,
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
    request = CheckRequest(
        paths=paths or [Path(".")], config_file=config, select=split_codes(select),
        ignore=split_codes(ignore), since=since, baseline=baseline,
        config_baseline=not no_baseline, use_cache=not no_cache, jobs=jobs,
        semgrep=not no_semgrep)
    if statistics and output_format.value not in STATISTICS_FORMATS:
        raise typer.BadParameter(f"--statistics works with {', '.join(STATISTICS_FORMATS)}, "
                                 f"not --format {output_format.value}")
    if show_settings or show_files:
        _show(request, show_settings, show_files, {
            "format": (output_format.value, _origin(ctx, "output_format", FORMAT_ENV)),
            "fail-on": (fail_on.value, _origin(ctx, "fail_on")),
            "jobs": (jobs, _origin(ctx, "jobs")),
            "cache": (not no_cache, _origin(ctx, "no_cache")),
            "semgrep": (not no_semgrep, _origin(ctx, "no_semgrep")),
            "color": (output.color_choice(color, no_color).value,
                      _origin(ctx, "no_color" if no_color else "color"))})
        return
    mode = OutputMode(output_format.value, output_file, output.color_choice(color, no_color),
                      statistics, quiet, silent, show_hints, fix, unsafe_fixes, show_fixes)
    if diff:
        _diff(request, mode)
    if watch:
        _watch(request, mode)
        return
    report = _check_once(request, mode)
    if report.failing(fail_on.value) and not exit_zero:
        raise typer.Exit(EXIT_FINDINGS)


STATISTICS_FORMATS = ("full", "concise", "json")


def _origin(ctx: typer.Context, parameter: str, envvar: str = "") -> str:
    """Where a command-line setting came from: the command line, the environment, default."""
    source = ctx.get_parameter_source(parameter)
    name = getattr(source, "name", "")
    if name == "ENVIRONMENT":
        return f"environment (${envvar})"
    return "command line" if name == "COMMANDLINE" else "default"


def _show(request: CheckRequest, settings: bool, files: bool,
          run_options: dict[str, tuple[object, str]]) -> None:
    from archguard.run.settings import files_to_check, settings_text

    if settings:
        typer.echo(settings_text(request, run_options))
    if files:
        for path in files_to_check(request):
            typer.echo(path)


@dataclass(frozen=True)
class OutputMode:
    """How one check prints: the format, where, and how much."""

    format: str
    output_file: Path | None
    color: ColorChoice
    statistics: bool = False
    quiet: bool = False
    silent: bool = False
    show_hints: bool = False
    fix: bool = False  # apply the fixes before checking (--fix)
    unsafe_fixes: bool = False
    show_fixes: bool = False


def _check_once(request: CheckRequest, mode: OutputMode) -> CheckReport:
    from archguard.run.progress import progress_for

    outcome = None
    if mode.fix:
        from archguard.fix.engine import fix_project

        outcome = fix_project(request, mode.unsafe_fixes, write=True)
        _fix_notes(outcome.notes)
    progress_format = "json" if mode.quiet or mode.silent else mode.format  # no bar
    with progress_for(progress_format) as progress:
        report = run_check(dataclasses.replace(
            request, progress=progress, on_stage=getattr(progress, "stage", None)))
    _attach_fix_details(report, request, mode.unsafe_fixes, mode.format, outcome)
    if mode.show_fixes and outcome is not None and not mode.silent:
        _show_fixes(outcome.fixed, sys.stderr if mode.output_file is None and
                    mode.format in MACHINE_FORMATS else sys.stdout)
    emit(report, mode)
    return report


def _diff(request: CheckRequest, mode: OutputMode) -> None:
    """--diff: the fixes as a unified diff, nothing written; exit 1 when there is one."""
    from archguard.fix.engine import fix_project

    outcome = fix_project(request, mode.unsafe_fixes, write=False)
    _fix_notes(outcome.notes)
    with output_stream(mode.output_file, mode.silent) as stream:
        stream.write(outcome.diff())
    raise typer.Exit(EXIT_FINDINGS if outcome.after else EXIT_CLEAN)


def _fix_notes(notes: list[str]) -> None:
    for note in notes:
        sys.stderr.write(f"archguard: {note}\n")


def emit(report: CheckReport, mode: OutputMode) -> None:
    with output_stream(mode.output_file, mode.silent) as stream:
        options = EmitOptions(
            color=output.use_color(mode.color, stream, to_file=mode.output_file is not None),
            statistics=mode.statistics, quiet=mode.quiet, show_hints=mode.show_hints,
            width=None if mode.output_file else output.terminal_width(stream))
        get_emitter(mode.format)(report, stream, options)


def _watch(request: CheckRequest, mode: OutputMode) -> None:
    from archguard.project.discovery import locate_project
    from archguard.run.watch import CLEAR_SCREEN, watch

    root = locate_project(request.paths, request.config_file).root
    terminal = sys.stdout.isatty()
    report_file = mode.output_file.resolve() if mode.output_file else None

    def run_once() -> None:
        if terminal and mode.output_file is None:
            sys.stdout.write(CLEAR_SCREEN)
        try:
            _check_once(request, mode)
        except ArchguardError as error:  # a half-saved config: say so and keep watching
            sys.stderr.write(f"archguard: error: {error}\n")
        sys.stdout.flush()

    def announce(text: str) -> None:
        if not mode.silent:
            sys.stderr.write(text + "\n")

    watch(root, run_once, announce, max_runs=_watch_max_runs(),
          ignored=lambda path: report_file is not None and Path(path) == report_file)


def _watch_max_runs() -> int | None:
    """Tests bound ``--watch`` with ``ARCHGUARD_WATCH_MAX_RUNS`` (not a user setting)."""
    value = os.environ.get("ARCHGUARD_WATCH_MAX_RUNS", "")
    return int(value) if value.isdigit() else None


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
        help="Baseline file to write [default: the 'baseline' setting, else "
        ".archguard-baseline.json, at the project root].",
        show_default=False)] = None,
    prune: Annotated[Optional[Path], typer.Option(
        "--prune", help="Drop the entries of this baseline that no longer occur (adds "
        "nothing new); rewrites it, or writes --output.")] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    no_semgrep: Annotated[bool, typer.Option(
        "--no-semgrep", help="Skip the semgrep rules (their findings are not recorded).",
    )] = False,
) -> None:
    """Record the whole project's findings so that 'check' reports only new ones."""
    from archguard.run.baseline import write_baseline_command

    request = CheckRequest(paths=paths or [Path(".")], config_file=config,
                           select=split_codes(select), ignore=split_codes(ignore),
                           semgrep=not no_semgrep)
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
    from archguard.rules.registry import all_rules

    overlaps = {rule.code: rule.ruff for rule in all_rules() if rule.ruff}
    typer.echo(init_project(path or Path("."), force, overlaps))


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
    config: ConfigOpt = None,
    color: ColorOpt = ColorChoice.auto,
    no_color: NoColorOpt = False,
) -> None:
    """List every rule (the project's own semgrep rules too): code, slug, summary, default."""
    from archguard.rules.docs import print_rules_table, rules_json
    from archguard.run.rulebook import custom_record, project_rules

    extra = [custom_record(info) for info in project_rules(Path("."), config)]
    if output_format is TableFormat.json:
        typer.echo(rules_json(extra))
    else:
        print_rules_table(use_color(no_color, sys.stdout, color), extra)


RuleArg = Annotated[str, typer.Argument(
    help="A rule code (AG201), slug (relative-import) or your semgrep rule's id.")]


@app.command()
def explain(
    rule: RuleArg,
    config: ConfigOpt = None,
    color: ColorOpt = ColorChoice.auto,
    no_color: NoColorOpt = False,
) -> None:
    """Explain a rule: why it exists, the rulebook line, bad and good examples, configuration."""
    from archguard.run.rulebook import explain_any, project_rules

    custom = project_rules(Path("."), config) if not _builtin(rule) else []
    typer.echo(explain_any(rule, custom))


def _builtin(rule: str) -> bool:
    """A built-in rule needs no project (and no YAML parsing) to be explained."""
    from archguard.rules.registry import all_rules

    wanted = rule.strip()
    return any(wanted.upper() == r.code or wanted.lower() == r.name for r in all_rules())


app.command("rule", help="Same as 'explain' (as in 'ruff rule').")(explain)


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"
    pwsh = "pwsh"


@app.command()
def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh, fish, powershell or pwsh.")],
) -> None:
    """Print the shell completion script: eval "$(archguard completion bash)"."""
    from typer._completion_shared import get_completion_script

    typer.echo(get_completion_script(prog_name="archguard", complete_var=COMPLETE_VAR,
                                     shell=shell.value))


COMPLETE_VAR = "_ARCHGUARD_COMPLETE"


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


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (``timeout``, a CI cancel, a closed terminal): unwinds like Ctrl-C,
    so every ``finally`` runs (pool workers and semgrep are stopped, temp folders removed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_signalled: list[int] = []  # the signal that ended the run (typer may re-wrap the exception)


def _terminate(signum: int, frame: object) -> None:
    _signalled.append(signum)
    raise Terminated(signum)


@contextmanager
def _signals_end_the_run() -> Iterator[None]:
    import threading

    _signalled.clear()  # a signal of an earlier in-process run does not end this one
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, _terminate)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _tolerant_streams() -> None:
    """A terminal whose encoding cannot show a character gets its escape, never a crash
    (``PYTHONIOENCODING=cp1252``); machine formats choose ASCII escapes themselves."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def main(argv: list[str] | None = None) -> int:
    """Console entry point: maps every outcome to the documented exit codes.

    Usage errors (a bad option or value, an unknown command) and everything else that
    escapes a command become one line on stderr: ``archguard: error: ...``. A signal ends
    the run with 128 + its number (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
    """
    try:
        os.getcwd()
    except OSError:
        _fail("the current working directory no longer exists", None)
        return EXIT_ERROR
    _tolerant_streams()
    try:
        with _signals_end_the_run():
            code = app(args=argv, prog_name="archguard", standalone_mode=False)
    except SystemExit as done:
        if _signalled:
            return 128 + _signalled[0]
        return done.code if isinstance(done.code, int) else EXIT_ERROR
    except ArchguardError as error:
        _fail(str(error), error)
        return EXIT_ERROR
    except KeyboardInterrupt as interrupt:
        return 128 + (_signalled[0] if _signalled else getattr(interrupt, "signum",
                                                               signal.SIGINT))
    except RecursionError as error:
        _fail("input nested too deeply to process (run with --debug for the traceback)", error)
        return EXIT_ERROR
    except Exception as error:  # never a bare traceback for users
        if _signalled:  # click turned the interrupt into Abort
            return 128 + _signalled[0]
        usage = usage_error_line(error)
        if usage is not None:
            return usage
        _fail(f"internal error: {error!r} (run with --debug for the traceback)", error)
        return EXIT_ERROR
    if _signalled:  # typer turns an interrupt into exit code 130, whatever the signal
        return 128 + _signalled[0]
    return code if isinstance(code, int) else EXIT_CLEAN


def usage_error_line(error: Exception) -> int | None:
    """click's usage errors (typer re-exports click's, vendored or not) as one line; None
    for anything else. ``archguard`` alone prints the help, as before."""
    kind = type(error).__name__
    if kind == "NoArgsIsHelpError":
        error.show()  # type: ignore[attr-defined]  (the help text)
        return EXIT_ERROR
    if kind == "Abort":
        return 130
    if not hasattr(error, "format_message") or not hasattr(error, "exit_code"):
        return None
    context = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "archguard"
    message = " ".join(error.format_message().split())
    sys.stderr.write(f"archguard: error: {message[:1].lower()}{message[1:]} "
                     f"(see '{command} -h')\n")
    return int(error.exit_code)


def _fail(message: str, error: BaseException | None) -> None:
    if error is not None and (_debug or "--debug" in sys.argv):
        import traceback

        traceback.print_exception(error)
    from archguard.report.emitters import printable

    try:  # a path or a value from the repository never reaches the terminal raw
        sys.stderr.write(f"archguard: error: {printable(message)}\n")
    except (OSError, ValueError, AttributeError):  # stderr closed too: the code says it
        pass


def run() -> None:
    """The console script: ``main``, then a hard exit. Tearing down the interpreter frees a
    large project's objects one by one (~60 ms of a cold check) and nothing needs it: the
    pool and semgrep are finished by now and every file written is closed (mypy does the
    same). What is still buffered is flushed first: a reader that went away changes
    nothing; a failed write (a full disk) is exit 2."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:
            pass
        except (OSError, ValueError) as error:
            if stream is sys.stdout:
                _fail(f"cannot write to standard output: "
                      f"{getattr(error, 'strerror', None) or error}", None)
                code = EXIT_ERROR
    os._exit(code)
