"""The store through the CLI: ids and re-imports, --db / READER_DB, refusing files that are not
ours, --help / --version, the export format, a missing model, and what the core imports.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import reader
from conftest import cli_env, run_reader, stored_articles
from reader.pipeline import import_unparsed
from reader.store import Store

ROOT = Path(__file__).resolve().parents[1]
BASE = "Angela Merkel met Emmanuel Macron in Paris on Monday. They promised to cut emissions by 2030.\n\nThe talks ended without a deal. [Reuters]"
OTHER_MD = "# Budget day\n\nThe *treasury* published the [budget](http://example.org). Parliament debates it next week."
OTHER_JSONL = json.dumps({"text": "A JSON article about rail strikes. Trains stopped in Lyon.", "title": "Rail", "meta": {"desk": "europe"}})

# A wrapper that runs the CLI and reports, on exit, which heavy packages were imported.
WRAPPER = textwrap.dedent(
    """
    import atexit, sys
    atexit.register(lambda: sys.stderr.write(
        "\\nMODULES spacy=%s textual=%s\\n" % ("spacy" in sys.modules, "textual" in sys.modules)))
    from reader.cli import main
    main(sys.argv[1:])
    """
)


def run_wrapped(tmp_path: Path, *args: str, input: bytes | str | None = None) -> tuple[subprocess.CompletedProcess, dict[str, bool]]:
    script = tmp_path / "wrapped_reader.py"
    script.write_text(WRAPPER)
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        input=input.encode() if isinstance(input, str) else (input or b""),
        capture_output=True,
        env=cli_env(),
        timeout=120,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    found = re.search(r"MODULES spacy=(True|False) textual=(True|False)", stderr)
    assert found, stderr
    proc.stdout = proc.stdout.decode("utf-8", "replace")
    proc.stderr = stderr[: found.start()].rstrip("\n")
    return proc, {"spacy": found.group(1) == "True", "textual": found.group(2) == "True"}


def count_articles(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def files_beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir() if p.name.startswith(path.name)}


# --- one library, imported once ----------------------------------------------------------------


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("library")
    base = root / "base.txt"
    base.write_text(BASE + "\n")
    (root / "other.md").write_text(OTHER_MD)
    (root / "other.jsonl").write_text(OTHER_JSONL + "\n")
    db = root / "library.db"
    proc = run_reader("import", str(base), str(root / "other.md"), str(root / "other.jsonl"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    articles = stored_articles(db)
    base_id = articles[str(base)]["id"]
    # one label, set through the store API as the reader app would
    with Store(db) as store:
        store.set_label(base_id, 1, "commitment", "tester")
    assert not (root / "library.db-wal").exists() or (root / "library.db-wal").stat().st_size == 0
    return {"root": root, "db": db, "base": base, "base_id": base_id, "count": len(articles)}


def test_schema_wal_and_version(library: dict) -> None:
    conn = sqlite3.connect(library["db"])
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 8  # 3: the undo stacks kept as rows; 4: serve tokens; 5: the library's summary tables; 6: the register kept as rows; 7: the sentence encoder's scores; 8: its vectors
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x52454144
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"articles", "sentences", "entities", "annotations", "annotation_events"} <= tables
        # foreign keys are declared, so the store (which turns them on) cascades deletes
        assert conn.execute("PRAGMA foreign_key_list(sentences)").fetchall()
    finally:
        conn.close()


def test_foreign_keys_enforced_by_the_store(library: dict, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(library["db"], db)
    with Store(db) as store, pytest.raises(sqlite3.IntegrityError):
        store.db.conn.execute("INSERT INTO sentences (article_id, idx, start, \"end\") VALUES ('nope', 0, 0, 1)")


# --- re-import adds nothing, whatever the source ---------------------------------------------


def _reimport_target(kind: str, library: dict, tmp_path: Path, http_server) -> tuple[list[str], bytes | None]:
    text = BASE + "\n"
    if kind == "same file":
        return [str(library["base"])], None
    if kind == "copy under another name":
        path = tmp_path / "copy of base.txt"
        path.write_text(text)
        return [str(path)], None
    if kind == "crlf":
        path = tmp_path / "crlf.txt"
        path.write_bytes(text.replace("\n", "\r\n").encode())
        return [str(path)], None
    if kind == "utf16 with bom":
        path = tmp_path / "utf16.txt"
        path.write_bytes(text.encode("utf-16"))
        return [str(path)], None
    if kind == "utf8 bom and trailing spaces":
        path = tmp_path / "bom.txt"
        path.write_bytes(codecs.BOM_UTF8 + text.replace("\n", "   \n").encode() + b"\n\n\n")
        return [str(path)], None
    if kind == "jsonl":
        path = tmp_path / "again.jsonl"
        path.write_text(json.dumps({"text": BASE, "title": "Another title"}) + "\n")
        return [str(path)], None
    if kind == "stdin":
        return ["-"], text.replace("\n", "\r\n").encode()
    if kind == "url":
        return [http_server.serve_text("base", text.encode("utf-8"))], None
    if kind == "markdown without markup":
        path = tmp_path / "base.md"
        path.write_text(text)
        return [str(path)], None
    if kind == "directory":
        folder = tmp_path / "folder" / "nested"
        folder.mkdir(parents=True)
        (folder / "base.txt").write_text(text)
        return [str(tmp_path / "folder")], None
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    ["same file", "copy under another name", "crlf", "utf16 with bom", "utf8 bom and trailing spaces", "jsonl", "stdin", "url", "markdown without markup", "directory"],
)
def test_reimport_adds_nothing_says_so_and_never_loads_spacy(kind: str, library: dict, tmp_path: Path, http_server) -> None:
    targets, stdin = _reimport_target(kind, library, tmp_path, http_server)
    proc, modules = run_wrapped(tmp_path, "import", *targets, "--db", str(library["db"]), input=stdin)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"already imported, nothing added: {library['base_id']}")
    assert proc.stderr.splitlines()[-1] == "0 imported, 1 already there"
    assert count_articles(library["db"]) == library["count"]
    assert modules == {"spacy": False, "textual": False}


def test_same_text_twice_in_one_batch(library: dict, tmp_path: Path) -> None:
    fresh = "A brand new article for this test only. It appears twice in the batch."
    (tmp_path / "a.txt").write_text(fresh)
    (tmp_path / "b.txt").write_bytes(("\r\n" + fresh + "  \r\n").encode())
    db = tmp_path / "twice.db"
    proc = run_reader("import", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[-1] == "1 imported, 1 already there"
    assert count_articles(db) == 1


def test_import_says_what_became_of_each_file_in_the_order_given(tmp_path: Path) -> None:
    """`reader import a.txt b.txt c.txt` with c imported before printed c's "already imported"
    line first: the parser reads ahead, so c was met while a and b were still being parsed."""
    files = {}
    for name, town in (("a", "Lyon"), ("b", "Turin"), ("c", "Porto")):
        files[name] = tmp_path / f"{name}.txt"
        files[name].write_text(f"The mayor of {town} promised a new bridge. Residents of {town} were pleased.\n")
    db = tmp_path / "order.db"
    first = run_reader("import", files["c"], "--db", db)
    assert first.returncode == 0, first.stderr
    proc = run_reader("import", files["a"], files["b"], files["c"], "--db", db)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["imported", "imported", "already"], proc.stdout
    assert [town in line for town, line in zip(("Lyon", "Turin", "Porto"), lines, strict=True)] == [True] * 3, proc.stdout
    # `reader c.txt d.txt` opens the first article named (report.ids[0]), imported before or not
    (tmp_path / "d.txt").write_text("The port of Bari reopened on Friday. Ferries sailed at noon.\n")
    report = import_unparsed(db, [str(files["c"]), str(tmp_path / "d.txt")])
    assert report.ids == [report.already[0].id, report.imported[0].id]


def test_list_never_loads_spacy_or_textual(library: dict, tmp_path: Path) -> None:
    proc, modules = run_wrapped(tmp_path, "list", "--db", str(library["db"]))
    assert proc.returncode == 0
    assert modules == {"spacy": False, "textual": False}


def test_wrapper_does_see_spacy_when_parsing(tmp_path: Path) -> None:
    # the check above can fail: a new text does load spaCy
    (tmp_path / "new.txt").write_text("A new text needs parsing. So spaCy loads.")
    proc, modules = run_wrapped(tmp_path, "import", str(tmp_path / "new.txt"), "--db", str(tmp_path / "r.db"))
    assert proc.returncode == 0, proc.stderr
    assert modules["spacy"] is True


def _modules(under: Path, *, skip: str | None = None) -> list[str]:
    """Every module of the package below `under`, found on disk (so a new one is covered)."""
    names = []
    for path in sorted(under.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if skip and skip in parts:
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


# Modules whose whole job is running spaCy (only ever imported where spaCy must load).
SPACY_MODULES = {"reader.suggest.component", "reader.commitments.component"}  # spaCy pipeline components: spaCy is what they are for


def test_core_modules_import_neither_textual_nor_spacy() -> None:
    core = [m for m in _modules(ROOT / "reader", skip="tui") if m != "reader.__main__"]
    assert {"reader.cli", "reader.store.labels", "reader.session", "reader.jobs", "reader.learn"} <= set(core)
    light = [m for m in core if m not in SPACY_MODULES]
    code = f"import importlib, sys; [importlib.import_module(m) for m in {light!r}]; print('textual' in sys.modules, 'spacy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False False"
    code = f"import importlib, sys; [importlib.import_module(m) for m in {sorted(SPACY_MODULES)!r}]; print('textual' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "False", proc.stderr


def test_ui_modules_import_neither_spacy_nor_sqlite_utils() -> None:
    ui = _modules(ROOT / "reader" / "tui")
    assert "reader.tui.widgets.article_view" in ui
    code = f"import importlib, sys; [importlib.import_module(m) for m in {ui!r}]; print('spacy' in sys.modules, 'sqlite_utils' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False False"


# --- reader list ------------------------------------------------------------------------------


def test_list_columns(library: dict) -> None:
    proc = run_reader("list", "--db", str(library["db"]), "--annotator", "tester")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split("\t") == ["id", "title", "sentences", "labelled", "source"]
    rows = {row.split("\t")[0]: row.split("\t") for row in lines[1:]}
    assert len(rows) == library["count"]
    row = rows[library["base_id"]]
    assert row[1] == BASE.split("\n")[0]
    assert int(row[2]) == len(stored_articles(library["db"])[str(library["base"])]["sentences"]) == 4
    assert row[3] == "1"
    assert row[4] == str(library["base"])
    # Regression: progress was everyone's; another annotator has labelled nothing yet.
    other = run_reader("--annotator", "newcomer", "list", "--db", str(library["db"]))
    assert {r.split("\t")[0]: r.split("\t")[3] for r in other.stdout.splitlines()[1:]}[library["base_id"]] == "0"


# --- --db, READER_DB and the default location ------------------------------------------------


def test_reader_db_env_and_db_option(library: dict, tmp_path: Path) -> None:
    env_db = tmp_path / "from-env.db"
    opt_db = tmp_path / "from-option.db"
    shutil.copy(library["db"], env_db)
    env = cli_env(READER_DB=str(env_db))
    # READER_DB alone: the library there is the one read and written
    listed = run_reader("list", env=env)
    assert listed.returncode == 0 and library["base_id"] in listed.stdout
    again = run_reader("import", str(library["base"]), env=env)
    assert again.returncode == 0 and again.stdout.startswith("already imported")
    # --db wins over READER_DB, before or after the command; reading creates no database
    before = env_db.read_bytes()
    for args in (["list", "--db", str(opt_db)], ["--db", str(opt_db), "list"]):
        listed = run_reader(*args, env=env)
        assert listed.returncode == 2 and listed.stderr.strip() == f"reader: no database at {opt_db}: import something first (reader import FILE)"
        assert not opt_db.exists()
    assert run_reader("import", str(library["base"]), "--db", str(opt_db), env=env).returncode == 0
    listed = run_reader("--db", str(opt_db), "list", env=env)
    assert listed.returncode == 0 and count_articles(opt_db) == 1
    assert env_db.read_bytes() == before


def test_default_db_in_user_data_dir(tmp_path: Path) -> None:
    env = cli_env(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg-data"))
    default = tmp_path / "xdg-data" / "close-reader" / "reader.db"
    proc = run_reader("list", env=env)
    assert proc.returncode == 2 and str(default) in proc.stderr  # says where it looked, creates nothing
    assert not default.exists()
    (tmp_path / "a.txt").write_text("A short article. It has two sentences.")
    proc = run_reader("import", str(tmp_path / "a.txt"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert default.is_file()
    assert not (tmp_path / "home").exists()


# --- files that are not ours are refused, untouched -----------------------------------------


def _assert_refused(db: Path, before: bytes, needle: str, tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("Some article text. It never gets stored.")
    siblings = files_beside(db)
    for args in (["list"], ["import", str(tmp_path / "in.txt")], ["export", "-o", str(tmp_path / "out.jsonl")]):
        proc = run_reader(*args, "--db", str(db))
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and needle in lines[0] and str(db) in lines[0], proc.stderr
        assert proc.stdout == ""
        assert db.read_bytes() == before
        assert files_beside(db) == siblings  # no -wal, -shm or -journal left behind
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    "content",
    [b"just some notes, not a database\n", b"\x00" * 4096, os.urandom(2048), b"SQLite format 2\x00" + b"\x00" * 100],
    ids=["text", "zeros", "random", "almost-sqlite-header"],
)
def test_non_sqlite_db_refused_and_untouched(content: bytes, tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(content)
    _assert_refused(db, content, "not a reader database", tmp_path)


def test_newer_schema_refused_and_untouched(library: dict, tmp_path: Path) -> None:
    db = tmp_path / "newer.db"
    shutil.copy(library["db"], db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    _assert_refused(db, db.read_bytes(), "newer", tmp_path)


def test_sqlite_db_of_another_program_refused_and_untouched(tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE bookmarks (url TEXT, title TEXT)")
    conn.execute("INSERT INTO bookmarks VALUES ('http://example.org', 'Example')")
    conn.commit()
    conn.close()
    _assert_refused(db, db.read_bytes(), "another program", tmp_path)


def test_db_that_is_a_directory(tmp_path: Path) -> None:
    proc = run_reader("list", "--db", str(tmp_path))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "directory" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- --help, --version, usage errors ----------------------------------------------------------


def test_version() -> None:
    proc = run_reader("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"reader, version {reader.__version__}"


@pytest.mark.parametrize("command", [[], ["open"], ["import"], ["list"], ["export"]])
def test_help_for_every_command(command: list[str]) -> None:
    proc = run_reader(*command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Usage: reader {' '.join(command)}".rstrip())
    assert proc.stderr == ""
    if not command:
        for name in ("open", "import", "list", "export"):
            assert re.search(rf"^\s+{name}\s", proc.stdout, re.M)


@pytest.mark.parametrize(
    "args",
    [["import"], ["import", "x.txt", "--jobs", "0"], ["export", "--format", "no-such-format"], ["list", "--no-such-option"]],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], tmp_path: Path) -> None:
    proc = run_reader(*args, "--db", str(tmp_path / "r.db"))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("reader: ")
    assert "Traceback" not in proc.stderr


# --- export -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(library: dict, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = tmp_path_factory.mktemp("export") / "dataset.jsonl"
    proc = run_reader("export", "--unit", "article", "--format", "jsonl", "-o", str(out), "--db", str(library["db"]))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == f"exported {library['count']} articles to {out}"
    lines = out.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_export_one_object_per_article(exported: list[dict], library: dict) -> None:
    assert len(exported) == library["count"]
    assert len({r["id"] for r in exported}) == len(exported)
    for record in exported:
        assert {"id", "title", "source", "url", "text", "meta", "sentences", "entities"} <= set(record)
        assert isinstance(record["meta"], dict)
        for s in record["sentences"]:
            assert {"index", "start", "end", "text", "label"} <= set(s)
        for e in record["entities"]:
            assert {"start", "end", "label", "text"} <= set(e)


def test_export_offsets_point_into_the_text(exported: list[dict]) -> None:
    for record in exported:
        text = record["text"]
        previous_end = 0
        for i, s in enumerate(record["sentences"]):
            assert s["index"] == i
            assert previous_end <= s["start"] < s["end"] <= len(text)
            assert text[s["start"] : s["end"]] == s["text"]
            assert s["text"] == s["text"].strip()
            previous_end = s["end"]
        for e in record["entities"]:
            assert text[e["start"] : e["end"]] == e["text"]


def test_export_content_of_one_article(exported: list[dict], library: dict) -> None:
    record = next(r for r in exported if r["id"] == library["base_id"])
    assert record["text"] == BASE
    assert record["source"] == str(library["base"])
    assert record["url"] is None
    assert [s["text"] for s in record["sentences"]] == [
        "Angela Merkel met Emmanuel Macron in Paris on Monday.",
        "They promised to cut emissions by 2030.",
        "The talks ended without a deal.",
        "[Reuters]",
    ]
    assert [s["label"] for s in record["sentences"]] == [None, "commitment", None, None]
    entities = {(e["text"], e["label"]) for e in record["entities"]}
    assert {("Angela Merkel", "PERSON"), ("Emmanuel Macron", "PERSON"), ("Paris", "GPE")} <= entities
    jsonl = next(r for r in exported if r["title"] == "Rail")
    assert jsonl["meta"] == {"desk": "europe"}


def test_export_to_stdout_matches_the_file(exported: list[dict], library: dict) -> None:
    proc = run_reader("export", "--unit", "article", "--format", "jsonl", "--db", str(library["db"]))
    assert proc.returncode == 0
    assert [json.loads(line) for line in proc.stdout.splitlines()] == exported


def test_export_file_gets_normal_permissions(library: dict, tmp_path: Path) -> None:
    # Regression: the temporary file's owner-only mode (0600) stuck to the exported dataset.
    out = tmp_path / "shared.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "reader", "export", "--unit", "article", "--format", "jsonl", "-o", str(out), "--db", str(library["db"])],
        capture_output=True, env=cli_env(), preexec_fn=lambda: os.umask(0o022), timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_mode & 0o777 == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_export_into_a_missing_folder_is_one_line(library: dict, tmp_path: Path) -> None:
    proc = run_reader("export", "-o", str(tmp_path / "no" / "such" / "dir" / "out.jsonl"), "--db", str(library["db"]))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "cannot write" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- no spaCy model -------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["option", "env"])
def test_missing_model_is_one_line_with_an_install_hint(how: str, tmp_path: Path) -> None:
    article = tmp_path / "new.txt"
    article.write_text("A text that would need a model. None is there.")
    db = tmp_path / "r.db"
    if how == "option":
        proc = run_reader("import", str(article), "--model", "no_such_model", "--db", str(db))
    else:
        proc = run_reader("import", str(article), "--db", str(db), env=cli_env(READER_MODEL="no_such_model"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "no_such_model" in lines[0] and "pip install" in lines[0]
    assert count_articles(db) == 0
