"""What a team lead met running the whole flow (assign, label, merge, agreement, review,
train, export) as a newcomer: each test holds the input that found it.

The real CLI in subprocesses, real SQLite files, the reader through Pilot."""

from __future__ import annotations

from pathlib import Path

from reader.model import LabelSet
from reader.store import Store
from tests.conftest import one_line, run_reader


def test_train_with_the_lead_s_own_name_says_whose_labels_it_counted(db: Path) -> None:
    """`reader --annotator lead train` (the lead's name, as given to every command) learned from
    lead's labels only and said "too few labels to train: 0 labelled sentences" on a database
    whose annotators had labelled dozens: it read as if the merge had lost them."""
    with Store(db) as store:
        for article_id in store.article_ids():
            for index, suggestion in sorted(store.suggestions(article_id, LabelSet().key).items())[:8]:
                store.set_label(article_id, index, suggestion.label, "asha")
    line = one_line(run_reader("--annotator", "lead", "train", "--db", str(db)), 2, "too few labels to train")
    assert "only the labels of lead" in line and "--annotator" in line, line


async def test_review_at_80x24_keeps_the_votes_and_the_decision_in_view(db: Path) -> None:
    """At 80x24 the review screen stayed scrolled to its top: with the long sentences of the
    measles sample around the one under review, the line "decision none yet (1 commitment ...)"
    and then the annotators' votes themselves were below the fold, so the lead decided blind."""
    from reader.tui.app import ReaderApp
    from tests.uihelp import article_id_of, screen_text

    measles = article_id_of(db, "brennmoor-measles-campaign.txt")
    with Store(db) as store:
        for index in range(5):
            store.set_label(measles, index, "commitment", "bo")
            store.set_label(measles, index, "claim", "chen")
    app = ReaderApp(Store(db), annotator="lead", review=())
    async with app.run_test(size=(80, 24)) as pilot:
        for step in range(5):
            await pilot.pause()
            shown = screen_text(app)
            assert f"disagreement {step + 1}/5" in shown, shown
            lines = shown.splitlines()
            assert any("▶" in line for line in lines), shown  # the sentence under review
            assert any(line.split()[:3] == ["chen", "L", "claim"] for line in lines), shown
            assert any(line.split()[:3] == ["decision", "none", "yet"] for line in lines), shown
            await pilot.press("j")


def _add_article(store: Store, k: int, sentences: int = 10) -> str:
    from reader.model import Article, Parsed, Sentence

    parts = [f"Story {k}, sentence {i}: the council met again." for i in range(sentences)]
    spans, pos = [], 0
    for part in parts:
        spans.append((pos, pos + len(part)))
        pos += len(part) + 1
    article = Article(" ".join(parts), title=f"Story {k}", source=f"batch/{k}.txt")
    store.add_article(article, Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(spans)), (), "test", "1"))
    return article.id


def test_assign_of_a_later_batch_goes_to_whoever_has_least_so_far(tmp_path: Path) -> None:
    """The lead imported a batch a day and ran `reader assign --annotators asha,bo,chen` after
    each: every new article went to asha, whatever the others held, because each run counted
    the load from zero. A new batch now goes to whoever has the fewest sentences so far."""
    import json

    db = tmp_path / "lead.db"
    with Store(db) as store:
        for k in range(3):
            _add_article(store, k)
    first = run_reader("assign", "--db", str(db), "--annotators", "asha,bo,chen", "--overlap", "0")
    assert first.returncode == 0, first.stderr
    for k in range(3, 9):
        with Store(db) as store:
            _add_article(store, k)
        proc = run_reader("assign", "--db", str(db), "--annotators", "asha,bo,chen", "--overlap", "0")
        assert proc.returncode == 0 and "assigned 1 article," in proc.stdout, (proc.stdout, proc.stderr)
    rows = json.loads(run_reader("assign", "--db", str(db), "--list", "--json").stdout)
    per = {name: sum(1 for r in rows if r["annotator"] == name) for name in ("asha", "bo", "chen")}
    assert per == {"asha": 3, "bo": 3, "chen": 3}, per


