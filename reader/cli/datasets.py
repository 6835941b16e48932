"""Commands about datasets: export, stats, backup."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from reader.cli import Options, ReaderError, cli, open_store, output_console, resolve_articles, shared
from reader.model import SKIPPED
from reader.resolve import HOW
from reader.wording import counted


SPREADSHEETS = (".xlsx", ".xls", ".xlsm", ".ods", ".numbers", ".tsv")


@cli.command("export")
@shared("db_path", "labels_spec", "config_path")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "prodigy", "spacy", "csv", "commitments"]), default="jsonl", show_default=True, help="jsonl, Prodigy's textcat records, a spaCy DocBin, CSV, or the commitment register (unset: csv or spacy for an output named .csv or .spacy).")
@click.option("--csv", "as_csv", is_flag=True, help="With --format commitments: CSV instead of JSONL (also chosen by a .csv output name).")
@click.option("--unit", type=click.Choice(["sentence", "article"]), default="sentence", show_default=True, help="One record per labelled sentence, or per article (jsonl only).")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for stdout.")
@click.option("--label", "labels", multiple=True, help="Only sentences with this label (repeatable).")
@click.option("--by", "annotators", multiple=True, metavar="NAME", help="Only this annotator's labels (repeatable).")
@click.option("--annotator", "old_annotators", multiple=True, hidden=True, help="Deprecated: use --by.")
@click.option("--article", "articles", multiple=True, help="Only this article (id or unique id prefix; repeatable).")
@click.option("--all", "include_all", is_flag=True, help='Also unlabelled sentences, with "label": null.')
@click.option("--context", type=click.IntRange(0, 50), default=0, help="Add N sentences before and after each one.")
@click.option("--resolve", type=click.Choice(HOW), help="One record per sentence when several annotators labelled it.")
@click.option("--suggestions", is_flag=True, help="Add each sentence's stored suggestion (with --all, unlabelled sentences too).")
@click.option("--overdue", is_flag=True, help="With --format commitments: only open ones whose deadline has passed.")
@click.option("--due", "due_days", type=click.IntRange(0), metavar="DAYS", help="With --format commitments: only open ones due in the next DAYS days.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, as_csv: bool, unit: str, output: str, labels: tuple[str, ...], annotators: tuple[str, ...], old_annotators: tuple[str, ...], articles: tuple[str, ...], include_all: bool, context: int, resolve: str | None, suggestions: bool, overdue: bool, due_days: int | None, force: bool, **given: Any) -> None:
    """Export labelled sentences as a dataset (JSONL by default, one sentence per line)."""
    from reader.export import Selection, export

    opts = Options.of(ctx, given)
    if ctx.get_parameter_source("fmt") is click.core.ParameterSource.DEFAULT:
        # `-o labels.csv` means CSV, as it does for the register: JSON lines there read as garbage
        fmt = {".csv": "csv", ".spacy": "spacy"}.get(Path(output).suffix.lower(), fmt)
    if Path(output).suffix.lower() in SPREADSHEETS and not (as_csv or fmt == "csv"):
        # written as JSON lines, `-o labels.xlsx` gave a file no spreadsheet program opens
        raise ReaderError(f"{output}: reader writes no {Path(output).suffix} file; -o {Path(output).stem}.csv writes CSV, which spreadsheets open")
    if fmt == "commitments":  # the register is everyone's: no annotator filter
        unused = [name for name, value in (("--label", labels), ("--by", annotators), ("--context", context),
                                           ("--resolve", resolve), ("--suggestions", suggestions), ("--unit", unit != "sentence")) if value]
        if unused:  # taken silently, it gave the whole register to one who asked for a part of it
            raise ReaderError(f"{unused[0]} does not go with --format commitments: the register holds every commitment, resolved as --resolve reviewed")
        _export_commitments(opts, output, as_csv or output.lower().endswith(".csv"), articles, force, overdue, due_days)
        return
    if opts.annotator_typed and not old_annotators:
        old_annotators = (opts.annotator or "",)  # `reader --annotator A export`: the same as after
    if old_annotators:
        # --annotator names who you are everywhere else; as a filter here it is on its way out
        click.echo("reader: note: on export, --annotator as a filter is deprecated: use --by NAME", err=True)
        annotators = (*annotators, *old_annotators)
    if overdue or due_days is not None:
        raise ReaderError(f"--{'overdue' if overdue else 'due'} goes with --format commitments")
    if as_csv:
        raise ReaderError("--csv goes with --format commitments; for sentences use --format csv")
    if unit == "article" and fmt != "jsonl":
        raise ReaderError(f"--unit article is written as jsonl only, not {fmt}")
    if fmt == "spacy" and output in ("-", ""):
        raise ReaderError("--format spacy writes a binary DocBin: give a file with -o, e.g. -o train.spacy")
    if include_all and fmt == "spacy":
        raise ReaderError("--all does not go with --format spacy: a training file holds labelled sentences only")
    if context and fmt in ("prodigy", "spacy"):
        raise ReaderError(f"--context is not part of the {fmt} format: use --format jsonl or csv for context")
    if suggestions and fmt in ("prodigy", "spacy"):  # taken silently, it wrote a file without them
        raise ReaderError(f"--suggestions is not part of the {fmt} format: use --format jsonl or csv for the stored suggestions")
    label_set = opts.label_set()
    with open_store(opts.db_path, readonly=True) as store:  # bad options are said before the work, not after it
        _check_output(output, store.path, force)
        if SKIPPED in labels:  # it was offered as a known label, and gave an empty file
            raise ReaderError(f"--label {SKIPPED!r}: a skip is no label and exports leave skipped sentences out; "
                              "--all adds them, marked \"skipped\": true")
        known = (set(label_set.names) | set(store.label_counts())) - {SKIPPED}
        unknown = [label for label in labels if label not in known]
        if unknown:
            raise ReaderError(f"unknown label {unknown[0]!r} (known: {', '.join(sorted(known))})")
        ids = resolve_articles(store, articles) if articles else None
    if suggestions and label_set.is_default:
        from reader.cli.learning import refine_stored

        # what the background job has not refined yet (all of it, straight after `reader import`)
        refine_stored(opts.db_path, "refining the suggestions of {count} sentences with the sentence encoder first", ids)
    with open_store(opts.db_path, readonly=True) as store:
        _check_output(output, store.path, force)
        selection = Selection(
            labels=frozenset(labels),
            annotators=frozenset(annotators),
            include_unlabelled=include_all,
            context=context,
            resolve=resolve,
            label_names=label_set.names,
            suggestions=suggestions,
            within_label_set=fmt in ("prodigy", "spacy"),
        )
        outside = store.labels_outside(label_set.names)
        if outside:
            fate = f"left out of this {fmt} file" if fmt in ("prodigy", "spacy") else "exported as they are"
            click.echo(f"reader: note: {counted(outside, 'label')} {'is' if outside == 1 else 'are'} not in the label set ({label_set.key}): {fate}", err=True)
        dataset = store.dataset(ids, suggestions=label_set.key if suggestions else None)
        _written(lambda: export(dataset, fmt=fmt, unit=unit, selection=selection, output=output), output, f"{unit}s")
        if resolve is None:
            _say_conflicts(store, label_set.names if fmt in ("prodigy", "spacy") else None, frozenset(annotators), ids)
        if suggestions:
            _say_unsuggested(store, label_set, ids)


def _say_unsuggested(store: Any, label_set: Any, ids: list[str] | None) -> None:
    """Import stores only the cold start's suggestions (none for a label set of one's own), and a
    kept model refreshes only the articles being worked on: say how many exported articles lack
    the current suggester's, rather than let `"suggestion": null` or an older one pass for it."""
    current, lacking = store.lacking_current(label_set.key)
    if ids is not None:
        wanted = set(ids)
        lacking = [a for a in lacking if a in wanted]
    if not lacking:
        return
    articles = counted(len(lacking), "article")
    if current is not None:
        click.echo(f"reader: note: {articles} {'has' if len(lacking) == 1 else 'have'} no suggestions of the model in use "
                   f"({current.id}) yet: `reader refresh` stores them (so does opening {'it' if len(lacking) == 1 else 'them'} in the reader)", err=True)
    elif not label_set.is_default:
        click.echo(f"reader: note: {articles} {'has' if len(lacking) == 1 else 'have'} no suggestions: the label set "
                   f"{label_set.key} gets them once `reader train` keeps a model for it", err=True)
    else:
        click.echo(f"reader: note: {articles} {'has' if len(lacking) == 1 else 'have'} no suggestions yet: "
                   "`reader refresh` stores them", err=True)


