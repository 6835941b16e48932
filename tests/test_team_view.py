"""Issue 17, items 19, 21 and 23: what a team's lead sees after a merge (stats, list, the
library header and the review gutter), what a team database's exports say, and a theme kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.model import SKIPPED, Article, LabelSet, Parsed, Sentence
from reader.store import Store
from reader.tui.app import ReaderApp
from tests.conftest import run_reader
from tests.uihelp import screen_text

SIZE = (110, 36)
SENTENCES = ("The council promised to reopen the ferry pier by spring.", "Residents said the delays had cost them customers.",
             "The pier was built in 1931 for the fishing fleet.", "A spokesperson declined to comment on the budget.")


def own_database(path: Path, annotator: str, labels: dict[int, str]) -> str:
    """An annotator's own database: the same article, labelled by them."""
    text = " ".join(SENTENCES)
    spans, pos = [], 0
    for sentence in SENTENCES:
        spans.append((pos, pos + len(sentence)))
        pos += len(sentence) + 1
    article = Article(text, title="Ferry pier", source="team/pier.txt")
    with Store(path) as store:
        store.add_article(article, Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(spans)), (), "test", "1"))
        for index, label in labels.items():
            store.set_label(article.id, index, label, annotator)
    return article.id


@pytest.fixture
def team(tmp_path: Path) -> tuple[Path, str]:
    """The lead's database after `reader merge` of alice's and bob's: they disagree on sentences
    0 and 1 and agree on 2; the lead has labelled nothing and reviewed sentence 0."""
    article_id = own_database(tmp_path / "alice.db", "alice", {0: "commitment", 1: "claim", 2: "background"})
    own_database(tmp_path / "bob.db", "bob", {0: "claim", 1: "background", 2: "background", 3: "claim"})
    lead = tmp_path / "lead.db"
    own_database(lead, "lead", {})
    proc = run_reader("merge", "--db", lead, tmp_path / "alice.db", tmp_path / "bob.db")
    assert proc.returncode == 0, proc.stderr
    with Store(lead) as store:
        store.set_review(article_id, 0, "commitment", "lead")
    return lead, article_id


# --- 21: a team database's exports say how many sentences carry conflicting labels ----------


@pytest.mark.parametrize("fmt", ["prodigy", "spacy", "jsonl"])
def test_export_of_a_team_database_says_how_many_sentences_conflict(team: tuple[Path, str], tmp_path: Path, fmt: str) -> None:
    lead, _ = team
    out = tmp_path / f"out.{fmt}"
    proc = run_reader("export", "--db", lead, "--format", fmt, "-o", out)
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stderr.splitlines() if "conflicting" in line]
    assert notes == ["reader: note: 2 sentences carry conflicting labels from several annotators (1 decided by a reviewer), "
                     "each annotator's as a record of its own; --resolve reviewed writes one per sentence"]
    resolved = run_reader("export", "--db", lead, "--format", fmt, "--resolve", "reviewed", "-o", tmp_path / f"r.{fmt}")
    assert resolved.returncode == 0 and "conflicting" not in resolved.stderr
    alone = run_reader("export", "--db", lead, "--format", fmt, "--annotator", "bob", "-o", tmp_path / f"b.{fmt}")
    assert alone.returncode == 0 and "conflicting" not in alone.stderr


# --- 23: the chosen theme is saved and restored; `theme` in config.toml is accepted ------------


async def test_theme_chosen_in_the_palette_is_restored_at_the_next_start(db: Path, tmp_path: Path) -> None:
    saved = tmp_path / "state" / "theme"
    first = ReaderApp(Store(db), annotator="tester", theme_file=saved)
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert first.theme != "textual-light"
        first.theme = "textual-light"  # what the palette's "Change theme" does
        await pilot.pause()
    from reader import config

    assert config.saved_theme(saved) == "textual-light"
    second = ReaderApp(Store(db), annotator="tester", theme=config.saved_theme(saved), theme_file=saved)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert second.theme == "textual-light"


def test_config_theme_is_accepted_and_a_wrong_one_refused(db: Path, tmp_path: Path) -> None:
    conf = tmp_path / "config.toml"
    conf.write_text('theme = "textual-light"\n', encoding="utf-8")
    proc = run_reader("--db", db, "--config", conf, "list")
    assert proc.returncode == 0, proc.stderr
    from reader import config

    assert config.load(conf).theme == "textual-light"
    conf.write_text("theme = 3\n", encoding="utf-8")
    proc = run_reader("--db", db, "--config", conf, "list")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "theme must be a theme name" in proc.stderr


# --- 19: after `reader merge`, stats, list and the library give the team's figures -----------


def test_stats_after_merge_gives_each_annotator_and_the_reviews(team: tuple[Path, str]) -> None:
    lead, _ = team
    proc = run_reader("--annotator", "lead", "stats", "--db", lead)
    assert proc.returncode == 0, proc.stderr
    assert "lead: 0/4 sentences labelled" in proc.stdout  # the running annotator's progress stays
    rows: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():  # the team table comes first: annotator, labelled, skipped
        if line.startswith("│") and line.count("│") == 4:
            rows.setdefault(line.split("│")[1].strip(), line.split("│")[2:4])
    assert [cell.strip() for cell in rows["alice"]] == ["3", "0"] and [cell.strip() for cell in rows["bob"]] == ["4", "0"]
    assert "the team (2 annotators)" in proc.stdout
    assert "reviews: 1 of 2 disagreements decided by a reviewer (1 decision in all)" in proc.stdout
    data = run_reader("--annotator", "lead", "stats", "--db", lead, "--json")
    team = json.loads(data.stdout)["team"]
    assert team["progress"] == {"alice": {"labelled": 3, "skipped": 0}, "bob": {"labelled": 4, "skipped": 0}}
    assert (team["disagreements"], team["decided"], team["reviewed"]) == (2, 1, 1)
    assert json.loads(data.stdout)["per_article"][0]["team_labelled"] == 4


