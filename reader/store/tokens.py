"""The tokens of `reader serve`: one per annotator, stored only as a hash, so a copy of the
database gives nobody a working link."""

from __future__ import annotations

from reader.store.db import Connection, now


class Tokens(Connection):
    """Who may open a served session, and whether as a reviewer."""

    def set_token(self, annotator: str, token_hash: str, *, reviewer: bool = False) -> bool:
        """Give the annotator this token (hashed), replacing any earlier one; True when there was one."""
        with self._write() as conn:
            replaced = conn.execute("DELETE FROM serve_tokens WHERE annotator = ?", (annotator,)).rowcount > 0
            conn.execute("INSERT INTO serve_tokens (annotator, token_hash, reviewer, created) VALUES (?, ?, ?, ?)",
                         (annotator, token_hash, int(reviewer), now()))
        return replaced

    def revoke_token(self, annotator: str) -> bool:
        """Take the annotator's token away; False when they had none."""
        with self._write() as conn:
            return conn.execute("DELETE FROM serve_tokens WHERE annotator = ?", (annotator,)).rowcount > 0

    def token_owner(self, token_hash: str) -> tuple[str, bool] | None:
        """(annotator, reviewer) of a token hash, or None for a token nobody holds."""
        row = self._one("SELECT annotator, reviewer FROM serve_tokens WHERE token_hash = ?", (token_hash,))
        return None if row is None else (row[0], bool(row[1]))

    def token_holders(self) -> list[tuple[str, bool, str]]:
        """Everyone who holds a token: (annotator, reviewer, created), by name."""
        return [(a, bool(r), c) for a, r, c in self._all("SELECT annotator, reviewer, created FROM serve_tokens ORDER BY annotator")]
