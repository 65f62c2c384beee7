"""Open an audit file in Datasette, with the descriptions and example queries built in.

Datasette is an optional extra (`pip install 'provenance[explore]'`); it runs
as a child process of the same Python, so it sees the same installation.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from pathlib import Path
from typing import Any

from . import catalog

INSTALL_HINT = "pip install 'provenance[explore]'"


def available() -> bool:
    return importlib.util.find_spec("datasette") is not None


def metadata(db_path: Path) -> dict[str, Any]:
    """Datasette metadata for this file, with the sources and licence of its outlet registry."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        registry = catalog.registry_info(conn)
    finally:
        conn.close()
    return catalog.datasette_metadata(db_path.stem, registry)


def write_metadata(db_path: Path, out: Path) -> None:
    out.write_text(json.dumps(metadata(db_path), indent=2, ensure_ascii=False) + "\n",
                   encoding="utf-8")


def datasette_args(db_path: Path, metadata_path: Path, host: str, port: int,
                   open_browser: bool) -> list[str]:
    """Arguments of `datasette serve`; queries may run for 10 s, since audits grow large."""
    args = ["serve", str(db_path), "--metadata", str(metadata_path), "--host", host,
            "--port", str(port), "--setting", "sql_time_limit_ms", "10000"]
    if open_browser:
        args.append("--open")
    return args


def serve(db_path: Path, host: str, port: int, open_browser: bool) -> int:
    """Run Datasette until it stops; returns its exit status.

    Datasette runs as a child process so that this one can remove the temporary
    metadata afterwards: SIGTERM is passed on to it, and Ctrl-C reaches both.
    """
    import signal
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="provenance-") as tmp:
        meta = Path(tmp) / "metadata.json"
        write_metadata(db_path, meta)
        proc = subprocess.Popen([sys.executable, "-m", "datasette",
                                 *datasette_args(db_path, meta, host, port, open_browser)])
        stopped = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopped
            stopped = True
            proc.terminate()

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            while True:
                try:
                    code = proc.wait()
                    break
                except KeyboardInterrupt:
                    stopped = True
                    proc.terminate()
        finally:
            signal.signal(signal.SIGTERM, previous)
    return 0 if stopped or code < 0 else code
