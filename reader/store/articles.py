"""Articles, their sentences and entities: stored once, read by the reader and the exports."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from reader.model import SKIPPED, Article, Entity, Parsed, Sentence
from reader.store.db import Connection, StoreError, now
from reader.store.labels import SENTENCES, Entry, sentences_digest, undelete, write
from reader.store.commitments import put_commitment
from reader.store.suggestions import DEFAULT_SET, put_suggestions

if TYPE_CHECKING:
    from reader.records import ArticleSummary  # the library's rows, imported where they are made


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
            _after_the_newest(conn),
        ),
    )


def _after_the_newest(conn: sqlite3.Connection) -> str:
    """Now, or a millisecond after the newest article when that is not earlier: the articles of
    one import keep the order they came in (an export read back lists them as it did), where a
    shared millisecond had ordered them by id."""
    from datetime import datetime, timedelta, timezone

    stamp, newest = now(), conn.execute("SELECT max(imported_at) FROM articles").fetchone()[0]
    if newest is None or stamp > newest:
        return stamp
    try:
        later = datetime.fromisoformat(newest.replace("Z", "+00:00")) + timedelta(milliseconds=1)
    except ValueError:  # a stored time reader did not write: now stands
        return stamp
    return later.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    if parsed.suggestions:
        put_suggestions(conn, article_id, DEFAULT_SET, parsed.suggestions)
    for index, (found, date) in parsed.commitments.items():
        put_commitment(conn, article_id, index, found, date)
    undelete(conn, article_id, sentences_digest((s.start, s.end) for s in parsed.sentences))


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

    def summaries(self, annotator: str | None = None, label_set: str = DEFAULT_SET) -> list[ArticleSummary]:
        """Every article with its sentence count, the sentences this annotator has done (any
        annotator's with None), and its open suggestions; newest import first."""
        from reader.records import ArticleSummary

        rows = self._all(
            """
            SELECT a.id, coalesce(a.title, ''), a.source, a.published,
                   (SELECT count(*) FROM sentences s WHERE s.article_id = a.id),
                   (SELECT count(DISTINCT n.sentence_index) FROM annotations n
                    WHERE n.article_id = a.id AND (?1 IS NULL OR n.annotator = ?1)),
                   a.imported_at,
                   g.suggested, coalesce(g.doubt, 0.0),
                   (SELECT count(DISTINCT n.sentence_index) FROM annotations n
                    WHERE n.article_id = a.id AND (?1 IS NULL OR n.annotator = ?1) AND n.label = ?3)
            FROM articles a
            LEFT JOIN (
                SELECT g.article_id, count(*) AS suggested, avg(1.0 - g.score) AS doubt FROM suggestions g
                WHERE g.label_set = ?2 AND NOT EXISTS (
                    SELECT 1 FROM annotations n WHERE n.article_id = g.article_id AND n.sentence_index = g.sentence_index
                    AND (?1 IS NULL OR n.annotator = ?1))
                GROUP BY g.article_id
            ) g ON g.article_id = a.id
            ORDER BY a.imported_at DESC, a.id
            """,
            (annotator, label_set, SKIPPED),
        )
        # a sentence one annotator skipped and another labelled counts as labelled (any annotator's: None)
        out = []
        for i, title, source, published, sentences, done, imported_at, suggested, doubt, skips in rows:
            skipped = skips if annotator is not None else 0
            out.append(ArticleSummary(i, title, source, published, sentences, done - skipped, imported_at,
                                      suggested=suggested or 0, doubt=doubt, skipped=skipped))
        return out

    # --- the library a page at a time (schema 5's summary tables and index) -----------------

    def library_totals(self) -> tuple[int, int]:
        """How many articles and sentences are stored (kept by triggers: no count over them)."""
        totals = dict(self._all("SELECT name, n FROM library_totals"))
        return totals.get("articles", 0), totals.get("sentences", 0)

    def any_published(self) -> bool:
        """Whether some article has a published date (the library then shows that column)."""
        return self._one("SELECT EXISTS (SELECT 1 FROM articles INDEXED BY articles_dated WHERE published IS NOT NULL)")[0] == 1

    def _matching(self, needle: str, text: bool = True) -> tuple[str, dict[str, str]]:
        """The WHERE clause of the library's filter: the words in the title or source (case
        folded), or, from three characters on, in the text (full-text search, as `search`).
        From three characters on, titles and sources are found by their trigram index; a
        shorter filter is looked for in each (it matches most of the library anyway)."""
        if not needle:
            return "1", {}
        phrase = '"' + needle.replace('"', '""') + '"'
        if len(needle) >= 3:
            where = "(rowid IN (SELECT rowid FROM articles_titles WHERE articles_titles MATCH :titles)"
            params = {"titles": "{title source}: " + phrase}
        else:
            fold = "lower"
            if not needle.isascii():  # SQLite's lower() folds ASCII only; Python's, everything
                self.conn.create_function("reader_fold", 1, lambda v: v.lower() if isinstance(v, str) else v, deterministic=True)
                fold = "reader_fold"
            where = f"(instr({fold}(coalesce(title, '')), :needle) OR instr({fold}(coalesce(source, '')), :needle)"
            params = {"needle": needle.lower()}
        if text and len(needle) >= 3:
            where += """ OR id IN (SELECT s.article_id FROM sentences_fts f JOIN sentences s ON s.rowid = f.rowid
                                   WHERE sentences_fts MATCH :phrase)"""
            params["phrase"] = phrase
        return where + ")", params

    def _filtered(self, sql: str, needle: str, extra: dict[str, Any]) -> list[tuple]:
        where, params = self._matching(needle)
        try:
            return self._all(sql.format(where=where), {**params, **extra})
        except StoreError:
            if "phrase" not in params:
                raise
            # a text the full-text index cannot parse: the title and source alone (as `search`)
            where, params = self._matching(needle, text=False)
            return self._all(sql.format(where=where), {**params, **extra})

    def library_count(self, needle: str = "") -> int:
        """How many articles the library's filter shows (all of them without one)."""
        if not needle:
            return self.library_totals()[0]
        if len(needle) >= 3:  # the matches' ids, from the two full-text indexes: no scan of the library
            return self._filtered("SELECT count(*) FROM articles WHERE {where}", needle, {})[0][0]
        return self._filtered("SELECT count(*) FROM articles INDEXED BY articles_newest WHERE {where}", needle, {})[0][0]

    def scoped_counts(self, annotator: str, needle: str = "", assigned: bool = False) -> tuple[int, dict[str, int]]:
        """The sentences of the articles assigned to this annotator (assigned), else of those
        the library's filter shows, and this annotator's labels on them per label (skips as
        SKIPPED), as `label_counts` counts the whole library's."""
        if assigned:
            ids, params, needle = "SELECT article_id FROM assignments WHERE annotator = :who", {"who": annotator}, ""
        else:
            ids, params = "SELECT id FROM articles WHERE {where}", {"who": annotator}
        sentences = self._filtered(f"SELECT coalesce(sum(sentences), 0) FROM article_counts WHERE article_id IN ({ids})",
                                   needle, params)[0][0]
        labels = self._filtered(f"""SELECT label, count(*) FROM annotations
                                    WHERE annotator = :who AND article_id IN ({ids}) GROUP BY label ORDER BY label""",
                                needle, params)
        return sentences, dict(labels)

    def library_page(self, annotator: str, label_set: str = DEFAULT_SET, needle: str = "", offset: int = 0,
                     limit: int = 200) -> list[ArticleSummary]:
        """One page of the library, newest import first (as `summaries`), filtered like
        `library_count`: the ids walk the library's index, the counts come from the summary
        tables and each page's own suggestions, so a page costs the same in any library."""
        ids = [r[0] for r in self._filtered(
            """SELECT id FROM articles INDEXED BY articles_newest WHERE {where}
               ORDER BY imported_at DESC, id LIMIT :limit OFFSET :offset""", needle, {"limit": limit, "offset": offset})]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = {r[0]: r for r in self._all(
            f"""SELECT a.id, coalesce(a.title, ''), a.source, a.published, coalesce(c.sentences, 0), coalesce(p.labelled, 0),
                       a.imported_at, (SELECT count(*) FROM annotations n
                                       WHERE n.article_id = a.id AND n.annotator = ?1 AND n.label = ?2)
                FROM articles a LEFT JOIN article_counts c ON c.article_id = a.id
                LEFT JOIN label_progress p ON p.article_id = a.id AND p.annotator = ?1
                WHERE a.id IN ({marks})""", (annotator, SKIPPED, *ids))}
        open_ = {r[0]: r[1:] for r in self._all(
            f"""SELECT g.article_id, count(*), avg(1.0 - g.score) FROM suggestions g
                WHERE g.article_id IN ({marks}) AND g.label_set = ? AND NOT EXISTS (
                    SELECT 1 FROM annotations n WHERE n.article_id = g.article_id AND n.sentence_index = g.sentence_index
                    AND n.annotator = ?)
                GROUP BY g.article_id""", (*ids, label_set, annotator))}
        from reader.records import ArticleSummary

        out = []
        for i in ids:
            if i in rows:
                _, title, source, published, sentences, done, imported_at, skipped = rows[i]
                suggested, doubt = open_.get(i, (0, 0.0))
                out.append(ArticleSummary(i, title, source, published, sentences, done - skipped, imported_at,
                                          suggested=suggested, doubt=doubt or 0.0, skipped=skipped))
        return out

    def delete_article(self, article_id: str, annotator: str) -> None:
        """Delete an article; its label history stays in the event log, and importing the same
        text again (parsed into the same sentences) brings its labels back."""
        with self._write() as conn:
            spans = conn.execute('SELECT start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,)).fetchall()
            write(conn, Entry(article_id, None, annotator, "delete", sentences_digest(spans), None, field=SENTENCES))
            conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def worked_on(self) -> list[str]:
        """Articles someone has labelled or opened, the most recent first."""
        rows = self._all(
            """SELECT article_id FROM (
                   SELECT article_id, max(updated) AS at FROM annotations GROUP BY article_id
                   UNION ALL SELECT article_id, max(updated) FROM positions GROUP BY article_id)
               WHERE article_id IN (SELECT id FROM articles) GROUP BY article_id ORDER BY max(at) DESC"""
        )
        return [r[0] for r in rows]

    def ever_had_articles(self) -> bool:
        """Whether anything was ever stored here (an emptied library does not get the samples)."""
        return self._one(
            "SELECT EXISTS (SELECT 1 FROM articles) OR EXISTS (SELECT 1 FROM annotation_events WHERE action = 'delete')"
        )[0] == 1

    def search(self, words: str) -> set[str]:
        """Ids of articles whose text holds these words (full-text search of their sentences)."""
        phrase = '"' + words.replace('"', '""') + '"'
        try:
            rows = self._all(
                "SELECT DISTINCT s.article_id FROM sentences_fts f JOIN sentences s ON s.rowid = f.rowid WHERE sentences_fts MATCH ?",
                (phrase,),
            )
        except StoreError:
            return set()
        return {r[0] for r in rows}
