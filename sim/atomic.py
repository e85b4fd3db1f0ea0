"""Output directories that appear whole or not at all (DEVELOPERS.md: never partial output
written as if complete): everything is written into a temporary sibling, renamed at the end."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_directory(out: str | Path) -> Iterator[Path]:
    """Yield a temporary directory beside `out`; on success it replaces `out`, on error it is removed."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield tmp
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def atomic_file(path: str | Path, write) -> None:
    """Write one file whole or not at all: `write(tmp)` fills a temporary sibling, which then
    replaces `path`; on error the temporary file is removed and `path` is left as it was."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_out_dir(out: str | Path, what: str = "--out") -> Path:
    """Refuse, before any simulation starts, an output folder that cannot be created or written
    (read-only parent, a path under a file): one GovsimError naming the path and the reason."""
    from sim.errors import GovsimError

    out = Path(out)
    probe = out if out.is_dir() else next((p for p in out.parents if p.exists()), Path("."))
    if probe.exists() and not probe.is_dir():
        raise GovsimError(
            f"{what} '{out}': '{probe}' is a file, so no folder can be made under it; "
            "choose a folder path"
        )
    try:
        probe.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".govsim-write-check.", dir=probe)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise GovsimError(
            f"{what} '{out}': cannot write there ({exc.strerror or exc}); "
            "choose a folder you can write to"
        ) from None
    return out
