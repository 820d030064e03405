"""Where the benchmarks find the real law corpus (../shared/corpora/laws-cn.tar.xz).

Unpacked once into the temp folder and reused; `--corpus DIR` or LAWS_CN_DIR point at an already
unpacked copy; ASSESS_LAW_CORPUS names another tarball. Kept out of the repository on purpose: it
is 55 MB of text we do not ship.
"""

from __future__ import annotations

import os
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_TAR = Path(os.environ.get("ASSESS_LAW_CORPUS", ROOT.parent / "shared" / "corpora" / "laws-cn.tar.xz"))


def corpus_dir(arg: str | None = None) -> Path | None:
    """The unpacked `laws-cn` folder, or None when the corpus is not available."""
    for cand in (arg, os.environ.get("LAWS_CN_DIR")):
        if cand and Path(cand).is_dir():
            return Path(cand)
    if not CORPUS_TAR.exists():
        return None
    tmp = Path(tempfile.gettempdir()) / "assess-bench-laws"
    if not (tmp / "laws-cn").is_dir():
        tmp.mkdir(parents=True, exist_ok=True)
        with tarfile.open(CORPUS_TAR) as tf:
            tf.extractall(tmp, filter="data")
    return tmp / "laws-cn"
