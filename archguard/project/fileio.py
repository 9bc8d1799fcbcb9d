"""Every file archguard reads from the project or writes anywhere goes through here.

Reads are bounded: only regular files are opened (a FIFO, socket or device, or a symlink to
one, would block or never end), checked with ``stat`` before opening and ``fstat`` after (a
swap in between is caught), opened non-blocking, and read up to a size limit.

Writes are atomic: a temporary file in the same folder, flushed to disk, then renamed over
the target. A reader sees the whole old or the whole new file; a failure (full disk, no
permission) leaves the old file as it was.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from archguard.diagnostics import ArchguardError

DEFAULT_MAX_FILE_KB = 4096  # files above this are reported (AG000), never read whole
TEMP_SUFFIX = ".tmp"
# ``<target name>.<pid>.<12 hex>.tmp``: the only temporary names archguard ever creates.
TEMP_NAME = re.compile(r"^.+\.\d+\.[0-9a-f]{12}\.tmp$")

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR,
          "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


class UnreadableFile(OSError):
    """A file archguard will not read: not a regular file, or above the size limit. Its
    ``str`` is the finding's message."""


def kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def check_regular(st: os.stat_result, limit: int | None) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(f"not a regular file ({kind_of(st.st_mode)}): not read")
    if limit is not None and st.st_size > limit:
        raise UnreadableFile(too_large(st.st_size, limit))


def too_large(size: int, limit: int) -> str:
    return (f"file too large ({size / 1024:,.0f} KB; the limit is {limit // 1024:,} KB): not "
            f"analysed (raise 'max-file-size-kb' in [tool.archguard] to check it)")


def read_regular(path: str | Path, limit: int | None = None) -> tuple[os.stat_result, bytes]:
    """(stat, bytes) of a regular file of at most ``limit`` bytes; the stat is taken before
    the read, so a later edit changes it. Raises ``UnreadableFile`` or ``OSError``."""
    check_regular(os.stat(path), limit)  # never open a FIFO or a device at all
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | \
        getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        check_regular(st, limit)  # swapped for something else since the stat
        data = _read_fd(fd, st.st_size, None if limit is None else limit + 1)
    finally:
        os.close(fd)
    if limit is not None and len(data) > limit:  # grew since the stat
        raise UnreadableFile(too_large(len(data), limit))
    return st, data


def _read_fd(fd: int, size: int, cap: int | None) -> bytes:
    """Everything left in ``fd`` (at most ``cap`` bytes): one ``os.read`` of the size the
    stat gave (and one more that finds the end) instead of a buffered file object, which
    cost more than the read itself on small files."""
    parts: list[bytes] = []
    total = 0
    want = size + 1
    while cap is None or total < cap:
        chunk = os.read(fd, want if cap is None else min(want, cap - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = 1 << 16
    return parts[0] if len(parts) == 1 else b"".join(parts)


def atomic_write(path: Path, data: bytes, *, durable: bool = True,
                 keep_mode: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically (raises ``OSError``; ``path`` is then
    unchanged). ``durable``: fsync the file and its folder (user files; the cache skips it).
    A symlink is followed: its target is rewritten, the link stays. A target that exists and
    is not a regular file (``-o /dev/null``, a FIFO, a terminal) is written to as it is:
    renaming over it would replace the device or pipe with a file."""
    target = Path(os.path.realpath(path))
    try:
        existing = os.stat(target).st_mode
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing):
        _write_in_place(target, data)
        return
    temp = target.with_name(f"{target.name}.{os.getpid()}.{os.urandom(6).hex()}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                 0o666)  # umask applies
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if keep_mode:
            try:
                os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
            except FileNotFoundError:
                pass  # a new file: the umask's mode
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    if durable:
        _sync_folder(target.parent)


def _write_in_place(target: Path, data: bytes) -> None:
    """Write to a device, FIFO or terminal that already exists (never create or replace it)."""
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not supported by this filesystem: the rename is still atomic
    finally:
        os.close(fd)


def write_user_file(path: Path, data: bytes) -> None:
    """``atomic_write`` for a file the user asked for (a report, a baseline, pyproject.toml):
    a failure is exit 2 saying why and that the old file is intact."""
    existed = os.path.lexists(path)
    try:
        atomic_write(path, data)
    except OSError as error:
        kept = f"; {path} is unchanged" if existed else ""
        raise ArchguardError(f"cannot write {path}: {error.strerror or error}{kept}") from None
