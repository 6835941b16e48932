"""Commands for a team: agreement, review, merge, assign."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from reader.cli import EXIT_OK, EXIT_SOME_FAILED, Options, ReaderError, cli, open_store, output_console, resolve_articles, say_error, served, shared
from reader.wording import counted


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


@cli.command("agreement")
@shared("db_path", "labels_spec", "config_path")
@click.option("--article", "articles", multiple=True, help="Only this article (id or unique id prefix; repeatable).")
@click.option("--label", "labels", multiple=True, help="Only sentences someone gave this label (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object, for scripts.")
@click.pass_context
def agreement_command(ctx: click.Context, articles: tuple[str, ...], labels: tuple[str, ...], as_json: bool, **given: Any) -> None:
    """How far annotators agree: Cohen's kappa per pair, Krippendorff's alpha, per label and article."""
    from reader.team.agreement import AgreementError, measure

    opts = Options.of(ctx, given)
    label_set = opts.label_set()
    unknown = [label for label in labels if label not in label_set.names]
    if unknown:
        raise ReaderError(f"--label {unknown[0]!r} is not in the label set ({label_set.key}); give another set with --labels")
    with open_store(opts.db_path, readonly=True) as store:
        ids = resolve_articles(store, articles) if articles else None
        order = store.article_order()
        votes = store.votes(ids)
    try:
        result = measure(votes, label_set.names, only=frozenset(labels), titles={k: v[1] for k, v in order.items()},
                         order={k: v[0] for k, v in order.items()})
    except AgreementError as exc:
        raise ReaderError(str(exc)) from None
    if result.outside:
        counted = ", ".join(f"{name} {n}" for name, n in result.outside.items())
        click.echo(f"reader: note: labels outside the label set ({label_set.key}) are not counted: {counted}", err=True)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    _print_agreement(result)


def _print_agreement(result: Any) -> None:
    from rich.table import Table
    from rich.text import Text

    console = output_console()
    console.print(Text(
        f"{len(result.annotators)} annotators ({', '.join(result.annotators)}) on {result.sentences} sentences "
        f"labelled by two or more · Krippendorff's alpha (nominal) {_figure(result.alpha)}", style="bold"))
    pairs = Table("a", "b", "sentences both labelled", "observed agreement", "Cohen's kappa", title="pairs")
    for p in result.pairs:
        pairs.add_row(Text(p.a), Text(p.b), str(p.sentences), _figure(p.observed), _figure(p.kappa))
    console.print(pairs)
    per_label = Table("label", "votes", "matched by another annotator", title="per label")
    for name, row in result.per_label.items():
        per_label.add_row(Text(name), str(row["votes"]), _figure(row["agreement"]))
    console.print(per_label)
    for p in result.pairs:
        if not p.sentences:
            continue
        table = Table(title=f"who said what: {p.a} (rows) and {p.b} (columns)")
        for heading in (f"{p.a} ↓ {p.b} →", *result.labels):
            table.add_column(Text(heading))
        for name, row in p.confusion.items():
            table.add_row(Text(name), *[Text(str(n), style="bold" if name == other else "") for other, n in row.items()])
        console.print(table)
    articles = Table("id", "title", "sentences", "observed", "alpha", title="per article, lowest agreement first")
    for a in result.articles:
        articles.add_row(Text(a.id[:12]), Text(a.title, no_wrap=True, overflow="ellipsis"), str(a.sentences), _figure(a.observed), _figure(a.alpha))
    console.print(articles)
    if result.skipped:
        console.print(Text(f"{counted(result.skipped, 'skipped sentence')} {'is' if result.skipped == 1 else 'are'} not {'a vote' if result.skipped == 1 else 'votes'}", style="dim"))


@cli.command("review")
@shared("db_path", "annotator", "labels_spec", "config_path")
@click.option("--article", "articles", multiple=True, help="Only this article (id or unique id prefix; repeatable).")
@click.pass_context
def review_command(ctx: click.Context, articles: tuple[str, ...], **given: Any) -> None:
    """Settle what annotators labelled differently; your decisions are stored as reviews."""
    from reader.team.review import Review

    opts = Options.of(ctx, given)
    settings = opts.settings()
    label_set = opts.label_set()
    reviewer = opts.who()
    with open_store(opts.db_path, readonly=True) as store:
        ids = resolve_articles(store, articles) if articles else []
        queue = Review(store, reviewer, label_set, ids or None)
        queue.load()
    if not queue.articles():
        where = "these articles" if ids else "the database"
        raise ReaderError(f"nothing to review: no sentence in {where} has labels of the label set ({label_set.key}) from two annotators")
    if not served() and (not sys.stdout.isatty() or not sys.stdin.isatty()):
        raise ReaderError("the review screen needs a terminal; `reader agreement` and `reader export --resolve reviewed` work in scripts")
    from reader.tui.app import run

    store = open_store(opts.db_path)
    run(store, labels=label_set, annotator=reviewer, article_id=None, model=opts.model, keymap=settings.keymap,
        retrain_every=settings.retrain_every, theme=settings.theme, review=tuple(ids))
    sys.exit(EXIT_OK)


@cli.command("assign")
@shared("db_path", "config_path")
@click.option("--annotators", "names", metavar="A,B,C", help="Who the articles go to, separated by commas.")
@click.option("--overlap", type=float, default=0.2, show_default=True, help="Share of the articles that go to two annotators.")
@click.option("--article", "articles", multiple=True, help="Only this article (id or unique id prefix; repeatable; default: all).")
@click.option("--seed", type=int, default=0, show_default=True, help="Another seed gives another (equally fair) assignment.")
@click.option("--replace", is_flag=True, help="Share out again articles that are assigned already.")
@click.option("--list", "listing", is_flag=True, help="List the assignments and each annotator's progress on them.")
@click.option("--json", "as_json", is_flag=True, help="With --list: JSON, for scripts.")
@click.pass_context
def assign_command(ctx: click.Context, names: str | None, overlap: float, articles: tuple[str, ...], seed: int, replace: bool, listing: bool, as_json: bool, **given: Any) -> None:
    """Share articles out among annotators, some to two of them so agreement can be measured."""
    from reader.team.assignments import AssignError, check, parse_annotators, share_out

    opts = Options.of(ctx, given)
    if listing:
        if names or articles or replace:
            raise ReaderError("--list shows the assignments; give --annotators, --article or --replace without it")
        _list_assignments(opts, as_json)
        return
    if not names:
        raise ReaderError("reader assign needs --annotators a,b,c (or --list to see the assignments)")
    from reader import config

    try:
        annotators = [config.check_annotator(name) for name in parse_annotators(names)]
        check(annotators, overlap)
    except ValueError as exc:
        raise ReaderError(str(exc)) from None
    with open_store(opts.db_path, readonly=True) as store:
        ids = resolve_articles(store, articles) if articles else store.article_ids()
        assigned = [(a, name) for a, name, _ in store.assignments()]
        taken = {a for a, _ in assigned}
        sizes = {s.id: s.sentences for s in store.summaries()}
    if not ids:
        raise ReaderError("there are no articles to assign: import some first (reader import FILE)")
    kept = [a for a in ids if a in taken and not replace]
    todo = [(a, sizes.get(a, 0)) for a in dict.fromkeys(ids) if a not in kept]
    if kept:
        click.echo(f"reader: note: {len(kept)} articles already assigned were left as they are (--replace shares them out again)", err=True)
    if not todo:
        click.echo("nothing to assign", err=True)
        return
    # the sentences each one holds from assignments that stay: a batch imported later goes to
    # whoever has the fewest so far, not always to the first name given
    ours = {a for a, _ in todo}
    held = {name: sum(max(1, sizes.get(a, 0)) for a, n in assigned if n == name and a not in ours) for name in annotators}
    try:
        pairs = share_out(todo, annotators, overlap, seed, held)
    except AssignError as exc:
        raise ReaderError(str(exc)) from None
    with open_store(opts.db_path) as store:
        store.save_assignments(pairs, replace=replace)
    per: dict[str, list[str]] = {name: [] for name in annotators}
    for article_id, name in pairs:
        per[name].append(article_id)
    doubled = len(pairs) - len(todo)
    counts = " · ".join(f"{name} {len(items)} ({sum(sizes.get(a, 0) for a in items)} sentences)" for name, items in per.items())
    click.echo(f"assigned {counted(len(todo), 'article')}, {doubled} of them to two annotators: {counts}")


def _list_assignments(opts: Options, as_json: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from reader.cli import one_line

    with open_store(opts.db_path, readonly=True) as store:
        rows = store.assignments()
        progress = {name: {s.id: s for s in store.summaries(name)} for name in {r[1] for r in rows}}
    records = []
    for article_id, annotator, assigned in rows:
        s = progress[annotator][article_id]
        records.append({"article_id": article_id, "title": s.title or None, "annotator": annotator, "assigned": assigned,
                        "sentences": s.sentences, "labelled": s.labelled, "skipped": s.skipped, "done": s.done})
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not records:
        click.echo("no assignments yet: reader assign --annotators a,b,c shares the articles out", err=True)
        return
    console = output_console()
    if not console.is_terminal:
        # skipped and done after the columns scripts already read: a skip is done, but no label
        click.echo("annotator\tarticle_id\ttitle\tlabelled\tsentences\tskipped\tdone")
        for r in records:
            click.echo(f"{one_line(r['annotator'])}\t{r['article_id']}\t{one_line(r['title'] or '')}\t{r['labelled']}\t{r['sentences']}\t{r['skipped']}\t{r['done']}")
        return
    table = Table("annotator", "id", "title", "labelled", "skipped", "done", "sentences", title=f"{len(records)} assignments")
    for r in records:
        table.add_row(Text(r["annotator"]), Text(r["article_id"][:12]), Text(r["title"] or "", no_wrap=True, overflow="ellipsis"),
                      str(r["labelled"]), str(r["skipped"]), str(r["done"]), str(r["sentences"]))
    console.print(table)


@cli.command("merge")
@click.argument("others", nargs=-1, required=True, type=click.Path(path_type=Path))
@shared("db_path")
@click.option("--json", "as_json", is_flag=True, help="Print what was merged as JSON, for scripts.")
@click.pass_context
def merge_command(ctx: click.Context, others: tuple[Path, ...], as_json: bool, **given: Any) -> None:
    """Bring other reader databases' articles, label histories and assignments into this one.

    Each file is only read, and merged in one transaction; merging it again adds nothing.
    """
    from dataclasses import asdict

    from reader.store import StoreError

    opts = Options.of(ctx, given)
    reports, failed = [], 0
    with open_store(opts.db_path) as store:
        opened = []
        try:
            for path in others:  # every file is checked before anything is written
                opened.append(store.open_other(path))
            for other in opened:
                try:
                    report = store.merge_from(other)
                except StoreError as exc:
                    if str(other.path) not in str(exc):
                        raise  # a problem of this database: nothing more can be merged
                    say_error(str(exc))  # this file is not merged; those before it are, and were reported
                    failed += 1
                    continue
                reports.append(report)
                if not as_json:
                    _say_merged(report)
        finally:
            for other in opened:
                other.close()
    if as_json:
        click.echo(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=2))
    if failed:
        sys.exit(EXIT_SOME_FAILED)


def _say_merged(r: Any) -> None:
    from reader.cli import one_line

    line = (f"merged {one_line(r.path)}: {counted(r.articles_added, 'article')} added, {r.articles_present} already here; "
            f"{counted(r.events_added, 'event')} added, {r.events_present} already here; {counted(r.changed, 'label')} changed")
    if r.assignments_added:
        line += f"; {counted(r.assignments_added, 'assignment')} added"
    click.echo(line)
    for a in r.resplit:
        click.echo(f"reader: note: article {a['id'][:12]} ({one_line(a['title'] or 'untitled')}) is split into other sentences in "
                   f"{one_line(r.path)}: labels mapped by offsets, {a['mapped']} of its {a['sentences']} sentences match here", err=True)
    if r.left_out:
        click.echo(f"reader: note: {counted(r.left_out, 'event')} on sentences that do not exist here {'was' if r.left_out == 1 else 'were'} left out "
                   f"(they stay in {one_line(r.path)})", err=True)
    for a in r.articles_refused:
        click.echo(f"reader: note: article {one_line(a['id'])[:16]} ({one_line(a['title'] or 'untitled')[:60]}) in {one_line(r.path)} "
                   f"was left out with its {a['events']} events: {a['reason']}", err=True)
    if r.refused:
        click.echo(f"reader: note: {counted(r.refused, 'event')} in {one_line(r.path)} {'was' if r.refused == 1 else 'were'} refused: an empty or over-long name or value, "
                   f"an unknown action, or a time that is not a time", err=True)
    if r.conflicts:
        click.echo(f"reader: note: {counted(r.conflicts, 'event')} in {one_line(r.path)} {'has' if r.conflicts == 1 else 'have'} the uid of an "
                   f"event here (or there) that says something else, and {'was' if r.conflicts == 1 else 'were'} left out", err=True)
