"""The browser assets Solara's page needs, and a clear error when they are missing.

Why: Solara's HTML template loads its Vue/Vuetify front end, require.js and font-awesome
from a CDN through its asset proxy (``/_solara/cdn/…``), which answers from a local cache
directory and otherwise downloads from the CDN. A classroom or CI machine may not reach a
CDN, and the app must not download anything while it runs, so installing govsim's app
fills that cache once from the npm registry with the ordinary client (`npm pack`), for
exactly the package versions the installed Solara's template names. (`solara-assets` on
PyPI would do the same, but its newest release lags behind the Solara this app needs.)

    python -m sim.app.assets          # install what is missing (part of the install step)
    python -m sim.app.assets --check  # exit 1 if something is missing
"""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from sim.errors import GovsimError

_PINNED = re.compile(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/")


def cache_dir() -> Path:
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def required() -> list[tuple[str, str]]:
    """(package, version) pairs the page template loads for the installed Solara and ipyvue."""
    import solara.server.server as server
    import solara.server.settings as settings

    template = Path(server.__file__).parent / "templates" / "solara.html.j2"
    pins = sorted(set(_PINNED.findall(template.read_text(encoding="utf-8"))))
    app = "@widgetti/solara-vuetify3-app" if server.vue3 else "@widgetti/solara-vuetify-app"
    out = [(p, v) for p, v in pins if not p.startswith("@widgetti/solara-vuetify") or p == app]
    fa = re.match(r"/?((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/", settings.assets.fontawesome_path)
    if settings.assets.fontawesome_enabled and fa:
        out.append((fa.group(1), fa.group(2)))
    return sorted(set(out))


def missing() -> list[tuple[str, str]]:
    base = cache_dir()
    return [(p, v) for p, v in required() if not (base / f"{p}@{v}" / "package.json").exists()]


def install(packages: list[tuple[str, str]]) -> None:
    """Fetch each package with `npm pack` and unpack it where Solara's asset proxy looks."""
    if not packages:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise GovsimError(
            "the app's browser assets are missing and npm is not installed: install Node.js/npm "
            f"(Debian: apt-get install npm) and run `python -m sim.app.assets`; missing: {packages}"
        )
    base = cache_dir()
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        specs = [f"{p}@{v}" for p, v in packages]
        done = subprocess.run(
            [npm, "pack", "--silent", *specs], cwd=tmp, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise GovsimError(f"npm pack {' '.join(specs)} failed: {done.stderr.strip()[-500:]}")
        for (pkg, ver), tgz in zip(packages, done.stdout.split(), strict=True):
            target = base / f"{pkg}@{ver}"
            staging = Path(tempfile.mkdtemp(dir=base, prefix=".unpack."))
            try:
                with tarfile.open(Path(tmp) / tgz) as tar:
                    tar.extractall(staging, filter="data")
                if target.exists():
                    shutil.rmtree(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                (staging / "package").rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)


def install_missing() -> None:
    """Install whatever is missing (a no-op when the cache is complete). A file lock keeps two
    installs from unpacking into the cache at once. Run at install time, never by the app."""
    if not missing():
        return
    base = cache_dir()
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".govsim-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        todo = missing()  # another process may have installed them while we waited
        if todo:
            print(
                f"installing Solara's browser assets from the npm registry: {todo}", file=sys.stderr
            )
            install(todo)


def ensure() -> None:
    """Fail with a clear message when the page's front end is not installed (the app itself
    never downloads anything)."""
    todo = missing()
    if todo:
        raise GovsimError(
            f"the app's browser assets are missing from {cache_dir()}: "
            + ", ".join(f"{p}@{v}" for p, v in todo)
            + "; install them once with `python -m sim.app.assets` (needs npm)"
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        todo = missing()
        for p, v in todo:
            print(f"missing {p}@{v} in {cache_dir()}")
        return 1 if todo else 0
    try:
        install_missing()
    except GovsimError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 2
    print(f"browser assets complete in {cache_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