def _say_conflicts(store: Any, names: tuple[str, ...] | None, annotators: frozenset[str], ids: list[str] | None) -> None:
    """An export without --resolve writes one record per annotator: say so when they disagree."""
    conflicting, reviewed = store.conflicts(names, annotators, ids)
    if conflicting:
        settled = f" ({reviewed} decided by a reviewer)" if reviewed else ""
        sentences = "1 sentence carries" if conflicting == 1 else f"{conflicting} sentences carry"
        click.echo(f"reader: note: {sentences} conflicting labels from several annotators{settled}, "
                   "each annotator's as a record of its own; --resolve reviewed writes one per sentence", err=True)


def _written(write: Any, output: str, what: str) -> None:
    """Write an export, turning a failure to write into one line; say what went where."""
    try:
        count = write()
    except BrokenPipeError:
        raise  # the reader of our output went away: main() treats it as done
    except OSError as exc:
        raise ReaderError(f"cannot write {output}: {exc.strerror or exc}") from None
    if output not in ("-", None):
        click.echo(f"exported {count} {what} to {output}", err=True)


def _check_output(output: str, database: Path, force: bool) -> None:
    """Refuse an output over a database, or over an existing file unless --force."""
    if output in ("-", ""):
        return
    from reader.store import guard_export

    guard_export(Path(output), database)
    if Path(output).is_file() and not force:
        raise ReaderError(f"{output} exists: pass --force to replace it")


