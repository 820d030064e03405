"""setup.cfg lists packages explicitly (the data packages are mapped); keep the list complete."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(cfg["options"]["packages"].split())
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "assess").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found <= listed, f"add to setup.cfg [options] packages: {sorted(found - listed)}"


def test_bundled_data_found():
    from assess.resources import data_path

    assert (data_path("rules") / "README.md").is_file()