def test_assign_list_counts_a_skip_as_done_as_the_progress_bar_does(tmp_path: Path) -> None:
    """asha labelled nine sentences of her ten-sentence article and skipped the tenth (a
    photo credit): the library's progress bar showed her article done, `reader assign --list`
    said 9 of 10, so the lead chased her for a sentence she had finished. The listing now has
    the skips and what is done (labelled or skipped) beside the labelled count."""
    import json

    from reader.model import SKIPPED

    db = tmp_path / "lead.db"
    with Store(db) as store:
        article_id = _add_article(store, 0)
        for index in range(9):
            store.set_label(article_id, index, "background", "asha")
        store.set_label(article_id, 9, SKIPPED, "asha")
    assert run_reader("assign", "--db", str(db), "--annotators", "asha", "--overlap", "0").returncode == 0
    rows = json.loads(run_reader("assign", "--db", str(db), "--list", "--json").stdout)
    assert [(r["labelled"], r["skipped"], r["done"], r["sentences"]) for r in rows] == [(9, 1, 10, 10)], rows
    plain = run_reader("assign", "--db", str(db), "--list").stdout.splitlines()  # not a terminal: tab-separated
    header, row = plain[0].split("\t"), plain[1].split("\t")
    assert header[:5] == ["annotator", "article_id", "title", "labelled", "sentences"], header  # as before
    fields = dict(zip(header, row, strict=True))
    assert [fields[k] for k in ("labelled", "skipped", "done", "sentences")] == ["9", "1", "10", "10"], fields


async def test_an_annotator_s_header_counts_her_own_share_of_the_library(db: Path) -> None:
    """With a third of the library assigned to her, asha's header said "0/94 sentences
    labelled by asha": when she had labelled all of her share it still read as a third done.
    With assignments it counts her assigned sentences, and the library's beside them where the
    line has room; at 80x24 the team's line below stays in view."""
    from reader.model import SKIPPED
    from reader.tui.app import ReaderApp
    from tests.uihelp import screen_text

    proc = run_reader("assign", "--db", str(db), "--annotators", "asha,bo,chen", "--overlap", "0")
    assert proc.returncode == 0, proc.stderr
    with Store(db) as store:
        mine = sorted(store.assigned_to("asha"))
        share = sum(s.sentences for s in store.summaries("asha") if s.id in mine)
        _, total = store.library_totals()
        other = next(a for a in store.article_ids() if a not in mine)
        store.set_label(mine[0], 0, "claim", "asha")
        store.set_label(mine[0], 1, "commitment", "asha")
        store.set_label(mine[0], 2, SKIPPED, "asha")
        store.set_label(other, 0, "claim", "asha")  # outside her share: the library's count only
        store.set_label(other, 1, "background", "bo")  # a second annotator: the team's line
    assert 0 < share < total
    for size, library in (((80, 24), False), ((120, 30), True)):
        app = ReaderApp(Store(db), annotator="asha")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            lines = screen_text(app).splitlines()
            header = " ".join(" ".join(lines[:4]).split())
            assert f"2/{share} assigned sentences labelled by asha (1 skipped)" in header, (size, header)
            assert (f"3/{total} in the library" in header) is library, (size, header)
            assert any(line.strip().startswith("team: asha 3, bo 1") for line in lines[:4]), (size, lines[:5])


async def test_the_library_header_s_label_counts_are_of_the_sentences_its_progress_counts(tmp_path: Path) -> None:
    """The header's counts per label were asha's over the whole library after "2/20 assigned
    sentences labelled by asha" or a filter's "(1 of 3 shown)": "claim 3" beside two labelled
    sentences. They count the sentences the progress beside them counts (her share; else the
    articles a filter shows), and the library's progress follows where the line has room."""
    from reader.model import SKIPPED
    from reader.tui.app import ReaderApp
    from tests.uihelp import screen_text

    db = tmp_path / "lead.db"
    with Store(db) as store:
        ids = [_add_article(store, k) for k in range(3)]
        store.set_label(ids[0], 0, "claim", "asha")
        store.set_label(ids[0], 1, "commitment", "asha")
        store.set_label(ids[0], 2, SKIPPED, "asha")
        for index in range(2):
            store.set_label(ids[1], index, "claim", "asha")
        store.set_label(ids[2], 0, "background", "asha")
        store.save_assignments([(ids[0], "asha")])

    def header(app: ReaderApp) -> str:
        return " ".join(" ".join(screen_text(app).splitlines()[:4]).split())

    app = ReaderApp(Store(db), annotator="asha")
    async with app.run_test(size=(160, 30)) as pilot:  # her share: Story 0
        await pilot.pause()
        shown = header(app)
        assert "2/10 assigned sentences labelled by asha (1 skipped) · commitment 1 claim 1 background 0" in shown, shown
        assert "5/30 in the library" in shown, shown
    with Store(db) as store:
        store.save_assignments([(ids[0], "bo")], replace=True)  # none of hers: the filter's articles
    app = ReaderApp(Store(db), annotator="asha")
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        assert "5/30 sentences labelled by asha (1 skipped) · commitment 1 claim 3 background 1" in header(app), header(app)
        await pilot.press("slash", *"Story 1", "enter")
        await pilot.pause()
        shown = header(app)
        assert "(1 of 3 shown)" in shown, shown
        assert "2/10 sentences of the articles shown labelled by asha · commitment 0 claim 2 background 0" in shown, shown
        assert "5/30 in the library" in shown, shown


