"""Shared fixtures. `../shared` is optional: tests that need it skip cleanly without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASSESS_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seeds" / "嘉禾县妇女发展规划（2021-2025年）.txt"


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture
def seed_plan() -> Path:
    if not SEED.is_file():
        pytest.skip("seed plan not present in ../shared")
    return SEED
