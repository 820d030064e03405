"""Where bundled data lives: `rules/` and `models/`.

Installed, they are package data under `assess/_data/<name>`; in a source checkout they are the
top-level folders of the repository. `data_path` returns whichever exists (installed first).
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """Path of the bundled data folder `name` ("rules", "models")."""
    installed = _PKG / "_data" / name
    if installed.exists():
        return installed
    return _PKG.parent / name
