"""A non-editable install carries the rules, the model and the dictionary (package data)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_bundled_data(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True,
    )
    if r.returncode != 0 and "No module named" in r.stderr:
        pytest.skip("wheel building tools not available")
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = tmp_path.glob("assess-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for must in ("cli.py", "cli_zh.py", "assess/_data/rules/packs/collective_rights.yaml", "assess/_data/rules/laws/core.yaml",
                 "assess/_data/rules/terms/common.yaml", "assess/_data/models/model-card.json",
                 "assess/_data/models/vocabulary.json", "assess/_data/models/coef.npy",
                 "assess/_data/models/userdict.txt", "assess/schema/report.schema.json"):
        assert must in names, must
    assert any(n.startswith("assess/web/templates/") for n in names)
