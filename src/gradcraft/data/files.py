"""Finding a dataset's files under a data directory, with an error that says what is missing."""

from __future__ import annotations

import os
from pathlib import Path

from ..validation import describe

__all__ = ["find_files", "locate"]


def find_files(root, name: str, folders, filenames) -> Path:
    """The first of `root/<folder>` (for each of `folders`) and `root` holding all `filenames`.

    A file counts if present as named or, for .gz names, uncompressed. Raise a ValueError naming
    the expected files and where they were looked for if no directory has them all.
    """
    if not isinstance(root, str | os.PathLike):
        raise TypeError(f"{name}: root must be a path (str or os.PathLike), got {describe(root)}")
    root = Path(root).expanduser()
    if not root.is_dir():
        problem = "is a file, not a directory" if root.exists() else "does not exist"
        raise ValueError(
            f"{name}: data directory {root} {problem} (it should contain {', '.join(filenames)}"
            f", or a folder {folders[0]}/ holding them)"
        )
    candidates = [root / folder for folder in folders] + [root]
    for directory in candidates:
        if all(locate(directory, f) is not None for f in filenames):
            return directory
    # Report the most complete candidate's missing files.
    best = max(candidates, key=lambda d: sum(locate(d, f) is not None for f in filenames))
    missing = [f for f in filenames if locate(best, f) is None]
    looked = ", ".join(str(d) for d in candidates)
    raise ValueError(
        f"{name}: dataset files not found under {root}. Expected {', '.join(filenames)} in one "
        f"of: {looked}. Missing in {best}: {', '.join(missing)}"
    )


def locate(directory: Path, filename: str) -> Path | None:
    for candidate in (filename, filename.removesuffix(".gz")):
        if (directory / candidate).is_file():
            return directory / candidate
    return None
