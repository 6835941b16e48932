"""Tests for reader.ingest.html: real trafilatura on hand-written pages, plus the benchmark corpus."""

from __future__ import annotations

import collections
import dataclasses
import gzip
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from reader.ingest.html import ExtractedPage, extract_html

# Every piece of boilerplate carries a marker word that must never reach the body.
ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Harbour town opens a repair cafe for broken bicycles | The Quayside Courier</title>
<meta name="author" content="Maren Oakhollow">
<meta property="article:published_time" content="2023-04-17T08:30:00+00:00">
<meta property="og:site_name" content="The Quayside Courier">
<meta property="og:title" content="Harbour town opens a repair cafe for broken bicycles">
<style>.banner { color: teal; } body { font-family: StylesheetMarkerSerif; }</style>
<script>window.trackerConfig = {id: "ScriptMarkerTracking"};</script>
</head>
<body>
<div id="cookie-consent" class="cookie-banner">We use cookies to improve your visit.
<button>CookieMarkerAccept all cookies</button> or manage your choices.</div>
<header><nav class="main-menu"><ul>
<li><a href="/news">NavMarkerNews</a></li><li><a href="/harbour">Harbour life</a></li>
<li><a href="/tides">Tide tables</a></li>
</ul></nav></header>
<main>
<article>
<h1>Harbour town opens a repair cafe for broken bicycles</h1>
<p class="byline">By Maren Oakhollow</p>
<p>Volunteers in the small harbour town of Kelpwick have turned an empty net loft into a repair
cafe where residents can bring bicycles with flat tyres, snapped chains and squeaking brakes, and
leave an hour later riding them home.</p>
<p>The cafe opens every Saturday morning, and the organisers say more than forty bicycles passed
through the doors during the first month, most of them rescued from garden sheds where they had
been rusting for years.</p>
<h2>Tools donated by a retired boatwright</h2>
<p>Most of the spanners, tyre levers and pumps on the long workbench came from a retired boatwright
who cleared out his workshop when he moved inland, according to a statement quoted by [Reuters]
and repeated by the town council.</p>
<p>Organisers hope to train a dozen teenagers as mechanics by the end of the summer, so that the
cafe can open on weekday evenings as well and keep up with the growing queue of visitors.</p>
</article>
<section id="comments" class="comments">
<h3>3 comments</h3>
<div class="comment"><p>CommentMarkerFirst What a brilliant idea, I have two rusty bikes in my shed
that I will bring along next Saturday morning.</p></div>
<div class="comment"><p>CommentMarkerSecond Please open on Sundays too, lots of people work on
Saturdays and cannot come to the workshop at all.</p></div>
</section>
</main>
<footer class="site-footer"><p>FooterMarkerCopyright 2023 The Quayside Courier. All rights reserved.
Registered office on the old fish quay.</p>
<a href="/contact">Contact</a> <a href="/privacy">Privacy policy</a></footer>
<script>document.write("ScriptMarkerInline");</script>
</body>
</html>
"""

ARTICLE_URL = "https://quayside.example/harbour/repair-cafe"

# The opening words of each body paragraph of ARTICLE_PAGE.
PARAGRAPH_STARTS = [
    "Volunteers in the small harbour town of Kelpwick",
    "The cafe opens every Saturday morning",
    "Most of the spanners, tyre levers and pumps",
    "Organisers hope to train a dozen teenagers",
]

BROKEN_PAGE = """<html><head><title>Fog delays the ferry again</title>
<body><div class=wrapper><div id=content>
<p>The morning ferry to the outer islands was held in port for a third day running after thick fog
rolled in from the sea before dawn
<p>Passengers waiting on the slipway were offered tea in the ticket office while the crew watched
the radar and waited for the fog to lift
<span>Harbour staff said the forecast for the weekend looked clearer, though nobody wanted to
promise a departure time.</b>
<p>A spokesperson for the ferry company said safety came first and that tickets for the cancelled
crossings would be honoured on any later sailing.
</div>
"""

NAV_ONLY_PAGE = """<!DOCTYPE html><html><head><title>Lantern Gazette</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
<footer><a href="/about">About us</a> <a href="/privacy">Privacy</a></footer></body></html>"""

RAIN = "Rain fell steadily over the valley while the river rose towards the old stone bridge."


def bare_page(head: str = "", body: str = RAIN * 3) -> str:
    """A page with one paragraph of text and whatever head it is given."""
    return f"<html><head>{head}</head><body><div><p>{body}</p></div></body></html>"


@pytest.fixture(scope="module")
def article() -> ExtractedPage:
    return extract_html(ARTICLE_PAGE, url=ARTICLE_URL)


def test_body_paragraphs_come_through(article: ExtractedPage) -> None:
    for start in PARAGRAPH_STARTS:
        assert start in article.text


def test_each_paragraph_is_its_own_line(article: ExtractedPage) -> None:
    lines = [line for line in article.text.splitlines() if line.strip()]
    for start in PARAGRAPH_STARTS:
        matching = [line for line in lines if start in line]
        assert len(matching) == 1
        assert matching[0].startswith(start)
        assert not any(other in matching[0] for other in PARAGRAPH_STARTS if other != start)


def test_subheading_is_its_own_line(article: ExtractedPage) -> None:
    assert "Tools donated by a retired boatwright" in article.text.splitlines()


@pytest.mark.parametrize(
    "marker",
    ["NavMarker", "ScriptMarker", "StylesheetMarker", "FooterMarker", "CookieMarker", "CommentMarker"],
)
def test_boilerplate_is_dropped(article: ExtractedPage, marker: str) -> None:
    assert marker not in article.text


def test_no_markup_left_in_text(article: ExtractedPage) -> None:
    assert "<" not in article.text and "font-family" not in article.text


def test_bracketed_text_is_kept_literally(article: ExtractedPage) -> None:
    assert "quoted by [Reuters] and repeated" in article.text


def test_metadata_comes_through(article: ExtractedPage) -> None:
    assert article.title == "Harbour town opens a repair cafe for broken bicycles"
    assert article.author == "Maren Oakhollow"
    assert article.published == "2023-04-17"
    assert article.site == "The Quayside Courier"
    assert article.url == ARTICLE_URL


def test_title_is_not_repeated_in_the_body(article: ExtractedPage) -> None:
    assert article.title is not None
    assert article.title not in article.text


def test_extracted_page_is_frozen(article: ExtractedPage) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.text = "changed"  # type: ignore[misc]


def test_title_from_title_tag_alone() -> None:
    page = extract_html(bare_page("<title>Rain swells the river</title>"))
    assert page.title == "Rain swells the river"
    assert page.text.startswith("Rain fell steadily")


def test_absent_metadata_is_none_not_empty() -> None:
    page = extract_html(bare_page())
    assert RAIN in page.text
    assert (page.title, page.author, page.published, page.site, page.url) == (None,) * 5


def test_blank_metadata_is_none() -> None:
    head = '<title> </title><meta name="author" content="  "><meta property="og:site_name" content="">'
    page = extract_html(bare_page(head))
    assert (page.title, page.author, page.site) == (None, None, None)


def test_canonical_url_used_when_none_given() -> None:
    page = extract_html(bare_page('<link rel="canonical" href="https://valley.example/news/rain">'))
    assert page.url == "https://valley.example/news/rain"


def test_broken_markup_still_extracts() -> None:
    page = extract_html(BROKEN_PAGE)
    assert page.title == "Fog delays the ferry again"
    for start in ["The morning ferry to the outer islands", "Passengers waiting on the slipway",
                  "Harbour staff said the forecast", "A spokesperson for the ferry company"]:
        assert start in page.text


def test_xhtml_with_xml_declaration() -> None:
    page = extract_html(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>Rain</title></head><body><div><p>{RAIN * 3}</p></div></body></html>"
    )
    assert RAIN in page.text


def test_non_ascii_text_survives() -> None:
    body = "Ľudia v Kelpwicku čakali na trajekt — «ďalší deň v hmle», povedal kapitán. " * 3
    page = extract_html(bare_page(body=body))
    assert "«ďalší deň v hmle»" in page.text


@pytest.mark.parametrize(
    "html",
    [
        NAV_ONLY_PAGE,
        "",
        "   \n  ",
        "<html><head><script>var x = 1;</script><style>p { color: red }</style></head>"
        "<body><div></div></body></html>",
    ],
    ids=["nav-only", "empty", "whitespace", "script-and-style-only"],
)
def test_page_without_article_raises(html: str) -> None:
    with pytest.raises(ValueError, match="no article text found"):
        extract_html(html)


def test_importing_the_module_is_cheap() -> None:
    code = (
        "import sys, reader.ingest.html; "
        "print(sorted(m for m in ('trafilatura', 'lxml', 'textual', 'spacy') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.strip() == "[]"


# --- the benchmark corpus --------------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "html-extraction"
TOKEN = re.compile(r"\w+")


def _shingles(text: str, n: int = 4) -> collections.Counter:
    """4-word shingles of \\w+ tokens, as shared/tools/score_extraction.py counts them."""
    tokens = TOKEN.findall(text or "")
    return collections.Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="benchmark corpus not present")
def test_corpus_f1_at_least_0_95() -> None:
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    assert len(truth) > 100
    precisions, recalls = [], []
    for page_id, item in truth.items():
        raw = gzip.decompress((CORPUS / "html" / f"{page_id}.html.gz").read_bytes())
        try:
            text = extract_html(raw.decode("utf-8", errors="replace"), url=item.get("url")).text
        except ValueError:
            text = ""
        expected, got = _shingles(item["articleBody"]), _shingles(text)
        overlap = sum((expected & got).values())
        precisions.append(overlap / max(1, sum(got.values())) if text else 0.0)
        recalls.append(overlap / max(1, sum(expected.values())))
    p, r = statistics.mean(precisions), statistics.mean(recalls)
    f1 = 2 * p * r / (p + r)
    assert f1 >= 0.95, f"P={p:.3f} R={r:.3f} F1={f1:.3f}"
