"""Articles, their sentences and entities: stored once, read by the reader and the exports."""

from __future__ import annotations

import json
import sqlite3

from reader.model import Article, ArticleSummary, Entity, Parsed, Sentence
from reader.store.db import Connection, now
from reader.store.labels import Entry, write


def insert_article(conn: sqlite3.Connection, article_id: str, article: Article) -> None:
    """The one place an article row is written (plain SQL: opening a new article in the reader
    must not wait for sqlite-utils to import, with numpy, about 130 ms)."""
    conn.execute(
        "INSERT INTO articles (id, title, source, url, author, published, site, text, meta, model, model_version, imported_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
        (
            article_id,
            article.title,
            article.source,
            article.url,
            article.author,
            article.published,
            article.site,
            article.text,
            json.dumps(article.meta, ensure_ascii=False),
            now(),
        ),
    )


def insert_parse(conn: sqlite3.Connection, article_id: str, parsed: Parsed) -> None:
    """Sentences and entities of an article, and the model that found them."""
    text = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
    conn.executemany(
        'INSERT INTO sentences (article_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)',
        [(article_id, s.index, s.start, s.end, text[s.start : s.end]) for s in parsed.sentences],
    )
    conn.executemany(
        'INSERT INTO entities (article_id, start, "end", label, text) VALUES (?, ?, ?, ?, ?)',
        [(article_id, e.start, e.end, e.label, e.text) for e in parsed.entities],
    )
    conn.execute(
        "UPDATE articles SET model = ?, model_version = ? WHERE id = ?",
        (parsed.model, parsed.model_version, article_id),
    )


class Articles(Connection):
    """Reading and writing articles."""

    def has_article(self, article_id: str) -> bool:
        return self._one("SELECT 1 FROM articles WHERE id = ?", (article_id,)) is not None

    def is_parsed(self, article_id: str) -> bool:
        row = self._one("SELECT model FROM articles WHERE id = ?", (article_id,))
        return row is not None and row[0] is not None

    def add_article(self, article: Article, parsed: Parsed | None = None) -> bool:
        """Store an article (and its parse) in one transaction; False if it was already there.

        An article stored earlier without a parse gets this parse.
        """
        with self._write() as conn:
            exists = conn.execute("SELECT model FROM articles WHERE id = ?", (article.id,)).fetchone()
            if exists is not None and (exists[0] is not None or parsed is None):
                return False
            if exists is None:
                insert_article(conn, article.id, article)
            if parsed is not None:
                insert_parse(conn, article.id, parsed)
            return True

    def save_parse(self, article_id: str, parsed: Parsed) -> None:
        """Store the sentences and entities of an article stored earlier without them."""
        with self._write() as conn:
            if conn.execute("SELECT model FROM articles WHERE id = ?", (article_id,)).fetchone()[0] is None:
                insert_parse(conn, article_id, parsed)

    def unparsed(self) -> list[str]:
        """Ids of articles stored before their sentences and entities were known."""
        return [r[0] for r in self._all("SELECT id FROM articles WHERE model IS NULL ORDER BY imported_at, id")]

    def article(self, article_id: str) -> Article | None:
        row = self._one(
            "SELECT text, title, source, url, author, published, site, meta FROM articles WHERE id = ?",
            (article_id,),
        )
        if row is None:
            return None
        return Article(
            text=row[0], title=row[1], source=row[2], url=row[3], author=row[4], published=row[5], site=row[6],
            meta=json.loads(row[7] or "{}"),
        )

    def find_articles(self, prefix: str) -> list[str]:
        """Article ids starting with a prefix, for commands that take an id."""
        return [r[0] for r in self._all("SELECT id FROM articles WHERE id LIKE ? || '%' ORDER BY id", (prefix,))]

    def article_ids(self) -> list[str]:
        return [r[0] for r in self._all("SELECT id FROM articles ORDER BY imported_at, id")]

    def sentences(self, article_id: str) -> list[Sentence]:
        rows = self._all('SELECT idx, start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,))
        return [Sentence(*row) for row in rows]

    def entities(self, article_id: str) -> list[Entity]:
        rows = self._all(
            'SELECT start, "end", label, text FROM entities WHERE article_id = ? ORDER BY start', (article_id,)
        )
        return [Entity(*row) for row in rows]

    def summaries(self) -> list[ArticleSummary]:
        """Every article with its sentence and labelled counts, newest import first."""
        rows = self._all(
            """
            SELECT a.id, coalesce(a.title, ''), a.source, a.published,
                   (SELECT count(*) FROM sentences s WHERE s.article_id = a.id),
                   (SELECT count(DISTINCT n.sentence_index) FROM annotations n WHERE n.article_id = a.id),
                   a.imported_at
            FROM articles a ORDER BY a.imported_at DESC, a.id
            """
        )
        return [ArticleSummary(*row) for row in rows]

    def delete_article(self, article_id: str, annotator: str) -> None:
        """Delete an article; its label history stays in the event log."""
        with self._write() as conn:
            write(conn, Entry(article_id, None, annotator, "delete", None, None))
            conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
