"""`write_atomically(path, content)`: replace a file all at once (readers and crashes see the old
file or the new one, never half of one)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_atomically", "check_target"]


def check_target(path: Path, who: str) -> Path:
    """The directory `path` will be written in; a clear error if `path` cannot be a file there."""
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():  # else os.replace fails naming only the temporary file
        raise IsADirectoryError(f"{who}: {path} is a directory; give a file name (inside it)")
    if not directory.is_dir():
        raise FileNotFoundError(f"{who}: directory {directory} does not exist (for {path})")
    return directory


def write_atomically(path, content: bytes | str, who: str = "write") -> None:
    """Replace the file `path` by `content` (bytes, or str written as UTF-8) all at once.

    The bytes go to a temporary file beside `path`, are flushed to disk, and the temporary file
    is renamed over `path`: readers (and a crash) see the old file or the new one, never half of
    one, and an error leaves no temporary file behind. `who` prefixes the error messages.
    """
    path = Path(path)
    if isinstance(content, str):
        content = content.encode("utf-8")
    directory = check_target(path, who)
    temporary = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # O_EXCL: never write through someone else's file; mode 0o666 minus the umask, like open().
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable (POSIX); best effort elsewhere
        directory_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory_fd)
    except OSError:
        pass
    finally:
        os.close(directory_fd)


