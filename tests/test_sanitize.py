"""decode() and clean_text(): every byte that reaches the store passes through these."""

from __future__ import annotations

import codecs
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.sanitize import DecodeError, clean_field, clean_meta, clean_text, decode

SAMPLE = "Zoë said: “café costs 3 €” [Reuters]\nSecond line."


# --- decode -----------------------------------------------------------------------------------


def test_plain_utf8() -> None:
    assert decode(SAMPLE.encode("utf-8")) == SAMPLE


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_byte_order_marks_are_honoured_and_removed(bom: bytes, encoding: str) -> None:
    assert decode(bom + SAMPLE.encode(encoding)) == SAMPLE


def test_utf16_via_python_codec_with_bom() -> None:
    # what Python (and Windows Notepad) write for "utf-16": a BOM, native order
    assert decode(SAMPLE.encode("utf-16")) == SAMPLE


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(encoding: str) -> None:
    text = "An English article saved as UTF-16 without a byte-order mark. Zoë agrees."
    assert decode(text.encode(encoding)) == text


@pytest.mark.parametrize(
    "text",
    [
        "Café au lait coûte deux euros. Très bien, à bientôt.",
        "Grüße aus München, schöne Straße.",
        "Él dijo: «Sí, señor», añadió.",
        "Ceci est un texte en français, très simple, écrit à la main.",
    ],
)
def test_latin1_fallback(text: str) -> None:
    # Regression: detection guessed cp1250 and turned "û" into "ű", "è" into "č".
    assert decode(text.encode("latin-1")) == text


def test_windows_1252_punctuation() -> None:
    text = "“Smart quotes” – and a dash… plus 5 €."
    assert decode(text.encode("cp1252")) == text


def test_stray_undefined_byte_loses_nothing_else() -> None:
    # Regression: 0x9d decoded to an 8-bit OSC and clean_text then dropped the rest of the text.
    raw = b"Caf\xe9 \x9d \x93quoted\x94 and the rest.\nSecond paragraph."
    assert clean_text(decode(raw)) == "Café  “quoted” and the rest.\nSecond paragraph."


def test_latin1_bytes_undefined_in_cp1252_still_decode() -> None:
    # 0x81 and 0x8d have no cp1252 character: Latin-1 maps them to C1 controls,
    # which clean_text then removes.
    decoded = decode(b"caf\xe9 \x81 ok \x8d")
    assert decoded == "café \x81 ok \x8d"
    assert clean_text(decoded) == "café  ok"


def test_other_scripts_still_detected() -> None:
    # The Latin-1 fallback must not swallow legacy encodings of other scripts.
    text = "Правительство обещало построить новые школы в этом году. Это важная новость."
    assert decode(text.encode("cp1251")) == text


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"text then a NUL \x00 byte",
        bytes(range(1, 32)) * 20,
    ],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode(data)


@pytest.mark.parametrize("data", [codecs.BOM_UTF8 + b"\xff\xfe bad", codecs.BOM_UTF16_LE + b"\x00\xd8"])
def test_bom_with_invalid_body_is_refused(data: bytes) -> None:
    with pytest.raises(DecodeError, match="byte-order mark"):
        decode(data)


def test_decode_error_is_a_value_error() -> None:
    # ingest reports ValueErrors as one failed input, so DecodeError must be one
    assert issubclass(DecodeError, ValueError)


# --- clean_text: newlines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\r\nb\r\nc", "a\nb\nc"),
        ("a\rb\rc", "a\nb\nc"),
        ("a\r\n\rb", "a\n\nb"),
        ("a\u2028b", "a\nb"),
        ("a\u2029b", "a\n\nb"),
        ("a\x85b", "a\nb"),
    ],
)
def test_newlines_normalised(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_crlf_and_lf_versions_are_identical() -> None:
    text = "Title line\n\nFirst paragraph. Two sentences.\nSecond paragraph."
    assert clean_text(text.replace("\n", "\r\n")) == clean_text(text) == text
    assert clean_text(text.replace("\n", "\r")) == text


def test_trailing_spaces_blank_runs_and_edges() -> None:
    assert clean_text("  \n\na  \t\nb\n\n\n\n\nc \n\n ") == "a\nb\n\nc"


def test_tabs_and_inner_spaces_kept() -> None:
    assert clean_text("a\tb  c\td") == "a\tb  c\td"


# --- clean_text: control characters and escape sequences --------------------------------------


# ESC (0x1b) and 8-bit CSI (0x9b) start sequences that take the next letter with them, so
# each control is followed by a newline, which no sequence swallows.
@pytest.mark.parametrize("code", [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + [0x7F])
def test_c0_and_del_removed(code: int) -> None:
    assert clean_text(f"a{chr(code)}\nb") == "a\nb"


@pytest.mark.parametrize("code", [c for c in range(0x80, 0xA0) if c != 0x85])
def test_c1_removed(code: int) -> None:
    assert clean_text(f"a{chr(code)}\nb") == "a\nb"


@pytest.mark.parametrize("code", [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D, 0x1B)] + [0x7F] + [c for c in range(0x80, 0xA0) if c not in (0x85, 0x9B)])
def test_a_lone_control_takes_nothing_with_it(code: int) -> None:
    # Regression: a lone 0x90 or 0x9d (what a stray byte in Latin-1 text decodes to) was read as
    # an unterminated 8-bit string control and the whole rest of the article was deleted.
    assert clean_text(f"a{chr(code)}b and the rest.\nMore.") == "ab and the rest.\nMore."


def test_an_unterminated_escape_string_ends_with_its_line() -> None:
    # Regression: an unterminated OSC swallowed every later paragraph.
    assert clean_text("Line one\x1b]0;no terminator\nLine two.\nLine three.") == "Line one\nLine two.\nLine three."


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),  # SGR colours
        ("\x1b[2J\x1b[Hcleared", "cleared"),  # clear screen, cursor home
        ("\x1b[?1049hscreen", "screen"),  # private-mode CSI
        ("\x1b]0;evil window title\x07after", "after"),  # OSC title, BEL-terminated
        ("\x1b]2;title\x1b\\after", "after"),  # OSC title, ST-terminated
        ("\x1b]52;c;ZXZpbCBjbGlwYm9hcmQ=\x07after", "after"),  # OSC 52: write the clipboard
        ("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ text", "link text"),  # OSC 8 hyperlink
        ("\x1bP1$qm\x1b\\after", "after"),  # DCS
        ("\x1b_apc payload\x1b\\after", "after"),  # APC
        ("\x9b31mred", "red"),  # 8-bit CSI
        ("\x9d0;title\x9cafter", "after"),  # 8-bit OSC with 8-bit ST
        ("a\x1bcb", "ab"),  # RIS: full terminal reset
        ("a\x1b(0b", "ab"),  # charset switch
        ("a\x1b", "a"),  # a lone ESC at the end
    ],
)
def test_escape_sequences_removed_with_their_parameters(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "char",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c", "\ufeff"],
)
def test_bidi_controls_and_bom_removed(char: str) -> None:
    assert clean_text(f"pay{char}lap.exe") == "paylap.exe"


