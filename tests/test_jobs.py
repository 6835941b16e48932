"""Background jobs report typed events (reader.jobs): what `reader _work` writes is what the
UI's worker reads, one event type per kind of news."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.jobs import Extracted, Job, JobFailed, NotTrained, Parsed, Suggested, Trained, Warned, decode, encode
from reader.pipeline import import_unparsed

SAMPLES = Path(__file__).resolve().parent.parent / "sample_articles"


@pytest.mark.parametrize("event", [
    Parsed("a1b2"), Suggested("a1b2"), Extracted(3), NotTrained("too few labels: 4 of 20"), Warned("the model did not load"),
    Trained("m-1", True, 0.71, "cold-start rules", 0.52),
])
def test_every_event_reads_back_as_written(event) -> None:
    assert decode(encode(event)) == event


@pytest.mark.parametrize("line", ["", "not json", "[1, 2]", '{"other": 1}', '{"trained": "m-1"}', "null"])
def test_anything_else_on_a_jobs_output_is_no_event(line: str) -> None:
    assert decode(line) is None


def test_a_real_parse_job_reports_each_article_parsed(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    report = import_unparsed(db, [str(SAMPLES / "tamsel-river-water-accord.txt")])
    (article_id,) = report.ids
    events = list(Job(db, "parse").events())
    assert events == [Parsed(article_id)]


def test_a_failing_job_raises_its_one_line_reason(tmp_path: Path) -> None:
    with pytest.raises(JobFailed) as failed:
        list(Job(tmp_path / "r.db", "no-such-task").events())
    assert "\n" not in str(failed.value) and str(failed.value)
