"""`python -m benchmarks`: run every benchmark, print the table of ratios, compare it with the
previous benchmarks/last-run.json and save this run there, with its table in
benchmarks/RESULTS.md (the one place the figures are kept; the READMEs link it).

    python -m benchmarks                      # everything, 5 repetitions
    python -m benchmarks --only startup,keys  # some parts: see PARTS
    python -m benchmarks --reps 7 --no-save
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import (commitments_screen, export, fixtures, ingest, keypress, label_write, refine, refresh, retrain_keys, startup,
                        team, train, undo)
from benchmarks.common import BENCH, Tmux, machine, say

PARTS = ("startup", "keys", "ingest", "export", "labels", "train", "retrain-keys", "refresh", "refine", "commitments-screen", "undo", "team")
LAST_RUN = BENCH / "last-run.json"
RESULTS = BENCH / "RESULTS.md"
RETIRED = {"ingest-no-lemmatizer"}  # rows no longer measured: a partial run does not carry them over
REGRESSION = 0.35  # flag a change worse than this; on a shared 2-core machine smaller ones can be noise


def row(id: str, what: str, reader: float | None, floor: float | None = None, *, unit: str, goal: float | None = None,
        ratio: float | None = None, divide: bool = True) -> dict:
    if ratio is None and divide and reader is not None and floor:
        ratio = reader / floor
    return {"id": id, "what": what, "reader": reader, "floor": floor, "unit": unit, "ratio": ratio, "goal": goal,
            "ok": None if goal is None or ratio is None else ratio <= goal}


def rows_of(results: dict) -> list[dict]:
    rows: list[dict] = []
    s = results.get("startup")
    if s and "error" not in s:
        rows.append(row("startup", "start-up to first paint with entities, imported 40-sentence article (floor: bare Textual app)",
                        s["reader_s"], s["floor_s"], unit="s", goal=1.3, ratio=s["ratio"]))
        if "library" in s:
            lib = s["library"]
            rows.append(row("startup-library", f"the same, the article in a library of {lib['articles']:,} articles / 200,000 sentences (floor: bare app, same text)",
                            lib["reader_s"], lib["floor_s"], unit="s", goal=1.3, ratio=lib["ratio"]))
        rows.append(row("startup-first-open-text", "first open of an article not yet imported: text shown (floor: the bare Textual app)",
                        s["first_open_text_s"], s["floor_s"], unit="s", ratio=s["first_open_text_ratio"]))
        rows.append(row("startup-first-open-entities", "first open of an article not yet imported: entities shown (spaCy loads and parses)",
                        s["first_open_entities_s"], s["floor_s"], unit="s"))
    p = results.get("keys_pilot")
    if p and "error" not in p:
        for kind, name in (("move", "cursor move `j`"), ("label", "label `1`/`2`/`3`")):
            rows.append(row(f"pilot-{kind}-5000", f"Pilot, {name}, key to repaint: 5,000 sentences (floor: 40)",
                            p["5000"][f"{kind}_ms"], p["40"][f"{kind}_ms"], unit="ms/key", goal=1.5))
            rows.append(row(f"pilot-{kind}-1000", f"Pilot, {name}, key to repaint: 1,000 sentences (floor: 40)",
                            p["1000"][f"{kind}_ms"], p["40"][f"{kind}_ms"], unit="ms/key"))
    t = results.get("keys_tmux")
    if t and "error" not in t:
        k = str(keypress.LIKE_FOR_LIKE)
        for kind, name in (("move", "39 `j`"), ("label", "39 labels")):
            rows.append(row(f"tmux-{kind}-5000", f"tmux, {name} in one burst until the status bar shows it: 5,000 sentences (floor: 40)",
                            t["5000"][k][f"{kind}_ms"], t["40"][k][f"{kind}_ms"], unit="ms/key", goal=1.5))
            rows.append(row(f"tmux-{kind}-1000", f"tmux, {name} in one burst: 1,000 sentences (floor: 40)",
                            t["1000"][k][f"{kind}_ms"], t["40"][k][f"{kind}_ms"], unit="ms/key"))
        b = str(keypress.BURST)
        for n in ("1000", "5000"):
            if b in t[n]:
                rows.append(row(f"tmux-100j-{n}", f"tmux, 100 `j` until `sentence 101/N`: {int(n):,} sentences (floor: 40, 39 keys)",
                                t[n][b]["move_ms"], t["40"][k]["move_ms"], unit="ms/key"))
        rows.append(row("rss-5000", "peak RSS, 5,000-sentence article open (floor: 40-sentence article)",
                        t["5000"]["peak_rss_mb"], t["40"]["peak_rss_mb"], unit="MB"))
    i = results.get("ingest")
    if i and "error" not in i and "skipped" not in i:
        rows.append(row("ingest", f"`reader import` of {i['articles']} GUM news articles (floor: bare spaCy nlp.pipe, same model)",
                        i["reader_s"], i["floor_s"], unit="s", goal=1.3))
        rows.append(row("ingest-jobs2", "`reader import --jobs 2` (floor: `--jobs 1`); ratio = speed-up, above 1 is faster",
                        i["reader_jobs2_s"], i["reader_s"], unit="s", ratio=i["reader_s"] / i["reader_jobs2_s"]))
    e = results.get("export")
    if e and "error" not in e and "skipped" not in e:
        rows.append(row("export", "`reader export -o` of 200,000 labelled sentences (floor: sqlite3 cursor + json.dumps)",
                        e["reader_s"], e["floor_s"], unit="s", goal=2.0))
        rows.append(row("export-rss", "peak RSS of that export (floor: the same export of 20,000)",
                        e["reader_rss_mb"], e["reader_small_rss_mb"], unit="MB", goal=1.2))
        if "long_article" in e:
            la = e["long_article"]
            rows.append(row("export-long-article", f"`reader export -o` of one article with {la['sentences']:,} labelled sentences, "
                            f"{la['entities']:,} entities (floor: the same)", la["reader_s"], la["floor_s"], unit="s", goal=2.0))
    lw = results.get("labels")
    if lw and "error" not in lw:
        rows.append(row("label-write-median", f"label keypress to committed row, median of {lw['presses']} (Store.set_label alone)",
                        lw["median_ms"], lw["set_label_median_ms"], unit="ms", divide=False))
        rows.append(row("label-write-p99", "label keypress to committed row, p99 (Store.set_label alone)",
                        lw["p99_ms"], lw["set_label_p99_ms"], unit="ms", divide=False))
    tr = results.get("train")
    if tr and "error" not in tr and "skipped" not in tr:
        rows.append(row("train", f"`reader train --no-refresh` on {tr['labels']} GUM gold labels in {tr['articles']} articles "
                        f"(floor: spaCy parse + learn.choose, both ways cross-validated in {tr['folds']} folds, + learn.fit, no reader store)",
                        tr["reader_s"], tr["floor_s"], unit="s", goal=1.3))
        rows.append(row("train-inside", "the same, the seconds `reader train` reports (floor: the floor's own, after start-up)",
                        tr["reader_inside_s"], tr["floor_inside_s"], unit="s"))
    rk = results.get("retrain_keys")
    if rk and "error" not in rk:
        rows.append(row("retrain-keys-started", f"tmux, {rk['keys']} labels in one burst, a retrain just started in the background "
                        "(floor: the same burst, idle)", rk["started_ms"], rk["idle_ms"], unit="ms/key", goal=1.5))
        rows.append(row("retrain-keys-under-way", f"tmux, {rk['keys']} labels in one burst, a retrain under way (3 s of its CPU used) "
                        "(floor: idle)", rk["under_way_ms"], rk["idle_ms"], unit="ms/key", goal=1.5))
    rf = results.get("refresh")
    if rf and "error" not in rf:
        rows.append(row("refresh", f"`reader _work suggest` with a kept model, {rf['sentences']:,}-sentence article: "
                        f"{rf['reader_sentences_per_s']:.0f} sentences/s (floor: bare spaCy nlp.pipe of its paragraphs, "
                        f"{rf['floor_sentences_per_s']:.0f}/s)", rf["reader_s"], rf["floor_s"], unit="s"))
    rn = results.get("refine")
    if rn and "error" not in rn:
        rows.append(row("refine", f"`reader _work refine`, the sentence encoder over {rn['sentences']:,} stored sentences: "
                        f"{rn['reader_sentences_per_s']:.0f} sentences/s (floor: bare spaCy nlp.pipe of their paragraphs, "
                        f"{rn['floor_sentences_per_s']:.0f}/s)", rn["reader_s"], rn["floor_s"], unit="s"))
    cs = results.get("commitments_screen")
    if cs and "error" not in cs:
        rows.append(row("commitments-screen", f"start-up to first paint of the commitments screen, {cs['commitments']:,} commitments "
                        f"in {cs['articles']:,} articles (floor: the library screen, same library)",
                        cs["reader_s"], cs["floor_s"], unit="s", goal=1.5))
    u = results.get("undo")
    if u and "error" not in u:
        small, large = u[str(undo.SMALL)], u[str(undo.LARGE)]
        rows.append(row("undo-article", f"Pilot, article screen, `u`/`U` key handled: {undo.LARGE:,} events (floor: {undo.SMALL:,})",
                        large["article_ms"], small["article_ms"], unit="ms/key", goal=1.5))
        if "tmux_ms" in large:
            rows.append(row("undo-tmux", f"tmux, {undo.BURST} `u` then {undo.BURST} `U` in a burst each, per key: {undo.LARGE:,} events "
                            f"(floor: {undo.SMALL:,})", large["tmux_ms"], small["tmux_ms"], unit="ms/key", goal=1.5))
        rows.append(row("undo-commitments", f"commitments screen's undo/redo step (every article's stack): {undo.LARGE:,} events "
                        f"(floor: {undo.SMALL:,})", large["tracker_ms"], small["tracker_ms"], unit="ms", goal=1.5))
        rows.append(row("undo-first", f"the first undo of a view, which builds its kept stacks once: {undo.LARGE:,} events "
                        f"(floor: {undo.SMALL:,})", large["article_first_ms"], small["article_first_ms"], unit="ms"))
        rows.append(row("undo-replay", f"what each keypress cost before: a replay of every article's log, {undo.LARGE:,} events "
                        f"(floor: {undo.SMALL:,})", large["replay_every_ms"], small["replay_every_ms"], unit="ms"))
    tm = results.get("team")
    if tm and "error" not in tm:
        a = tm["agreement"]
        rows.append(row("agreement", "`reader agreement --json` on 200,000 labels by 3 annotators, whole process "
                        "(floor: a process reading the same rows)", a["reader_s"], a["floor_s"], unit="s", goal=3.0))
        rows.append(row("agreement-in-process", "the same in process, imports aside (floor: the same read)",
                        a["in_process_s"], a["in_process_floor_s"], unit="s"))
        events = tm["merge"]["events"]
        for key, where in (("into_articles", "into a database holding the articles"), ("into_empty", "into an empty database")):
            m = tm["merge"][key]
            rows.append(row(f"merge-{key.replace('_', '-')}", f"`reader merge` of {events:,} events {where}, whole process "
                            "(floor: bare SQL reading and inserting the same rows)", m["reader_s"], m["write_floor_s"], unit="s", goal=2.0))
            rows.append(row(f"merge-{key.replace('_', '-')}-read", "the same against a process that only reads those rows",
                            m["reader_s"], m["floor_s"], unit="s"))
    return rows


def results_page(record: dict) -> str:
    """benchmarks/RESULTS.md: the saved run's table, each row with the date it was measured."""
    m = record["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks`) with every saved run: do not edit it by hand.",
        "What each row measures and what its floor is: [README.md](README.md).",
        "",
        f"Last run {record['date']}: parts {', '.join(record['parts'])}; {record['reps']} repetitions, medians; "
        f"{m['nproc']} cores ({m['cpu']}), {m['memory']}, Python {m['python']}, Textual {m['textual']}, spaCy {m['spacy']}, "
        f"SQLite {m['sqlite']}; reader at {m.get('commit', '?')}; load average {m['loadavg_before']} before, "
        f"{m['loadavg_after']} after. A row of a part that run did not include keeps the date it was measured.",
        "",
        "| what | reader | floor | ratio | goal | | measured |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in record["rows"]:
        unit = "ms" if r["unit"].startswith("ms") else r["unit"]
        ok = "" if r["ok"] is None else ("✅" if r["ok"] else "❌ missed")
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "–"
        goal = f"≤ {r['goal']}×" if r["goal"] is not None else ""
        lines.append(f"| {r['what']} | {fmt(r['reader'], unit)} | {fmt(r['floor'], unit)} | {ratio} | {goal} | {ok} | "
                     f"{r['date'][:10] if r.get('date') else 'an earlier run'} |")
    return "\n".join(lines) + "\n"


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit in ("MB",):
        return f"{value:.0f} {unit}"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.2f} {unit}".strip()