def test_list_after_merge_gives_the_team_columns(team: tuple[Path, str]) -> None:
    lead, article_id = team
    proc = run_reader("--annotator", "lead", "list", "--db", lead)
    assert proc.returncode == 0, proc.stderr
    header, row = proc.stdout.splitlines()
    assert header.split("\t") == ["id", "title", "sentences", "labelled", "source", "team_labelled", "disagreements", "reviewed"]
    assert row.split("\t") == [article_id, "Ferry pier", "4", "0", "team/pier.txt", "4", "2", "1"]


async def test_library_header_after_merge_gives_the_team(team: tuple[Path, str]) -> None:
    lead, _ = team
    app = ReaderApp(Store(lead), annotator="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "0/4 sentences labelled by lead" in shown
        assert "team: alice 3, bob 4 · reviewed 1 of 2 disagreements" in shown


async def test_library_header_keeps_the_team_line_at_80_columns(team: tuple[Path, str]) -> None:
    """At 80x24 the first line of the header wraps onto two; the team line is the third and
    was cut off by a two-line cap on the header, so a lead on a small terminal never saw it."""
    lead, _ = team
    app = ReaderApp(Store(lead), annotator="lead-reviewer")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "labelled by lead-reviewer" in shown
        assert "team: alice 3, bob 4 · reviewed 1 of 2 disagreements" in shown


async def test_review_gutter_shows_each_annotators_vote(team: tuple[Path, str]) -> None:
    lead, _ = team
    app = ReaderApp(Store(lead), annotator="lead", review=())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any("alice bob: each one's label, in this order" in line for line in lines)
        # sentence 1: alice commitment (C), bob claim (L), decided commitment by the lead
        assert any("CL│C▶ The council promised" in line for line in lines)
        assert any("LB│   Residents said" in line for line in lines)  # alice claim, bob background
        assert any("BB│   The pier was built" in line for line in lines)
        await pilot.press("j")  # the next disagreement: undecided, the gutter follows
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any("CL│C  The council promised" in line for line in lines)
        assert any("LB│ ▶ Residents said" in line for line in lines)


async def test_review_gutter_shows_a_skip_as_the_article_view_does(tmp_path: Path) -> None:
    """A sentence an annotator skipped showed "·" in the review's gutter, as if they had never
    read it: review read only the votes that set a label. A skip is "-" (the article view's
    mark), is listed under the sentence it is on, and is no vote: no disagreement, no agreement."""
    article_id = own_database(tmp_path / "alice.db", "alice", {0: "commitment", 1: "claim", 2: "background", 3: SKIPPED})
    own_database(tmp_path / "bob.db", "bob", {0: "claim", 1: "background", 2: "background", 3: "claim"})
    own_database(tmp_path / "carol.db", "carol", {0: SKIPPED})  # carol only skipped, in this article
    lead = tmp_path / "lead.db"
    own_database(lead, "lead", {})
    proc = run_reader("merge", "--db", lead, tmp_path / "alice.db", tmp_path / "bob.db", tmp_path / "carol.db")
    assert proc.returncode == 0, proc.stderr
    app = ReaderApp(Store(lead), annotator="lead", review=())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        lines = shown.splitlines()
        assert any("alice bob carol: each one's label, in this order" in line for line in lines), shown
        assert any("CL-│ ▶ The council promised" in line for line in lines), shown
        assert any(line.split() == ["carol", "-", "skipped"] for line in lines), shown
        assert "disagreement 1/2" in shown  # sentence 3 (a skip and a claim) is no disagreement
        await pilot.press("j")
        await pilot.pause()
        shown = screen_text(app)
        assert any("-L·│   A spokesperson declined" in line for line in shown.splitlines()), shown
        assert not any(line.split() == ["carol", "-", "skipped"] for line in shown.splitlines()), shown  # not on this one
    agreement = run_reader("agreement", "--db", lead, "--json")
    assert agreement.returncode == 0, agreement.stderr
    figures = json.loads(agreement.stdout)
    assert figures["sentences"] == 3 and figures["not_counted"]["skipped"] == 2, figures  # skips are no votes
    assert article_id in {a["id"] for a in figures["articles"]}


async def test_merged_articles_get_suggestions_in_the_background(team: tuple[Path, str]) -> None:
    lead, article_id = team
    with Store(lead) as store:
        assert store.unsuggested(LabelSet().key) == [article_id]  # merged, never opened
    app = ReaderApp(Store(lead), annotator="lead", review=())
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(1800):  # until the background job (nice 10) has written them (at most three minutes)
            await pilot.pause(0.1)
            with Store(lead) as store:
                if not store.unsuggested(LabelSet().key):
                    break
        with Store(lead) as store:
            assert store.unsuggested(LabelSet().key) == []
            assert len(store.suggestions(article_id, LabelSet().key)) == len(SENTENCES)
        for _ in range(100):  # the review screen re-reads what another process committed
            await pilot.pause(0.1)
            if "suggested" in screen_text(app):
                break
        assert any(line.strip().startswith("suggested") for line in screen_text(app).splitlines())
