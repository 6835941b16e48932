"""Every source kind through the real CLI: `python -m reader import ...` in a subprocess.

Batches are imported once per module (spaCy loads once per batch); the tests then check
what each input became: an article in the database, or exactly one stderr line.
"""

from __future__ import annotations

import codecs
import json
import os
import socket
from pathlib import Path

import pytest

from conftest import ARTICLE_HTML, CHAIN_END_TEXT, PLAIN_TEXT, file_modes_bind, run_reader, stored_articles

PLAIN = "The minister promised new schools on Monday. Critics were unconvinced.\n"
MARKDOWN = """---
title: Front matter is not the body
---
# Council votes on the budget

The **council** voted *today* on the [budget](http://example.org/budget "Budget"). [Reuters]

## Next steps

- Schools get __more__ money.
- Roads get `less`.

> A quote from the mayor.
"""
MARKDOWN_TEXT = (
    "Council votes on the budget\n\n"
    "The council voted today on the budget. [Reuters]\n\n"
    "Next steps\n\n"
    "Schools get more money.\nRoads get less.\n\n"
    "A quote from the mayor."
)
HTM = """<html><head><title>Harbour reopens after storm</title></head><body>
<div class="menu"><a href="/">Front page</a></div>
<main><p>The harbour reopened on Friday after engineers spent three weeks repairing the storm damage to the piers.</p>
<p>Fishing boats returned to their moorings within hours, and the ferry service will resume next Monday.</p></main>
</body></html>
"""
NAV_ONLY_HTML = "<html><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav></body></html>"
LATIN1 = "Le café coûte deux euros. Très bien, à bientôt.\n"
UTF16 = "Zoë wrote this article in UTF-16. It has a byte-order mark.\n"
CRLF_LINES = ["Line endings from Windows.", "Second line here.", "Third line after a lone CR."]
JSONL_LINES = [
    json.dumps({"text": "The first JSON article is fine. It has two sentences.", "title": "JSON one", "url": "http://example.org/1", "meta": {"section": "politics", "n": 1}}),
    '{"text": "broken JSON, no closing brace"',
    "",
    json.dumps({"text": "The fourth line has no title. It is still imported."}),
    "[1, 2, 3]",
    json.dumps({"title": "a record without text"}),
    json.dumps({"text": "A lone surrogate \ud800 in JSON text. It must not crash the store."}),
]
STDIN_TEXT = "Text piped in on standard input. Nothing else.\r\n"


def lines_naming(stderr: str, name: str) -> list[str]:
    return [line for line in stderr.splitlines() if name in line]


# --- one batch of files: good ones and every kind of bad one -----------------------------------