async def test_the_register_has_g_and_G_for_its_first_and_last_commitment(tmp_path: Path) -> None:
    """`g` / `G` go to the first / last row in the library and the review screen, and did
    nothing in the register (`c`): a lead checking the newest commitments of a long register
    paged down through hundreds. They reach the last of all, beyond the table's window."""
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.rows import PAGE
    from tests.test_scale import long_register
    from tests.uihelp import screen_text

    db = tmp_path / "register.db"
    actions = long_register(db, PAGE)  # 2 * PAGE commitments: more than the table's window holds
    app = ReaderApp(Store(db), annotator="lead", start="commitments")
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("G")
        await pilot.pause()
        assert screen.selected().value("action") == actions[-1] and actions[-1] in screen_text(app)
        await pilot.press("g")
        await pilot.pause()
        assert screen.selected().value("action") == actions[0] and actions[0] in screen_text(app)
        await pilot.press("question_mark")  # the help lists them, with the ids to remap them
        await pilot.pause()
        shown = screen_text(app)
        assert "commitments.first" in shown and "commitments.last" in shown, shown


def _resolved_exports(db: Path, tmp_path: Path, how: str) -> tuple[Path, Path]:
    """`reader export --resolve how` to CSV and to JSONL: (final.csv, final.jsonl)."""
    out, jsonl = tmp_path / "final.csv", tmp_path / "final.jsonl"
    for target in (out, jsonl):
        proc = run_reader("export", "--db", str(db), "--resolve", how, "-o", str(target))
        assert proc.returncode == 0, proc.stderr
    return out, jsonl


def test_a_resolved_csv_says_which_rule_decided_and_who_voted_what(tmp_path: Path) -> None:
    """`reader export --resolve reviewed -o final.csv` had the resolved label only: the JSONL's
    `resolved_by` and `votes` were lost, so the lead's spreadsheet could not tell a reviewer's
    decision from a lone annotator's label. They are the CSV's last two columns (the others in
    their order), pandas reads it, and a vote whose annotator name starts a formula is text."""
    import csv
    import io
    import json

    import pandas as pd

    from reader.export import CSV_FIELDS

    db = tmp_path / "lead.db"
    with Store(db) as store:
        article_id = _add_article(store, 0, sentences=4)
        store.set_label(article_id, 0, "claim", "asha")
        store.set_label(article_id, 0, "commitment", "bo")
        store.set_review(article_id, 0, "commitment", "lead")
        for name, label in (("asha", "claim"), ("bo", "claim"), ("=1+1", "background")):
            store.set_label(article_id, 1, label, name)
        store.set_label(article_id, 2, "background", "asha")
    out, jsonl = _resolved_exports(db, tmp_path, "reviewed")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == [*CSV_FIELDS, "resolved_by", "votes"], list(rows[0])
    got = {int(r["sentence_index"]): (r["label"], r["resolved_by"], r["votes"]) for r in rows}
    assert got == {
        0: ("commitment", "review", '{"asha": "claim", "bo": "commitment"}'),
        1: ("claim", "majority", '{"=1+1": "background", "asha": "claim", "bo": "claim"}'),  # starts with {: no formula
        2: ("background", "only", '{"asha": "background"}'),
    }, got
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [r["resolved_by"] for r in records] == [got[r["sentence_index"]][1] for r in records]
    frame = pd.read_csv(out)
    assert list(frame.columns[-2:]) == ["resolved_by", "votes"] and len(frame) == 3
    plain = run_reader("export", "--db", str(db), "--format", "csv")  # without --resolve: the columns as before
    assert plain.stdout.lstrip("\ufeff").splitlines()[0].split(",") == list(CSV_FIELDS)


