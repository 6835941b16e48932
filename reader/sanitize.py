"""Bytes in, clean text out: decoding, newline normalisation, control-character removal.

Everything that reaches the database passes through `clean_text`, so no escape sequence,
control character or bidi override from an article can ever reach a user's terminal.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import unicodedata
from datetime import datetime, timezone  # (sqlite3 imports datetime: nothing more to load)

# ESC-introduced sequences first (CSI, OSC, DCS/PM/APC/SOS strings, two-byte escapes), so their
# parameters go with them rather than being left behind as visible junk.
# An unterminated string sequence ends with its line, and a lone 8-bit string control (0x90 and
# 0x9d are what Latin-1 text with a stray byte decodes to) takes nothing with it: either would
# otherwise swallow the whole rest of the article.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                      # CSI ... final byte
    | \x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?   # OSC/DCS/SOS/PM/APC ... terminator or line end
    | \x9b[0-?]*[ -/]*[@-~]                      # 8-bit CSI
    | [\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)  # 8-bit string controls, terminated
    | \x1b[ -/]*[0-~]?                           # any other escape
    """,
    re.VERBOSE,
)
# C0 except \t and \n, DEL, C1, bidi embeddings/overrides/isolates, and other invisible
# format characters that can reorder or hide text (the BOM/ZWNBSP included).
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
# Lone surrogates (from JSON "\\ud800" escapes or undecodable file names) cannot be stored
# as UTF-8; each becomes U+FFFD so the text stays storable and the gap stays visible.
_SURROGATES = re.compile("[\ud800-\udfff]")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def _cp1252_extras() -> dict[int, str]:
    extras = {}
    for byte in range(0x80, 0xA0):
        # one of cp1252's five holes fails to decode: it stays the Latin-1 (C1) character
        with contextlib.suppress(UnicodeDecodeError):
            extras[byte] = bytes([byte]).decode("cp1252")
    return extras


_CP1252_EXTRAS = _cp1252_extras()


class DecodeError(ValueError):
    """The bytes are not text we can read."""


def decode(data: bytes) -> str:
    """Decode bytes robustly: BOMs, UTF-16 without BOM, a binary check, UTF-8, then detection."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"not valid {encoding} despite its byte-order mark") from exc
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if _looks_binary(data):
        raise DecodeError("binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = _utf8_with_stray_bytes(data)
    if mixed is not None:
        return mixed
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _mostly_non_latin(str(best)):
        return str(best)  # a legacy code page of another script: Cyrillic, Greek, CJK...
    # Otherwise Latin-1, read as Windows-1252 (its superset for 0x80-0x9f): on short Western
    # text detection tends to guess a Central-European code page and turn "û" into "ű".
    return data.decode("latin-1").translate(_CP1252_EXTRAS)


def _utf8_with_stray_bytes(data: bytes) -> str | None:
    """Mostly UTF-8 with some Latin-1 / Windows-1252 bytes pasted in (a mixed file): the UTF-8
    stays UTF-8 and each stray byte is read as Windows-1252, rather than the whole file being
    read as Latin-1 and every UTF-8 character turning into mojibake ("CafÃ©").

    None when valid multi-byte UTF-8 characters are fewer than stray bytes: a legacy code page
    (whose bytes only now and then happen to form a UTF-8 character) goes to detection.
    """
    text = data.decode("utf-8", "surrogateescape")
    stray = len(_ESCAPED_BYTES.findall(text))
    utf8 = sum(1 for ch in text if ch > "\x7f") - stray
    if utf8 == 0 or utf8 < stray:
        return None
    return _ESCAPED_BYTES.sub(lambda m: chr(ord(m.group()) - 0xDC00).translate(_CP1252_EXTRAS), text)


_ESCAPED_BYTES = re.compile("[\udc80-\udcff]")


def _mostly_non_latin(text: str) -> bool:
    """Whether most letters of a text are in a script other than Latin."""
    letters = [ch for ch in text if ch.isalpha()]
    other = sum(1 for ch in letters if ch > "\x7f" and not unicodedata.name(ch, "").startswith("LATIN"))
    return other * 2 > len(letters)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM shows as every other byte being NUL in ASCII-heavy text."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4000]
    even_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
    encoding = "utf-16-le" if odd_nuls > 0.4 and even_nuls < 0.05 else None
    if even_nuls > 0.4 and odd_nuls < 0.05:
        encoding = "utf-16-be"
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    # Text has few bytes below 0x20 other than whitespace; binaries have many.
    odd = sum(1 for b in sample if b < 0x20 and b not in (9, 10, 12, 13, 27))
    return odd > max(8, len(sample) // 100)


def clean_text(text: str) -> str:
    """Normalise newlines and strip every control character except newline and tab.

    Text inside square brackets ("[Reuters]") and all printable characters are kept exactly.
    Trailing spaces before a newline and runs of more than one blank line are folded, and the
    whole text is trimmed, so the same article saved twice with different line endings or
    editors gets the same id.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    text = _SURROGATES.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()


# Numeric character references to C0 controls and DEL: lxml cannot hold these characters and
# drops the whole page over one of them ("no article text found").
_CONTROL_REFERENCES = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,2})|0*([0-9]{1,3}));?")
# In markup an unterminated escape string also ends at the next tag, not only at the line end:
# a minified page is one line.
_ESCAPES_IN_MARKUP = re.compile(_ESCAPES.pattern.replace(r"[^\x07\x1b\x9c\n]", r"[^\x07\x1b\x9c\n<]"), re.VERBOSE)


def clean_markup(html: str) -> str:
    """HTML source without control characters or escape sequences, before it is parsed.

    A reference such as `&#27;` becomes its character first, so `&#27;]0;title&#7;` goes as a
    whole instead of leaving "]0;title" behind (the parser would drop the ESC alone).
    References to C1 code points are left alone: HTML reads them as Windows-1252.
    """

    def control(match: re.Match[str]) -> str:
        code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        return chr(code) if (0 < code < 0x20 and code not in (0x09, 0x0A, 0x0D)) or code == 0x7F else match.group(0)

    html = _CONTROL_REFERENCES.sub(control, html)
    html = html.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ESCAPES_IN_MARKUP.sub("", html))


def clean_field(value: object) -> str | None:
    """Clean a one-line metadata field (title, author...): no controls, no newlines."""
    if value is None:
        return None
    value = str(value)
    if value.isascii() and value.isprintable() and value == value.strip() and "  " not in value:
        return value or None  # printable ASCII on one line, trimmed: nothing to clean (the usual case, made fast)
    text = clean_text(value).replace("\n", " ").replace("\t", " ")
    text = re.sub(r" {2,}", " ", text).strip()
    return text or None


def clipped_field(value: object, limit: int) -> str | None:
    """`clean_field`, cut to at most `limit` characters (the last one an ellipsis) when longer."""
    cleaned = clean_field(value)
    if cleaned and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def clean_meta(value: object) -> object:
    """Clean every string inside a JSON-like value, keys included."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", _ESCAPES.sub("", value)))
    if isinstance(value, dict):
        return {str(clean_meta(str(k))): clean_meta(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_meta(v) for v in value]
    return value


_NORMAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def clean_time(value: object) -> str | None:
    """An ISO 8601 time as reader writes them (UTC, milliseconds, "Z"); None when value is not a
    time. A time without a zone is taken as UTC. Normal form makes times comparable as text."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    if _NORMAL_TIME.fullmatch(value):
        try:
            datetime.fromisoformat(value[:-1])  # the form is ours; is it a real date?
        except ValueError:
            return None
        return value
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    try:
        stamp = stamp.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