def test_trojan_source_style_override_removed() -> None:
    raw = "access granted \u202e\u2066 // check later\u2069 \u2066if admin"
    assert clean_text(raw) == "access granted  // check later if admin"


@pytest.mark.parametrize(
    "text",
    [
        "[Reuters] The minister said.",
        "LONDON [Reuters] - Markets fell.",
        "Footnote [1] and [[double]] and [31m without an escape.",
        "Rich markup such as [bold]this[/bold] and [link=http://x]y[/link] is just text.",
        "Brackets ] [ unbalanced",
    ],
)
def test_bracketed_text_kept_exactly(text: str) -> None:
    assert clean_text(text) == text


def test_nfc_normalisation() -> None:
    assert clean_text("Cafe\u0301 Zoe\u0308") == "Café Zoë"
    assert clean_text("Café") == unicodedata.normalize("NFC", "Café")


def test_lone_surrogates_become_replacement_characters() -> None:
    # Regression: a JSON "\ud800" escape or an undecodable file name reached SQLite and crashed it.
    cleaned = clean_text("before \ud800 after \udcff")
    assert cleaned == "before \ufffd after \ufffd"
    cleaned.encode("utf-8")


def test_printable_unicode_kept() -> None:
    text = "Emoji 🎉, CJK 中文, Arabic مرحبا, Hebrew שלום, math ∑ and zero-width joiner 👩\u200d💻."
    assert clean_text(text) == text


# --- clean_field and clean_meta ---------------------------------------------------------------


def test_clean_field() -> None:
    assert clean_field("  A\ttitle\nwith   lines\x1b[1m [AP] ") == "A title with lines [AP]"
    assert clean_field(None) is None
    assert clean_field(" \n\x07 ") is None
    assert clean_field(2024) == "2024"


def test_clean_meta_cleans_keys_and_nested_values() -> None:
    meta = {"k\x1b[31m": ["a\x07b", {"x\u202e": "y\ud800"}], "n": 3, "none": None, "ok": True}
    assert clean_meta(meta) == {"k": ["ab", {"x": "y\ufffd"}], "n": 3, "none": None, "ok": True}


# --- properties -------------------------------------------------------------------------------

FORBIDDEN = (
    {chr(c) for c in range(0x20) if c not in (0x09, 0x0A)}
    | {chr(c) for c in range(0x7F, 0xA0)}
    | {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2066, 0x206A)}
)
HOSTILE = sorted(FORBIDDEN) + list("[]();0123456789 \t\n\r\\mPX^_?") + ["\ud800", "\udfff", "\u0301", "e", "\u2028", "\u2029", "\ufeff"]

hostile_text = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(HOSTILE)), max_size=200)


@settings(max_examples=400, deadline=None)
@given(hostile_text)
def test_clean_text_output_has_no_forbidden_characters_and_is_idempotent(raw: str) -> None:
    cleaned = clean_text(raw)
    assert not (set(cleaned) & FORBIDDEN), [hex(ord(c)) for c in set(cleaned) & FORBIDDEN]
    assert clean_text(cleaned) == cleaned
    cleaned.encode("utf-8")  # storable: no lone surrogates


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_clean_field_is_one_line(raw: str) -> None:
    field = clean_field(raw)
    if field is not None:
        assert "\n" not in field and "\t" not in field
        assert not (set(field) & FORBIDDEN)
        assert clean_field(field) == field


safe_words = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "S"), exclude_characters="\x85"), min_size=1, max_size=12
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(safe_words, min_size=1, max_size=6), min_size=1, max_size=5))
def test_ordinary_text_is_kept_exactly(lines: list[list[str]]) -> None:
    # Letters, digits, punctuation (brackets included) and symbols in single-spaced lines
    # come out exactly as they went in, up to NFC.
    text = "\n".join(" ".join(words) for words in lines)
    assert clean_text(text) == unicodedata.normalize("NFC", text)
