"""Write every file-based hostile input into a folder, with what reader must make of each.

Everything is generated here, from fixed strings and a seeded random generator: nothing is
copied from elsewhere. `generate(folder)` returns one `Case` per input. A case either must be
rejected (exit code 1 when imported alone, one stderr line naming it, nothing stored) or must
import (exit code 0, and the articles in `stored` are in the database), or, for JSON Lines,
both at once: each bad line is one stderr line with its line number and the good lines import.

Expected texts are written out by hand, not computed with reader's own sanitiser, so the
tests check reader against an independent answer.
"""

from __future__ import annotations

import codecs
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

LONG_LINE_BYTES = 3 * 1024 * 1024  # one line of letters: no space, no punctuation
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # reader's --max-bytes default


@dataclass(frozen=True)
class Stored:
    """An article that must be in the database: found by its `source` column."""

    source: str
    text: str | None = None  # the exact stored text, when the case pins it
    title: str | None = None
    url: str | None = None
    meta: dict | None = None
    contains: tuple[str, ...] = ()  # substrings of the text
    absent: tuple[str, ...] = ()  # substrings that must be in neither text nor title
    labels: int = 0  # labels restored with it (reader's own exports)


@dataclass(frozen=True)
class Case:
    """One hostile input and what reader must make of it."""

    name: str  # the file name as written: may hold spaces, brackets, newlines, escapes
    path: Path  # what is passed to `reader import`
    shown: str  # how reader names it on stderr and in `source`: no controls, no line breaks
    code: int  # exit code when imported alone: 0 imported, 1 rejected
    error: str | None = None  # a substring of its one stderr line; None when it must import
    stored: tuple[Stored, ...] = ()
    line_errors: dict[int, str] = field(default_factory=dict)  # JSON Lines: line -> reason
    needs_file_permissions: bool = False  # only meaningful when file modes bind the importer

    @property
    def rejected(self) -> bool:
        """Nothing of it may reach the database."""
        return not self.stored

    def failure_lines(self) -> dict[str, str]:
        """The stderr line prefix of every failure this case causes -> reason substring."""
        if self.error is not None:
            return {f"reader: {self.shown}: ": self.error}
        return {f"reader: {self.shown}:{n}: ": reason for n, reason in self.line_errors.items()}