def table(rows: list[dict], previous: dict[str, dict]) -> str:
    lines = [
        "| what | reader | floor | ratio | goal | | last run | change |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        unit = "ms" if r["unit"].startswith("ms") else r["unit"]
        before = previous.get(r["id"])
        # Compare the ratio where there is one (it survives a busier machine better), else the value.
        key = "ratio" if r["ratio"] is not None else "reader"
        now, then = r.get(key), before.get(key) if before else None
        if now is not None and then:
            last = f"{then:.2f}×" if key == "ratio" else fmt(then, unit)
            change = f"{100 * (now - then) / then:+.0f}%"
            worse = (now - then) / then * (-1 if r["id"] == "ingest-jobs2" else 1)  # a speed-up: higher is better
            if worse > REGRESSION:
                change += " ⚠ worse"
        else:
            last, change = "–", "new"
        ok = "" if r["ok"] is None else ("✅" if r["ok"] else "❌ missed")
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "–"
        goal = f"≤ {r['goal']}×" if r["goal"] is not None else ""
        lines.append(f"| {r['what']} | {fmt(r['reader'], unit)} | {fmt(r['floor'], unit)} | {ratio} | {goal} | {ok} | {last} | {change} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5, help="repetitions per figure (at least 5 for the record)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument("--no-save", action="store_true", help="do not overwrite benchmarks/last-run.json")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (databases, outputs)")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    if args.reps < 5:
        say(f"note: --reps {args.reps} is below 5; fine for a try, not for the record")

    previous_run = json.loads(LAST_RUN.read_text()) if LAST_RUN.exists() else None
    previous = {r["id"]: r for r in previous_run["rows"]} if previous_run else {}

    began = time.monotonic()
    info = machine()
    info["loadavg_before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    say(f"machine: {info['nproc']} cores, {info['cpu']}, Python {info['python']}, load {info['loadavg_before']}")
    work = Path(tempfile.mkdtemp(prefix="reader-bench-"))
    results: dict = {}
    tmux = None
    try:
        articles = None
        if set(parts) - {"team"}:  # the team part builds its own databases
            say("generating and importing the 40-, 1,000- and 5,000-sentence articles (real spaCy parse)")
            articles = fixtures.build(work)
            results["articles"] = {"sentences": articles.sentences, "entities": articles.entities}

        def attempt(name: str, action) -> None:
            say(f"{name}:")
            started = time.monotonic()
            try:
                results[name] = action()
            except Exception as exc:  # one broken part should not cost the others
                traceback.print_exc()
                results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            say(f"  ({time.monotonic() - started:.0f} s)")

        dbs: dict = {}
        if {"startup", "export"} & set(parts):
            say("building the 20,000- and 200,000-sentence libraries (Store API, generated parses)")
            dbs = export.libraries(work)
        if {"startup", "keys", "retrain-keys", "commitments-screen", "undo"} & set(parts):
            tmux = Tmux()
        if "startup" in parts:
            attempt("startup", lambda: startup.run(articles, tmux, args.reps, dbs.get(export.LARGE)))
        if "keys" in parts:
            attempt("keys_pilot", lambda: {str(k): v for k, v in keypress.pilot(articles, args.reps).items()})
            attempt("keys_tmux", lambda: {str(n): {str(k): v for k, v in r.items()} for n, r in keypress.terminal(articles, tmux, args.reps).items()})
        if "ingest" in parts:
            attempt("ingest", lambda: ingest.run(articles, args.reps))
        if "export" in parts:
            attempt("export", lambda: export.run(articles, args.reps, dbs))
        if "labels" in parts:
            attempt("labels", lambda: label_write.run(articles))
        if "train" in parts:
            attempt("train", lambda: train.run(articles, args.reps))
        if "retrain-keys" in parts:
            attempt("retrain_keys", lambda: retrain_keys.run(articles, tmux, args.reps))
        if "refresh" in parts:
            attempt("refresh", lambda: refresh.run(articles, args.reps))
        if "refine" in parts:
            attempt("refine", lambda: refine.run(articles, args.reps))
        if "undo" in parts:
            attempt("undo", lambda: undo.run(articles, args.reps, tmux))
        if "commitments-screen" in parts:
            attempt("commitments_screen", lambda: commitments_screen.run(articles, tmux, args.reps))
        if "team" in parts:
            attempt("team", lambda: team.run(args.reps, work / "team"))
    finally:
        if tmux is not None:
            tmux.close()
        if args.keep:
            say(f"scratch kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    info["loadavg_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    info["minutes"] = f"{(time.monotonic() - began) / 60:.1f}"
    rows = rows_of(results)
    print()
    print(f"reader benchmarks, {time.strftime('%Y-%m-%d %H:%M')}: {info['nproc']} cores ({info['cpu']}), Python {info['python']}, "
          f"Textual {info['textual']}, spaCy {info['spacy']}, SQLite {info['sqlite']}, {args.reps} repetitions, medians; "
          f"load average {info['loadavg_before']} before, {info['loadavg_after']} after; {info['minutes']} min")
    if previous_run:
        other = previous_run.get("machine", {})
        same = (other.get("cpu"), other.get("nproc")) == (info["cpu"], info["nproc"])
        print(f"last run: {previous_run.get('date', '?')}" + ("" if same else f" on another machine ({other.get('nproc')} cores, {other.get('cpu')})"))
    print()
    print(table(rows, previous))
    for name, part in results.items():
        if isinstance(part, dict) and ("skipped" in part or "error" in part):
            print(f"\n{name}: {part.get('skipped') or part.get('error')}")
    for part in (results.get("export", {}), results.get("export", {}).get("long_article", {})):
        if isinstance(part, dict) and part.get("records_differ"):
            print(f"\nnote: export floor and reader records differ: {part['records_differ']}")
    if (results.get("train") or {}).get("floor_differs"):
        print(f"\nnote: the train floor did not do the same training: {results['train']['floor_differs']}")
    if (results.get("retrain_keys") or {}).get("note"):
        print(f"\nnote: retrain-keys: {results['retrain_keys']['note']}")
    missed = [r for r in rows if r["ok"] is False]
    if missed:
        print(f"\n{len(missed)} goal(s) missed: " + "; ".join(f"{r['id']} {r['ratio']:.2f}× > {r['goal']}×" for r in missed))
    if not args.no_save and not any("error" in p for p in results.values() if isinstance(p, dict)):
        date = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        rows = [{**r, "date": date} for r in rows]
        record = {"date": date, "reps": args.reps, "parts": parts, "machine": info, "rows": rows, "results": results}
        if previous_run and set(parts) != set(PARTS):
            # A partial run keeps the previous figures of the parts it did not run.
            kept = [r for r in previous_run["rows"] if r["id"] not in {x["id"] for x in rows} | RETIRED]
            record["rows"] = rows + kept
        LAST_RUN.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        RESULTS.write_text(results_page(record), encoding="utf-8")
        print(f"\nsaved to {LAST_RUN.relative_to(BENCH.parent)} and {RESULTS.relative_to(BENCH.parent)}")
    # Missed goals are reported above; only a part that could not run fails the command.
    return 1 if any("error" in p for p in results.values() if isinstance(p, dict)) else 0


if __name__ == "__main__":
    sys.exit(main())