def test_a_resolved_csv_s_votes_read_back_whatever_the_annotators_names_hold(tmp_path: Path) -> None:
    """The CSV's `votes` cell was "name:label;name:label": with annotators named "lee:claim"
    and "x;bo" (names are free text) one cell could be read as several votes, or other ones.
    It is a JSON object {annotator: label}, which `json.loads` reads back exactly, from pandas
    too, and which says what the JSONL's `votes` say."""
    import json

    import pandas as pd

    names = {"lee:claim": "commitment", "x;bo": "background", 'o"neil, jr': "claim", "asha": "commitment"}
    db = tmp_path / "names.db"
    with Store(db) as store:
        article_id = _add_article(store, 0, sentences=2)
        for name, label in names.items():
            store.set_label(article_id, 0, label, name)
        store.set_label(article_id, 1, "claim", "x;bo")
    out, jsonl = _resolved_exports(db, tmp_path, "majority")
    frame = pd.read_csv(out)
    cells = dict(zip(frame["sentence_index"], frame["votes"].map(json.loads), strict=True))
    assert cells == {0: names, 1: {"x;bo": "claim"}}, cells
    for record in map(json.loads, jsonl.read_text(encoding="utf-8").splitlines()):  # the same votes, by label
        by_label = {label: sorted(n for n, lab in cells[record["sentence_index"]].items() if lab == label)
                    for label in set(cells[record["sentence_index"]].values())}
        assert record["votes"] == by_label, record["votes"]


def test_a_retrain_that_keeps_no_model_leaves_no_models_folder(db: Path, trained: dict, tmp_path: Path) -> None:
    """asha quit the reader while a background retrain was saving its model: the retrain was
    cancelled and `reader.db.models/` stayed beside her database, empty to `ls` (a hidden
    `.part-` folder in it), as it did after every retrain whose model was not kept. A model
    not kept, whole or half written, goes, and the folder with it when nothing else is in it;
    a folder holding a kept model stays, with it."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from reader.jobs import Job
    from tests.conftest import trained_copy
    from tests.test_suggestions_app import label_like_the_cold_start

    label_like_the_cold_start(db)  # labels the cold start agrees with: a retrain cannot beat it
    models = db.with_name(db.name + ".models")
    job = Job(db, "train")  # as the reader starts it, and cancels it when the annotator quits
    events: list = []
    worker = threading.Thread(target=lambda: events.extend(job.events()))
    worker.start()
    while worker.is_alive() and not (models.is_dir() and any(p.name.startswith(".part-") for p in models.iterdir())):
        time.sleep(0.002)
    job.cancel()  # as the model is being written (or, had that been missed, after it was not kept)
    worker.join(timeout=600)
    assert not models.exists(), sorted(p.name for p in models.iterdir())
    (tmp_path / "kept").mkdir()
    kept_db = trained_copy(trained, tmp_path / "kept")  # a folder with a kept model in it
    label_like_the_cold_start(kept_db)
    before = sorted(p.name for p in kept_db.with_name(kept_db.name + ".models").iterdir())
    with ThreadPoolExecutor(2) as both:  # two databases: the two trainings at once
        plain, kept = (both.submit(run_reader, "train", "--db", str(d), "--no-refresh", "--json", timeout=600) for d in (db, kept_db))
        proc, other = plain.result(), kept.result()
    assert proc.returncode == 0 and '"kept": false' in proc.stdout, (proc.stdout, proc.stderr)  # not cancelled, not kept
    assert not models.exists(), sorted(p.name for p in models.iterdir())
    proc = other
    assert proc.returncode == 0, proc.stderr
    after = {p.name for p in kept_db.with_name(kept_db.name + ".models").iterdir()}
    assert before and (set(before) <= after or '"kept": true' in proc.stdout), (before, after)


def test_a_save_leaves_another_training_s_half_written_model_alone(tmp_path: Path) -> None:
    """`reader train` saving beside a background retrain deleted every `.part-` folder it
    found, the other training's half-written model among them. Only one left by a killed
    training (older than any save takes) goes; a save that fails takes its own half with it."""
    import os
    import time

    import pytest
    import spacy

    from reader.model import LabelSet
    from reader.models_folder import STALE_AFTER, save

    folder = tmp_path / "reader.db.models"
    (folder / ".part-other").mkdir(parents=True)  # another training, writing now
    (folder / ".part-killed").mkdir()  # a training killed yesterday
    old = time.time() - STALE_AFTER - 60
    os.utime(folder / ".part-killed", (old, old))
    saved = save(spacy.blank("en"), folder, "m1", [("a", 0)], LabelSet())
    assert saved.is_dir() and (folder / ".part-other").is_dir() and not (folder / ".part-killed").exists()

    class Unwritable:
        def to_disk(self, path: Path) -> None:
            Path(path).mkdir()
            (Path(path) / "half").write_text("x")
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        save(Unwritable(), folder, "m2", [], LabelSet())
    assert sorted(p.name for p in folder.iterdir()) == [".part-other", "m1"]