def generate(folder: Path) -> list[Case]:
    """Write the corpus into folder (created if needed) and return its cases."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20260304)
    cases: list[Case] = []

    def write(name: str, data: bytes | str, *, shown: str | None = None, **expect: object) -> Case:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        case = Case(name=name, path=path, shown=str(folder / (shown or name)), **expect)  # type: ignore[arg-type]
        cases.append(case)
        return case

    def good(name: str, data: bytes | str, *, shown: str | None = None, **stored: object) -> Case:
        source = str(folder / (shown or name))
        return write(name, data, shown=shown, code=0, stored=(Stored(source=source, **stored),))  # type: ignore[arg-type]

    # --- rejected: nothing readable -------------------------------------------------------
    write("empty.txt", b"", code=1, error="empty")
    write("[bold]blank[bold].txt", " \t\r\n  \n\u00a0\u3000\n", code=1, error="empty")
    write("escapes-only.txt", "\x1b[2J\x1b[H\x1b]0;title\x07\r\n\x1b[0m\u202e\u2066\n", code=1, error="empty")
    write("nul.txt", b"\x00" * 4096, code=1, error="binary")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4096))
    write("esc-\x1b[31m-binary.txt", png, shown="esc--binary.txt", code=1, error="binary")
    write("bad-utf16.txt", codecs.BOM_UTF16_LE + b"\x00\xd8A\x00", code=1, error="despite its byte-order mark")
    write("frontmatter-only.md", "---\ntitle: Only front matter\nauthor: Nobody\n---\n", code=1, error="empty")
    write("script-style-only.html", SCRIPT_ONLY_HTML, code=1, error="no article text")
    write("nested-5000.html", _nested(5000), code=1, error="no article text")

    # --- rejected: not a file reader reads ---------------------------------------------------
    write("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", code=1, error="unsupported file type .pdf")
    write("photo\nnewline.png", png, shown="photo newline.png", code=1, error="unsupported file type .png")
    write("scan café 東京.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + png[16:], code=1, error="unsupported file type .jpg")
    dangling = folder / "dangling.txt"
    dangling.symlink_to(folder / "no-such-folder" / "target.txt")
    cases.append(Case("dangling.txt", dangling, str(dangling), code=1, error="dangling symbolic link"))
    missing = folder / "missing" / "nowhere.txt"
    cases.append(Case("missing/nowhere.txt", missing, str(missing), code=1, error="no such file or directory"))
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    cases.append(Case("pipe.txt", fifo, str(fifo), code=1, error="not a regular file"))
    empty_dir = folder / "empty folder"
    empty_dir.mkdir()
    cases.append(Case("empty folder", empty_dir, str(empty_dir), code=1, error="empty directory"))
    locked = write("locked.txt", "Nobody may read this file. Its mode is 000.\n", code=1, error="permission denied", needs_file_permissions=True)
    locked.path.chmod(0)
    huge = folder / "huge.txt"
    with open(huge, "wb") as handle:  # sparse: one byte over the default limit, no disk used
        handle.write(b"Too big to read. ")
        handle.truncate(DEFAULT_MAX_BYTES + 1)
    cases.append(Case("huge.txt", huge, str(huge), code=1, error="too large"))

    # --- rejected: JSON Lines where every line is bad, each with its line number -------------
    write("all-bad.jsonl", "\n".join(ALL_BAD_JSONL) + "\n", code=1, line_errors=ALL_BAD_JSONL_ERRORS)
    write("bad-exports.jsonl", "\n".join(json.dumps(r) for r in BAD_EXPORTS) + "\n", code=1, line_errors=BAD_EXPORT_ERRORS)

    # --- imported: encodings and line endings ------------------------------------------------
    good("latin1.txt", LATIN1.encode("latin-1"), text=LATIN1.strip())
    good("utf16-bom.txt", UTF16.encode("utf-16"), text=UTF16.strip())
    good("mixed-encoding.txt", MIXED_UTF8.encode("utf-8") + MIXED_CP1252.encode("cp1252"), text=(MIXED_UTF8 + MIXED_CP1252).strip())
    good("crlf.txt", b"First line of a Windows file.\r\nSecond line follows it.\r\n", text="First line of a Windows file.\nSecond line follows it.")
    good("lone-cr.txt", b"Old Mac line one.\rLine two.\rLine three.", text="Old Mac line one.\nLine two.\nLine three.")
    letters = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=LONG_LINE_BYTES))
    good("long-line.txt", letters, text=letters)

    # --- imported: terminal controls and markup, cleaned or kept literally -------------------
    good("terminal.txt", TERMINAL_RAW, text=TERMINAL_CLEAN, title=TERMINAL_CLEAN.split("\n")[0])
    good("markup.md", MARKUP_MD, text=MARKUP_TEXT, title="Wire [Reuters] report")
    good("broken.html", BROKEN_HTML, title="Bridge [bold]reopens[/bold] [/]", contains=BROKEN_BODY, absent=("alert", "color", "injected", "document", "<"))
    good("entity-bomb.html", ENTITY_BOMB_HTML, contains=(ENTITY_BODY, "&" * 2000), absent=("pwned", "]0;", "[31m", "lollol"))
    good("escapes.html", ESCAPES_HTML, title="Ferry timetable", contains=(ESCAPES_BODY,), absent=("PWNED", "[31m", "ZXZpbA", "]52;", "]2;"))
    good("nested-200.html", _nested(200), contains=(NESTED_BODY,))

    # --- imported: file names that are hostile themselves -------------------------------------
    good("my article ü é 東京.txt", "A file name with spaces and ünïcödé. It imports.\n", text="A file name with spaces and ünïcödé. It imports.")
    good("line\nbreak.txt", "A newline in the file name. It imports.\n", shown="line break.txt", text="A newline in the file name. It imports.")
    good("tab\there.txt", "A tab in the file name. It imports.\n", shown="tab here.txt", text="A tab in the file name. It imports.")
    good("[bold]news[red].txt", "Square brackets in the file name. They stay.\n", text="Square brackets in the file name. They stay.")
    good("[@click=app.quit]quit.txt", "A click action in the file name. It does nothing.\n", text="A click action in the file name. It does nothing.")
    good("\x1b[2J\x1b[Hclear-screen.txt", "An escape sequence in the file name. It is removed.\n", shown="clear-screen.txt", text="An escape sequence in the file name. It is removed.")
    good("esc\x1b]0;pwned\x07title.txt", "An OSC title in the file name. It is removed.\n", shown="esctitle.txt", text="An OSC title in the file name. It is removed.")
    good("bidi-\u202eevil\u202c-\u2067name\u2069.txt", "Bidi controls in the file name. They are removed.\n", shown="bidi-evil-name.txt", text="Bidi controls in the file name. They are removed.")

    # --- JSON Lines: good, bad and escape-ridden lines in one file; a reader export ----------
    name = "mixed.jsonl"
    source = str(folder / name)
    write(
        name,
        "\n".join(MIXED_JSONL) + "\n",
        code=1,
        line_errors=MIXED_JSONL_ERRORS,
        stored=(
            Stored(f"{source}:1", text=MIXED_JSONL_TEXT, title="Harbour [bold]deal[/bold] signed", url="https://example.org/deal",
                   meta={"desk": "portsx", "tags": ["ab", {"k": "v"}]}),
            Stored(f"{source}:7", text="The second good line. It imports too."),
            Stored(f"{source}:9", text="Line nine is good. It follows a number too big to read."),
            Stored(f"{source}:11", text="Line eleven closes the file. It imports as well."),
        ),
    )
    name = "export.jsonl"
    write(name, json.dumps(GOOD_EXPORT, ensure_ascii=False) + "\n", code=0,
          stored=(Stored(f"{folder / name}:1", text=GOOD_EXPORT["text"], title=GOOD_EXPORT["title"], labels=2),))
    return cases


def _nested(depth: int) -> str:
    return "<html><head><title>Deep</title></head><body>" + "<div>" * depth + NESTED_HTML_BODY + "</div>" * depth + "</body></html>"


# --- contents ---------------------------------------------------------------------------------

LATIN1 = "Le café coûte deux euros à Zürich. Très bien, à bientôt.\n"
UTF16 = "Zoë wrote this in UTF-16 with a byte-order mark. It imports.\n"
# Mostly UTF-8, then a line pasted from a Windows-1252 file: the UTF-8 must not turn to "Ã©".
MIXED_UTF8 = "Zoë’s café “opened” — in Malmö on Friday.\n"
MIXED_CP1252 = "Crème brûlée coûte 5 €.\n"

TERMINAL_RAW = (
    "Title \x1b]0;PWNED\x07line [bold]kept[/bold]\n"
    "\n"
    "Red \x1b[31mtext\x1b[0m and clip \x1b]52;c;ZXZpbA==\x07board.\n"
    "Bell\x07 back\x08space, DEL\x7f and C1 \u009b31mcsi\u0090dcs\u009c end.\n"
    "Bidi \u202eoverride\u202c and \u2066isolate\u2069 and \u200fmark.\n"
)
TERMINAL_CLEAN = (
    "Title line [bold]kept[/bold]\n"
    "\n"
    "Red text and clip board.\n"
    "Bell backspace, DEL and C1 csi end.\n"
    "Bidi override and isolate and mark."
)

MARKUP_MD = (
    "# Wire [Reuters] report\n"
    "\n"
    "The minister [/] said [link=https://evil.example]click[/link] and [@click=app.quit]quit[/] today. "
    "[bold]Loud[/bold] text stays.\n"
)
MARKUP_TEXT = (
    "Wire [Reuters] report\n"
    "\n"
    "The minister [/] said [link=https://evil.example]click[/link] and [@click=app.quit]quit[/] today. "
    "[bold]Loud[/bold] text stays."
)

SCRIPT_ONLY_HTML = """<!doctype html><html><head><title>Scripts only</title>
<style>body { color: red; } p::before { content: "The council met on Monday and agreed to publish the plan next week."; }</style>
<script>var story = "The council met on Monday and agreed to publish the plan next week after a long review.";</script>
</head><body><script>document.write(story)</script><noscript></noscript><style>.x { display: none }</style></body></html>
"""

BROKEN_BODY = (
    "The mayor said the old bridge would reopen on Friday after three months of repairs to its deck and railings.",
    "Engineers confirmed that the work had finished ahead of schedule and under the budget agreed by the council.",
    "Traffic will return to normal next week, the transport office said in a statement on Monday morning.",
)
BROKEN_HTML = f"""<html><head><title>Bridge [bold]reopens[/bold]</title><style>p {{ color: red }}</style>
<script>alert("pwned"); document.title = "x";</script></head><body>
<article><h1>Bridge [bold]reopens[/bold] [/]</h1>
<p>{BROKEN_BODY[0]}
<p>{BROKEN_BODY[1]}</b></i></span>
<div><span><p>{BROKEN_BODY[2]}</p></div></table>
<script>document.write("<p>injected paragraph that must never show</p>")</script><style>.x{{}}</style>
<!-- a comment that never closes
"""

ENTITY_BODY = "The harbour board said on Monday that the new ferry timetable would start in June after a public consultation."
_LAUGHS = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1) if i > 1 else "lol") * 10}">' for i in range(1, 10))
ENTITY_BOMB_HTML = (
    f"<!DOCTYPE html [{_LAUGHS}]>\n<html><head><title>Laughs &lol9;</title></head><body><article>"
    f"<p>{ENTITY_BODY}</p>"
    "<p>Board members &#27;]0;pwned&#7;voted &#x1b;[31mtwice&#x1B;[0m on the plan and approved it without changes.</p>"
    f"<p>{'&amp;' * 2000}</p><p>&lol9; &lol9; &lol9;</p>"
    "</article></body></html>"
)

ESCAPES_BODY = "The ferry company said the summer timetable adds two crossings a day from the first of June."
ESCAPES_HTML = (
    "<html><head><title>\x1b]2;PWNED\x07Ferry timetable</title></head><body><article>"
    f"<p>\x1b[31m{ESCAPES_BODY}\x1b[0m</p>"
    "<p>Passengers can book online \x1b]52;c;ZXZpbA==\x07from Monday, and season tickets go on sale in May as usual.</p>"
    "</article></body></html>"
)

NESTED_BODY = "The committee said on Monday that the new harbour plan would be published next week after a long review."
NESTED_HTML_BODY = f"<p>{NESTED_BODY}</p><p>Residents will be able to comment on it for six weeks before the council votes.</p>"

MIXED_JSONL_TEXT = "The harbour deal was signed on Tuesday. Unions welcomed it."
MIXED_JSONL = [
    json.dumps({
        "text": MIXED_JSONL_TEXT,
        "title": "\x1b]0;pwned\x07Harbour [bold]deal[/bold] \u202esigned",
        "url": "https://example.org/\x1b[31mdeal",
        "meta": {"desk\x1b[1m": "ports\u2066x\u2069", "tags": ["a\u009b31mb", {"k": "\x07v"}]},
    }),
    '{"text": "broken JSON, no closing brace"',
    "",
    "[1, 2, 3]",
    json.dumps({"title": "a record without text"}),
    json.dumps({"text": "   \x1b[0m  \u200f "}),
    json.dumps({"text": "The second good line. It imports too."}),
    '{"text": "a number too big to read", "n": ' + "9" * 5000 + "}",
    json.dumps({"text": "Line nine is good. It follows a number too big to read."}),
    '{"text": "nested far too deep", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
    json.dumps({"text": "Line eleven closes the file. It imports as well."}),
]
MIXED_JSONL_ERRORS = {2: "not valid JSON", 4: "not a JSON object", 5: 'no "text"', 6: 'empty "text"', 8: "not usable JSON", 10: "nested too deeply"}

ALL_BAD_JSONL = ["{", "null", '"just a string"', json.dumps({"text": 42}), json.dumps({"text": ""}), "{'single': 'quotes'}"]
ALL_BAD_JSONL_ERRORS = {1: "not valid JSON", 2: "not a JSON object", 3: "not a JSON object", 4: 'no "text"', 5: 'empty "text"', 6: "not valid JSON"}

_EXPORT_TEXT = "Talks resume [Reuters]\n\nThe two unions agreed to return to talks on Monday. Management welcomed the move."


def _sentences(text: str, parts: list[str]) -> list[dict]:
    out, at = [], 0
    for index, part in enumerate(parts):
        start = text.index(part, at)
        out.append({"index": index, "start": start, "end": start + len(part), "text": part, "label": None, "annotations": []})
        at = start + len(part)
    return out


_EXPORT_SENTENCES = _sentences(_EXPORT_TEXT, ["Talks resume [Reuters]", "The two unions agreed to return to talks on Monday.", "Management welcomed the move."])
_EXPORT_SENTENCES[1]["label"] = "commitment"
_EXPORT_SENTENCES[1]["annotations"] = [
    {"label": "commitment", "annotator": "asha", "annotated_at": "2026-03-04T09:00:00.000Z", "created": "2026-03-04T09:00:00.000Z"},
    {"label": "claim", "annotator": "ben", "annotated_at": "2026-03-04T10:00:00.000Z", "created": "2026-03-04T10:00:00.000Z"},
]
GOOD_EXPORT = {
    "id": "feedfacecafe0001", "title": "Talks resume [Reuters] [/]", "source": None, "url": None, "author": None,
    "published": None, "site": None, "text": _EXPORT_TEXT, "meta": {}, "model": "en_core_web_sm", "model_version": "3.8.0",
    "sentences": _EXPORT_SENTENCES, "entities": [{"start": 0, "end": 5, "label": "ORG", "text": "Talks"}],
}


def _export(**changes: object) -> dict:
    record = json.loads(json.dumps(GOOD_EXPORT))
    record["id"] = "badbadbadbad0000"
    record.update(changes)
    return record


_DUPLICATE = _export()
_DUPLICATE["sentences"][2]["index"] = 1
_BAD_TIME = _export()
_BAD_TIME["sentences"][1]["annotations"][0]["annotated_at"] = "last Tuesday"
BAD_EXPORTS = [
    _export(sentences=[{"index": 0, "start": 0, "end": 5000, "text": "x"}]),  # offsets outside its text
    _DUPLICATE,  # two sentences with one index: once a database error that stopped the batch
    _BAD_TIME,  # a label time that is no time: once stored, then every Prodigy export crashed
    {"article_id": "badbadbadbad0001", "sentence_index": 0, "start": 10**12, "end": 10**12 + 3, "text": "Hi.", "label": "claim",
     "annotator": "asha", "annotated_at": "2026-03-04T09:00:00.000Z"},  # once a terabyte of padding: MemoryError
    _export(id="\x1b]0;pwned\x07"),
]
BAD_EXPORT_ERRORS = {1: "offsets outside the text", 2: "indexes are not 0, 1, 2", 3: "is not an ISO 8601 time", 4: "does not fit its offsets", 5: "article id is not one short line"}

