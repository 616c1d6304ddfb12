"""Golden snapshot of the site built from seeds/.

Any change to what the site says or links shows up here as a readable diff
of the page that changed.  When the change is intended, regenerate with one
command and review the diff in git:

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

Text files (HTML, JSON, CSV, XML, TXT) are kept whole under tests/golden/site/;
everything else (the zip, copied static files, the original captures) is
pinned by SHA-256 in tests/golden/manifest.json.  The Pagefind bundle is
left to tests/test_determinism.py (byte-identical across builds): its bytes
belong to the installed Pagefind version, not to this project.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from archive_builder.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
TEXT_SUFFIXES = {".html", ".json", ".csv", ".xml", ".txt"}
# built from files that are already in the repository byte for byte, or binary
HASH_ONLY_PREFIXES = ("static/", "originals/")
BASE_URL = "/archive/"


def snapshot(site: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(text files by path, sha256 of every file by path)."""
    texts: dict[str, str] = {}
    hashes: dict[str, str] = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("pagefind/"):
            continue
        data = path.read_bytes()
        hashes[rel] = hashlib.sha256(data).hexdigest()
        if path.suffix in TEXT_SUFFIXES and not rel.startswith(HASH_ONLY_PREFIXES):
            texts[rel] = data.decode("utf-8")
    return texts, hashes


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "site"
    code = main(["build", "--source", str(ROOT / "seeds"), "--out", str(out), "--base-url", BASE_URL, "--quiet",
                 "--config", str(ROOT / "archive.yaml")] if (ROOT / "archive.yaml").is_file() else
                ["build", "--source", str(ROOT / "seeds"), "--out", str(out), "--base-url", BASE_URL, "--quiet"])
    assert code == 0
    return out


def test_site_matches_golden_snapshot(built: Path):
    texts, hashes = snapshot(built)
    if os.environ.get("UPDATE_GOLDEN"):
        if (GOLDEN / "site").exists():
            shutil.rmtree(GOLDEN / "site")
        for rel, text in texts.items():
            target = GOLDEN / "site" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="")
        (GOLDEN / "manifest.json").write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("golden snapshot regenerated: review it with git diff tests/golden")
    assert (GOLDEN / "manifest.json").is_file(), "no golden snapshot: run UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"
    expected_hashes = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
    added = sorted(set(hashes) - set(expected_hashes))
    missing = sorted(set(expected_hashes) - set(hashes))
    assert not added and not missing, f"files added: {added[:10]}; files gone: {missing[:10]}"
    problems = []
    for rel, text in texts.items():
        golden = (GOLDEN / "site" / rel).read_text(encoding="utf-8")
        if golden != text:
            diff = "".join(difflib.unified_diff(golden.splitlines(True), text.splitlines(True),
                                                f"golden/{rel}", f"built/{rel}", n=1))
            problems.append(diff[:3000])
    assert not problems, "the built site differs from the golden snapshot " \
        "(if intended: UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py)\n" + "\n".join(problems[:5])
    changed = sorted(rel for rel, h in hashes.items() if expected_hashes[rel] != h and rel not in texts)
    assert not changed, f"binary or copied files changed: {changed[:10]}"