@pytest.fixture(scope="module")
def files_batch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("files")
    good: dict[str, Path] = {}
    bad: dict[str, tuple[Path, str]] = {}

    def write(name: str | bytes, data: bytes) -> Path:
        path = Path(os.fsdecode(os.path.join(os.fsencode(root), os.fsencode(name))))
        with open(os.fsencode(path), "wb") as handle:
            handle.write(data)
        return path

    good["txt"] = write("plain.txt", PLAIN.encode())
    good["md"] = write("notes.md", MARKDOWN.encode())
    good["html"] = write("article.html", ARTICLE_HTML.encode())
    good["htm"] = write("harbour.htm", HTM.encode())
    good["jsonl"] = write("articles.jsonl", "\n".join(JSONL_LINES).encode() + b"\n")
    good["spaces"] = write("my article ü é.txt", "A file name with spaces and ünïcödé. It imports.\n".encode())
    good["utf16"] = write("utf16.txt", UTF16.encode("utf-16"))
    good["utf8bom"] = write("utf8bom.txt", codecs.BOM_UTF8 + "A UTF-8 file with a BOM. Zoë.\n".encode())
    good["latin1"] = write("latin1.txt", LATIN1.encode("latin-1"))
    good["crlf"] = write("crlf.txt", (CRLF_LINES[0] + "\r\n" + CRLF_LINES[1] + "\r" + CRLF_LINES[2] + "\r\n").encode())
    good["stray"] = write("stray-byte.txt", b"A stray \x9d byte. The rest of this text must survive.\nSecond paragraph.\n")
    # File names that are not UTF-8, or that hold a terminal escape sequence.
    good["badname"] = write(b"undecodable-\xff-name.txt", b"The file name of this article is not UTF-8. Still fine.\n")
    good["escname"] = write("esc\x1b]0;pwned\x07-name.txt", b"The file name of this article holds an escape sequence.\n")

    bad["missing"] = (root / "missing.txt", "no such file")
    dangling = root / "dangling.txt"
    dangling.symlink_to(root / "nowhere" / "target.txt")
    bad["dangling"] = (dangling, "dangling")
    bad["empty"] = (write("empty.txt", b""), "empty")
    bad["blank"] = (write("blank.txt", b"  \r\n\t\n   \n"), "empty")
    bad["binary"] = (write("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4), "binary")
    bad["pdf"] = (write("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), "unsupported file type .pdf")
    bad["navonly"] = (write("nav-only.html", NAV_ONLY_HTML.encode()), "no article text")
    empty_dir = root / "empty-dir"
    empty_dir.mkdir()
    bad["emptydir"] = (empty_dir, "empty directory")

    db = root / "batch.db"
    targets = [str(p) for p in good.values()] + [str(p) for p, _ in bad.values()] + ["-"]
    proc = run_reader("import", *[os.fsencode(t) for t in targets], "--db", str(db), input=STDIN_TEXT)
    return {"root": root, "good": good, "bad": bad, "db": db, "proc": proc, "articles": stored_articles(db)}


def test_batch_exit_code_and_no_traceback(files_batch: dict) -> None:
    proc = files_batch["proc"]
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Traceback" not in proc.stdout


@pytest.mark.parametrize("kind", ["missing", "dangling", "empty", "blank", "binary", "pdf", "navonly", "emptydir"])
def test_each_failure_is_one_stderr_line(files_batch: dict, kind: str) -> None:
    path, reason = files_batch["bad"][kind]
    lines = lines_naming(files_batch["proc"].stderr, str(path))
    assert len(lines) == 1, files_batch["proc"].stderr
    assert reason in lines[0]
    assert lines[0].startswith("reader: ")


def test_every_good_input_was_imported_despite_the_failures(files_batch: dict) -> None:
    articles = files_batch["articles"]
    sources = set(articles)
    for kind in ("txt", "md", "html", "htm", "spaces", "utf16", "utf8bom", "latin1", "crlf", "stray"):
        assert str(files_batch["good"][kind]) in sources, kind
    assert "<stdin>" in sources
    jsonl = str(files_batch["good"]["jsonl"])
    assert {f"{jsonl}:1", f"{jsonl}:4", f"{jsonl}:7"} <= sources
    # 13 good files, the .jsonl holding 3 articles, and stdin
    assert len(articles) == 12 + 3 + 1
    # 8 bad files and 3 bad JSON lines
    assert files_batch["proc"].stderr.splitlines()[-1] == f"{len(articles)} imported, 0 already there, 11 failed"
    assert files_batch["proc"].stdout.count("imported ") == len(articles)


def test_every_stored_article_is_parsed(files_batch: dict) -> None:
    for source, article in files_batch["articles"].items():
        assert article["model"], source
        assert article["sentences"], source


def test_plain_text(files_batch: dict) -> None:
    article = files_batch["articles"][str(files_batch["good"]["txt"])]
    assert article["text"] == PLAIN.strip()
    assert article["title"] == PLAIN.strip()
    assert article["sentences"] == ["The minister promised new schools on Monday.", "Critics were unconvinced."]


def test_markdown_markup_removed_headings_kept_brackets_kept(files_batch: dict) -> None:
    article = files_batch["articles"][str(files_batch["good"]["md"])]
    assert article["text"] == MARKDOWN_TEXT
    assert article["title"] == "Front matter is not the body"
    # headings are sentences of their own
    assert "Council votes on the budget" in article["sentences"]
    assert "Next steps" in article["sentences"]
    assert "The council voted today on the budget." in article["sentences"]


def test_html_body_and_metadata(files_batch: dict) -> None:
    article = files_batch["articles"][str(files_batch["good"]["html"])]
    assert article["title"] == "Council approves new budget"
    assert article["author"] == "Jane Smith"
    assert article["published"] == "2024-03-05"
    assert article["site"] == "Example News"
    assert "The city council approved a new budget on Tuesday" in article["text"]
    assert "repair twelve bridges before the end of next year." in article["text"]
    for boilerplate in ("World desk", "Copyright", "<p>", "Home"):
        assert boilerplate not in article["text"]


def test_htm_suffix(files_batch: dict) -> None:
    article = files_batch["articles"][str(files_batch["good"]["htm"])]
    assert article["title"] == "Harbour reopens after storm"
    assert article["text"].startswith("The harbour reopened on Friday")
    assert "Front page" not in article["text"]


def test_jsonl_articles_and_malformed_lines(files_batch: dict) -> None:
    jsonl = str(files_batch["good"]["jsonl"])
    articles = files_batch["articles"]
    first = articles[f"{jsonl}:1"]
    assert first["title"] == "JSON one"
    assert first["url"] == "http://example.org/1"
    assert json.loads(first["meta"]) == {"section": "politics", "n": 1}
    assert first["text"] == "The first JSON article is fine. It has two sentences."
    assert articles[f"{jsonl}:4"]["title"] == "The fourth line has no title. It is still imported."
    # regression: a lone surrogate from a JSON escape crashed SQLite with a traceback
    assert articles[f"{jsonl}:7"]["text"] == "A lone surrogate \ufffd in JSON text. It must not crash the store."
    stderr = files_batch["proc"].stderr
    for number, reason in ((2, "not valid JSON"), (5, "not a JSON object"), (6, 'no "text"')):
        lines = lines_naming(stderr, f"{jsonl}:{number}")
        assert len(lines) == 1 and reason in lines[0], stderr
    for number in (1, 3, 4, 7):  # good lines and the blank line: no complaint
        assert not lines_naming(stderr, f"{jsonl}:{number}:")


def test_file_name_with_spaces_and_non_ascii(files_batch: dict) -> None:
    article = files_batch["articles"][str(files_batch["good"]["spaces"])]
    assert article["text"] == "A file name with spaces and ünïcödé. It imports."


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("utf16", UTF16.strip()),
        ("utf8bom", "A UTF-8 file with a BOM. Zoë."),
        ("latin1", LATIN1.strip()),
        ("crlf", "\n".join(CRLF_LINES)),
        ("stray", "A stray  byte. The rest of this text must survive.\nSecond paragraph."),
    ],
)
def test_encodings_and_newlines(files_batch: dict, kind: str, text: str) -> None:
    assert files_batch["articles"][str(files_batch["good"][kind])]["text"] == text


def test_crlf_file_splits_into_its_lines(files_batch: dict) -> None:
    assert files_batch["articles"][str(files_batch["good"]["crlf"])]["sentences"] == CRLF_LINES


def test_stdin_text(files_batch: dict) -> None:
    article = files_batch["articles"]["<stdin>"]
    assert article["text"] == STDIN_TEXT.strip()


def test_undecodable_file_name_is_stored_not_a_crash(files_batch: dict) -> None:
    # Regression: a file name that is not UTF-8 reached SQLite as a lone surrogate: traceback.
    matches = [a for s, a in files_batch["articles"].items() if s.endswith("-name.txt") and "undecodable" in s]
    assert len(matches) == 1
    assert matches[0]["source"].endswith("undecodable-\ufffd-name.txt")


def test_escape_sequence_in_file_name_is_not_stored(files_batch: dict) -> None:
    # the whole OSC sequence, title included, is gone from the stored source
    root = str(files_batch["root"])
    assert f"{root}/esc-name.txt" in files_batch["articles"]
    assert not [s for s in files_batch["articles"] if "pwned" in s or "\x1b" in s]
    assert "\x1b" not in files_batch["proc"].stdout + files_batch["proc"].stderr


def test_nothing_stored_holds_a_control_character(files_batch: dict) -> None:
    for article in files_batch["articles"].values():
        for key in ("text", "title", "source", "url", "author", "site"):
            value = article[key] or ""
            assert not [c for c in value if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0], (key, value)


# --- each failure alone: exit 1, one line, nothing else --------------------------------------


@pytest.mark.parametrize("kind", ["missing", "dangling", "empty", "blank", "binary", "pdf", "navonly", "emptydir"])
def test_each_failure_alone(files_batch: dict, kind: str, tmp_path: Path) -> None:
    path, reason = files_batch["bad"][kind]
    proc = run_reader("import", str(path), "--db", str(tmp_path / "alone.db"))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = lines_naming(proc.stderr, str(path))
    assert len(lines) == 1 and reason in lines[0]
    assert proc.stderr.splitlines() == [lines[0], "0 imported, 0 already there, 1 failed"]
    assert stored_articles(tmp_path / "alone.db") == {}


def test_unreadable_file(tmp_path: Path) -> None:
    prefix = file_modes_bind()  # as root: without CAP_DAC_OVERRIDE, so chmod 000 binds
    if prefix is None:
        pytest.skip("running as root without setpriv: chmod 000 does not stop root from reading")
    locked = tmp_path / "locked.txt"
    locked.write_text("You cannot read this. Nobody can.\n")
    locked.chmod(0)
    good = tmp_path / "open.txt"
    good.write_text("This one is readable. It imports.\n")
    try:
        proc = run_reader("import", str(locked), str(good), "--db", str(tmp_path / "r.db"), prefix=prefix)
    finally:
        locked.chmod(0o600)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = lines_naming(proc.stderr, str(locked))
    assert len(lines) == 1 and "permission denied" in lines[0]
    assert set(stored_articles(tmp_path / "r.db")) == {str(good)}


# --- directories ------------------------------------------------------------------------------


def test_directory_recursive_with_unsupported_files_skipped(tmp_path: Path) -> None:
    top = tmp_path / "articles"
    deeper = top / "sub" / "deeper"
    deeper.mkdir(parents=True)
    (top / "top.txt").write_text("A text file at the top of the folder. It is short.\n")
    (top / "sub" / "note.md").write_text("# Nested heading\n\nA *nested* Markdown file. [AP]\n")
    (deeper / "page.html").write_text(HTM)
    (top / "sub" / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (deeper / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    proc = run_reader("import", str(top), "--db", str(tmp_path / "r.db"))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for skipped in (top / "sub" / "scan.pdf", deeper / "photo.png"):
        lines = lines_naming(proc.stderr, str(skipped))
        assert len(lines) == 1 and "skipped" in lines[0] and "unsupported" in lines[0]
    assert proc.stderr.splitlines()[-1] == "3 imported, 0 already there, 2 skipped"
    articles = stored_articles(tmp_path / "r.db")
    assert set(articles) == {str(top / "top.txt"), str(top / "sub" / "note.md"), str(deeper / "page.html")}
    assert articles[str(top / "sub" / "note.md")]["text"] == "Nested heading\n\nA nested Markdown file. [AP]"


# --- stdin ------------------------------------------------------------------------------------


def test_stdin_jsonl_is_recognised(tmp_path: Path) -> None:
    data = "\n".join(
        json.dumps({"text": t}) for t in ("Standard input can carry JSON Lines. This is one.", "And this is the second article.")
    )
    proc = run_reader("import", "-", "--db", str(tmp_path / "r.db"), input=data)
    assert proc.returncode == 0, proc.stderr
    articles = stored_articles(tmp_path / "r.db")
    assert set(articles) == {"<stdin>:1", "<stdin>:2"}
    assert articles["<stdin>:2"]["text"] == "And this is the second article."


def test_stdin_over_the_size_limit_fails(tmp_path: Path) -> None:
    # Regression: stdin was cut at --max-bytes and the stump imported as if it were the article.
    proc = run_reader("import", "-", "--max-bytes", "20", "--db", str(tmp_path / "r.db"), input="A text that is longer than twenty bytes.\n")
    assert proc.returncode == 1
    lines = lines_naming(proc.stderr, "<stdin>")
    assert len(lines) == 1 and "too large" in lines[0]
    assert stored_articles(tmp_path / "r.db") == {}


def test_stdin_empty_fails(tmp_path: Path) -> None:
    proc = run_reader("import", "-", "--db", str(tmp_path / "r.db"), input=b"")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = lines_naming(proc.stderr, "<stdin>")
    assert len(lines) == 1 and "empty" in lines[0]


# --- URLs against a local server --------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


URL_FAILURES = {
    "/loop": "too many redirects",
    "/chain/9": "too many redirects",
    "/slow": "timed out",
    "/trickle": "timed out",  # regression: each read waited < 1 s, so --timeout 1 never fired
    "/big": "too large",
    "/big-no-length": "too large",
    "/short": "connection closed",  # regression: a truncated body was imported as the article
    "/garbage": "bad HTTP response",  # regression: http.client.BadStatusLine traceback
    "/pdf": "content type application/pdf",
    "/missing": "HTTP 404",
    "/to-file": "not http(s)",
    "/to-ftp": "not http(s)",  # regression: urllib followed redirects to ftp://
}


@pytest.fixture(scope="module")
def url_batch(http_server, tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("urls") / "urls.db"
    failing = {http_server.url(path): reason for path, reason in URL_FAILURES.items()}
    failing[f"http://127.0.0.1:{_closed_port()}/article"] = "cannot fetch"
    failing["ftp://127.0.0.1/article.txt"] = "unsupported URL scheme"
    failing["http://exa mple.org/"] = "invalid URL"
    good = [http_server.url(p) for p in ("/article.html", "/plain.txt", "/chain/3")]
    proc = run_reader("import", *good, *failing, "--timeout", "1", "--max-bytes", "3000", "--db", str(db))
    return {"proc": proc, "failing": failing, "good": good, "articles": stored_articles(db)}


def test_url_batch_exit_code(url_batch: dict) -> None:
    assert url_batch["proc"].returncode == 1
    assert "Traceback" not in url_batch["proc"].stderr


@pytest.mark.parametrize("path", [*URL_FAILURES, "closed-port", "ftp-scheme", "space-in-host"])
def test_each_url_failure_is_one_line(url_batch: dict, path: str) -> None:
    failing = url_batch["failing"]
    if path == "closed-port":
        url = next(u for u in failing if u.endswith("/article") and "127.0.0.1:" in u)
    elif path == "ftp-scheme":
        url = "ftp://127.0.0.1/article.txt"
    elif path == "space-in-host":
        url = "http://exa mple.org/"
    else:
        url = next(u for u in failing if u.endswith(path) and u.startswith("http://127.0.0.1"))
    stderr = url_batch["proc"].stderr
    lines = [line for line in stderr.splitlines() if line.startswith(f"reader: {url}: ")]
    assert len(lines) == 1, stderr
    assert failing[url] in lines[0]


def test_urls_imported(url_batch: dict, http_server) -> None:
    articles = url_batch["articles"]
    assert set(articles) == set(url_batch["good"])
    html = articles[http_server.url("/article.html")]
    assert html["title"] == "Council approves new budget"
    assert html["author"] == "Jane Smith"
    assert html["published"] == "2024-03-05"
    assert html["site"] == "Example News"
    assert html["url"] == http_server.url("/article.html")
    assert "forty teachers" in html["text"] and "Copyright" not in html["text"]
    assert articles[http_server.url("/plain.txt")]["text"] == PLAIN_TEXT.strip()
    chained = articles[http_server.url("/chain/3")]
    assert chained["text"] == CHAIN_END_TEXT.strip()
    assert chained["url"] == http_server.url("/chain/0")  # where the redirects ended


def test_url_latin1_html_declared_in_header(http_server, tmp_path: Path) -> None:
    page = HTM.replace("reopened on Friday", "reopened on Friday (café, crème brûlée)").encode("latin-1")
    url = http_server.serve_text("latin1-page", page, "text/html; charset=iso-8859-1")
    proc = run_reader("import", url, "--db", str(tmp_path / "r.db"))
    assert proc.returncode == 0, proc.stderr
    assert "(café, crème brûlée)" in stored_articles(tmp_path / "r.db")[url]["text"]
