"""Markdown files: markup removed, headings kept as lines of their own.

A deliberately small converter: news written in Markdown uses headings, emphasis, links,
lists, quotes and the odd code block. Square brackets that are not link syntax ("[Reuters]")
are text and stay exactly as they are.
"""

from __future__ import annotations

import re

from reader.sanitize import clean_field, clean_text
from reader.model import Article

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)(?:\n|\Z)", re.S)  # \Z: nothing after it
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_EMPHASIS = re.compile(r"(\*\*|\*|~~)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")
_CODE = re.compile(r"`+([^`]+)`+")
# A table's delimiter row: one dash at the least per cell, with a pipe somewhere (| --- | :-: |,
# |-|-|, |---| for one column, --- | --- without the outer pipes); "---" alone is a rule.
_TABLE_RULE = re.compile(r"^\s*(?=[^|]*\|)\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_CELL_PIPE = re.compile(r"(?<!\\)\|")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")


def from_markdown(text: str, source: str | None = None) -> Article:
    """Build an Article from Markdown; the first heading (or front-matter title) is the title."""
    text = clean_text(text)
    title = None
    front = _FRONT_MATTER.match(text)
    if front:
        text = text[front.end() :]
        for line in front.group(1).splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "title":
                title = clean_field(value.strip().strip("\"'"))
    lines = markdown_lines(text)
    body = clean_text("\n".join(lines))
    if not body:
        raise ValueError("empty: no text left after removing Markdown markup")
    if title is None:
        title = clean_field(body.split("\n", 1)[0][:300])
    return Article(text=body, title=title, source=source)


def markdown_lines(text: str) -> list[str]:
    """Markdown to plain lines: one per heading, paragraph line, list item or code line."""
    out: list[str] = []
    in_fence = False
    in_table = False  # after a delimiter row, until a line without a pipe: rows may lack the outer pipes
    raw = text.split("\n")
    for n, line in enumerate(raw):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            out.append(line)
            continue
        if _SETEXT.match(line) and out and out[-1].strip():
            continue  # the underline of a setext heading: the line above is the heading
        if _RULE.match(line) or _LINK_DEF.match(line):
            out.append("")
            continue
        if _TABLE_RULE.match(line):
            # a table's delimiter row: its rows keep their cells, without the pipes (the header
            # above it too, when it has no outer pipes)
            header = raw[n - 1] if n else ""
            if out and out[-1].strip() and _CELL_PIPE.search(header) and not _TABLE_ROW.match(header):
                out[-1] = _inline(_cells(header))
            in_table = True
            continue
        in_table = in_table and bool(_CELL_PIPE.search(line))
        if _TABLE_ROW.match(line) or in_table:
            line = _cells(line)
            if not line:
                continue  # a row of empty cells: nothing to read
        heading = _HEADING.match(line)
        if heading:
            out.extend(["", _inline(heading.group(1)), ""])
            continue
        while _QUOTE.match(line):
            line = _QUOTE.sub("", line, count=1)
        line = _LIST.sub("", line)
        out.append(_inline(line))
    return out


def _cells(line: str) -> str:
    """A table row as its cells, " · " between them (no outer pipes, no empty cells at its ends)."""
    cells = [cell.strip() for cell in _CELL_PIPE.split(line.strip())]
    while cells and not cells[0]:
        cells.pop(0)
    while cells and not cells[-1]:
        cells.pop()
    return " · ".join(cells)


def _inline(line: str) -> str:
    line = _IMAGE.sub(lambda m: m.group(1), line)
    line = _LINK.sub(lambda m: m.group(1), line)
    line = _REF_LINK.sub(lambda m: m.group(1), line)
    line = _AUTOLINK.sub(lambda m: m.group(1), line)
    line = _TAG.sub("", line)
    line = _CODE.sub(lambda m: m.group(1), line)
    for _ in range(3):  # nested emphasis such as ***x***
        line = _EMPHASIS.sub(lambda m: m.group(2) or m.group(4), line)
    return _ESCAPED.sub(lambda m: m.group(1), line).rstrip()
