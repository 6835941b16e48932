"""Refining the stored suggestions with the sentence encoder (`reader.suggest.encoder`): score
every stored sentence it has not scored yet, one article per transaction, and mix the result
into that article's suggestions under the default labels (`Store.save_encoded`), with the moved
heads of the kept models whose suggestions they are (`reader.mix.kept_heads`).

It runs where a model may run: the reader's background job (`reader _work refine`, started
after a parse and when the reader opens with sentences left to score), `reader refresh`, and
`reader export --suggestions` before it writes. Import never waits for it. Stopping it at any
moment is safe: what it committed stays, the rest is done next time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from reader.store import Store


def refine(store: Store, article_ids: list[str] | None = None, *, encoder: object | None = None,
           progress: Callable[[int, int], None] | None = None) -> Iterator[str]:
    """Score the sentences of these articles (of all, when None) that the shipped encoder has
    not scored; yield each article id once its suggestions are refined. `learned.ModelError`
    (one line) when the encoder cannot be read."""
    from reader import mix
    from reader.suggest import encoder as encoders
    from reader.suggest.head import to_blob

    enc = encoder if isinstance(encoder, encoders.Encoder) else encoders.shipped()
    with alone(store.path):
        todo = store.unencoded(enc.id, article_ids)
        total = sum(map(len, todo.values()))
        heads: dict[str, object] = {}
        done = 0
        for article_id, sentences in todo.items():
            found = dict(zip((index for index, _ in sentences), enc.encode([text for _, text in sentences]), strict=True))
            # read per article: a model kept meanwhile (a retrain beside this job) has its own head
            store.save_encoded(article_id, enc.id, enc.weight, {index: p for index, (p, _) in found.items()}, dict(sentences),
                               {index: to_blob(v) for index, (_, v) in found.items()}, mix.kept_heads(store, heads))
            done += len(sentences)
            if progress:
                progress(done, total)
            yield article_id


@contextmanager
def alone(db: Path, wait: float = 0.5) -> Iterator[None]:
    """One refinement of a database at a time on this machine: each reader window, each browser
    session of `reader serve` and `reader export` start one over the same sentences, and two
    encoders reading them at once did the work twice. Held as a name in Linux's abstract socket
    namespace (no file is written; the kernel frees it when the process ends, however it ends):
    a second waits until the first is done, then finds what is left (usually nothing). Where
    there is no such namespace, no lock."""
    import errno
    import hashlib
    import socket
    import time

    name = b"\0reader-refine-" + hashlib.sha256(str(Path(db).resolve()).encode()).hexdigest()[:40].encode()
    held = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        while True:
            try:
                held.bind(name)
                break
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    break  # no abstract namespace (not Linux): refine without the lock
                time.sleep(wait)
        yield
    finally:
        held.close()