def _export_commitments(opts: Options, output: str, as_csv: bool, articles: tuple[str, ...], force: bool, overdue: bool = False, due_days: int | None = None) -> None:
    """The commitment register as JSONL or CSV, extracting first what has not been read yet."""
    from reader import tracker
    from reader.export import write_commitments

    with open_store(opts.db_path, readonly=True) as store:
        _check_output(output, store.path, force)
        ids = set(resolve_articles(store, articles)) if articles else None
    from reader.cli.learning import refine_stored

    # a sentence the encoder makes a commitment is in the register: refine first, then extract
    refine_stored(opts.db_path, "refining the suggestions of {count} sentences with the sentence encoder first",
                  sorted(ids) if ids is not None else None)
    with open_store(opts.db_path, readonly=True) as store:
        missing = store.needing_extraction()
        writable = os.access(store.path, os.W_OK) and os.access(store.path.parent, os.W_OK)
    if missing and not writable:
        # reading what is stored needs no write; only reading new commitment sentences does
        click.echo(f"reader: note: the database is read-only, so {sum(map(len, missing.values()))} commitment sentences not read yet "
                   "are left out of the register", err=True)
    elif missing:
        from reader import nlp

        with open_store(opts.db_path) as store:
            tracker.extract_missing(store, nlp.load(opts.model))
    with open_store(opts.db_path, readonly=True) as store:
        on = tracker.today()
        items = [c for c in store.register() if (ids is None or c.article_id in ids)
                 and (not (overdue or due_days is not None)  # both given: either
                      or (overdue and tracker.overdue(c, on)) or (due_days is not None and tracker.due(c, on, due_days)))]
        _written(lambda: write_commitments(tracker.records(items), output, as_csv=as_csv), output, "commitments")


STATS_ARTICLES = 50  # the per-article rows `reader stats` prints


