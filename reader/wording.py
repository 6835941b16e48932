"""Words for counts in messages: "1 label", "2 labels"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for exactly one: counted(1, "label") == "1 label"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
