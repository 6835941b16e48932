"""The export floor: the labelled sentences read with one bare sqlite3 cursor and written
with json.dumps, one line each, with the fields of `reader export` (unit sentence).

    python benchmarks/export_floor.py DB OUT.jsonl

SQLite itself gathers each sentence's entities (json_group_array over the entities index),
so Python only decodes that list and dumps the record. Run as a script: no reader imports.
"""

from __future__ import annotations

import json
import sqlite3
import sys


def main(db: str, out: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(sentences)")}
    text = "s.text" if "text" in columns else 'substr(art.text, s.start + 1, s."end" - s.start)'
    rows = conn.execute(
        f"""
        SELECT {text}, a.label, art.id, art.title, art.source, art.url, s.idx, s.start, s."end",
               (SELECT json_group_array(json_object('text', e.text, 'label', e.label,
                                                    'start', e.start - s.start, 'end', e."end" - s.start))
                FROM entities e
                WHERE e.article_id = s.article_id AND e.start >= s.start AND e.start < s."end" AND e."end" <= s."end"),
               a.annotator, a.updated, a.suggested, a.provenance,
               (SELECT f.value FROM sentence_fields f WHERE f.article_id = a.article_id AND f.sentence_index = a.sentence_index
                AND f.annotator = a.annotator AND f.field = 'note'),
               EXISTS (SELECT 1 FROM sentence_fields f WHERE f.article_id = a.article_id AND f.sentence_index = a.sentence_index
                AND f.annotator = a.annotator AND f.field = 'unsure')
        FROM articles art
        JOIN sentences s ON s.article_id = art.id
        JOIN annotations a ON a.article_id = s.article_id AND a.sentence_index = s.idx
        ORDER BY art.imported_at, art.id, s.idx, a.updated, a.annotator
        """
    )
    count = 0
    loads, dumps = json.loads, json.dumps
    with open(out, "w", encoding="utf-8") as handle:
        for sentence, label, article_id, title, source, url, index, start, end, entities, annotator, updated, suggested, provenance, note, unsure in rows:
            record = {
                "text": sentence,
                "label": label,
                "article_id": article_id,
                "article_title": title,
                "source": source,
                "url": url,
                "sentence_index": index,
                "start": start,
                "end": end,
                "entities": loads(entities),
                "annotator": annotator,
                "annotated_at": updated,
                "suggested": loads(suggested) if suggested else None,
                "provenance": provenance,
                "note": note,
                "unsure": bool(unsure),
            }
            handle.write(dumps(record, ensure_ascii=False))
            handle.write("\n")
            count += 1
    return count


if __name__ == "__main__":
    print(main(sys.argv[1], sys.argv[2]))