@cli.command("stats")
@shared("db_path", "annotator", "labels_spec", "config_path")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON, for scripts.")
@click.pass_context
def stats_command(ctx: click.Context, as_json: bool, **given: Any) -> None:
    """Your progress, counts per label, per annotator and per article, and how suggestions fared."""
    import json

    from rich.table import Table
    from rich.text import Text

    opts = Options.of(ctx, given)
    annotator = opts.who()
    with open_store(opts.db_path, readonly=True) as store:
        # A terminal gets the first articles, not a table of a whole archive; --json has them all.
        stats = store.stats(annotator, articles=None if as_json else STATS_ARTICLES)
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    console = output_console()
    mine = stats["labelled"]
    line = f"{annotator}: {mine}/{stats['sentences']} sentences labelled in {stats['articles']} articles"
    if stats["skipped"]:
        line += f" ({stats['skipped']} skipped)"
    console.print(Text(line, style="bold"))
    team = stats["team"]
    if team["annotators"] > 1:
        console.print(Text(
            f"all {team['annotators']} annotators together: {team['labelled']} sentences labelled by at least one; "
            f"{team['labels']} labels in all (one per annotator and sentence)", style="dim"))
        people = Table("annotator", "labelled", "skipped", title=f"the team ({team['annotators']} annotators)")
        for name, row in team["progress"].items():
            people.add_row(Text(name), str(row["labelled"]), str(row["skipped"]))
        console.print(people)
        console.print(Text(
            f"reviews: {team['decided']} of {team['disagreements']} disagreements decided by a reviewer "
            f"({team['reviewed']} decision{'' if team['reviewed'] == 1 else 's'} in all)", style="bold"))
    labels = Table("label", "sentences", title=f"per label ({annotator})")
    for label, count in stats["labels"].items():
        labels.add_row(Text(label), str(count))
    console.print(labels)
    people = Table("annotator", "label", "sentences", title="per annotator (every annotator)")
    for name, counts in stats["annotators"].items():
        for label, count in counts.items():
            people.add_row(Text(name), Text(label), str(count))
    console.print(people)
    several = team["annotators"] > 1
    cut = stats["articles"] > len(stats["per_article"])
    title = f"per article (the first {len(stats['per_article'])} imported of {stats['articles']})" if cut else "per article"
    articles = Table("id", "title", f"labelled by {annotator}", *(["labelled by anyone"] if several else []), "sentences", title=title)
    for row in stats["per_article"]:
        articles.add_row(Text(row["id"][:12]), Text(row["title"] or "", no_wrap=True, overflow="ellipsis"), str(row["labelled"]),
                         *([str(row["team_labelled"])] if several else []), str(row["sentences"]))
    console.print(articles)
    if cut:
        console.print(Text(f"{stats['articles'] - len(stats['per_article'])} more articles: reader stats --json lists every one", style="dim"))
    fared = stats["suggestions"]
    if fared["shown"]:
        console.print(Text(
            f"suggestions: {fared['shown']} labels given with a suggestion on screen; {fared['accepted']} agreed with it "
            f"({fared['acceptance']:.0%}), {fared['accepted_with_enter']} by accepting it; {fared['overridden']} overrode it",
            style="bold"))
        table = Table("suggested", "labels given", "kept", "overridden", "overridden as", title="how each suggestion fared")
        for label, row in fared["per_label"].items():
            table.add_row(Text(label), str(row["shown"]), str(row["accepted"]), str(row["overridden"]),
                          Text(", ".join(f"{k} {v}" for k, v in row["overridden_as"].items())))
        console.print(table)


@cli.command("backup")
@click.argument("target", type=click.Path(path_type=Path))
@shared("db_path")
@click.option("--force", is_flag=True, help="Replace an earlier backup at TARGET.")
@click.pass_context
def backup_command(ctx: click.Context, target: Path, force: bool, **given: Any) -> None:
    """Copy the database to TARGET (a file, or a folder) safely, even while reader is running on it."""
    opts = Options.of(ctx, given)
    with open_store(opts.db_path, readonly=True) as store:
        written = store.backup(target, force=force)
    click.echo(f"backed up {store.path} to {written}", err=True)
