"""The grammar layer (reader.grammar): its word lists are data, each defined once and loaded,
it stays light to import, and the modules of the rule engines stay small enough to read."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ROOT / "reader" / "grammar" / "words"
MAX_LINES = 450


def test_every_word_file_is_one_list_of_the_lexicon_and_every_list_has_its_file():
    from reader.grammar import lexicon

    source = (ROOT / "reader" / "grammar" / "lexicon.py").read_text(encoding="utf-8")
    loaded = dict(re.findall(r'^([A-Z_]+) = _load\("([a-z_]+)"\)$', source, flags=re.M))
    files = {p.stem for p in WORDS.glob("*.txt")}
    assert files and sorted(loaded.values()) == sorted(files)  # no file unread, none read twice
    for name, stem in loaded.items():
        assert name.lower() == stem
        words = getattr(lexicon, name)
        assert words and all(w == w.lower() and not w.startswith("#") for w in words), name


def test_the_engines_do_not_define_word_lists_of_their_own():
    """One definition of each list: no engine module builds a list from a string of words."""
    pattern = re.compile(r'^[A-Z_]+ = (frozenset\("""|frozenset\("[a-z]+ [a-z]|lx\.words\(|words\(""")', flags=re.M)
    for package in ("suggest", "commitments", "grammar"):
        for path in (ROOT / "reader" / package).glob("*.py"):
            assert not pattern.search(path.read_text(encoding="utf-8")), path.name


def test_word_lists_are_read_from_the_package():
    """The lists reach the app as package data, read through importlib.resources."""
    code = (
        "import sys\n"
        "from reader.grammar import lexicon\n"
        "print(len(lexicon.AGENT_NOUNS), len(lexicon.AGENT_NOUN_FORMS), 'spacy' in sys.modules, 'reader.store' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    suggester, extractor, spacy_loaded, store_loaded = proc.stdout.split()
    assert int(suggester) > 100 and int(extractor) > 300  # the two engines' lists of party nouns, kept apart
    assert (spacy_loaded, store_loaded) == ("False", "False")


def test_no_module_of_reader_is_over_450_lines():
    too_long = {}
    for path in (ROOT / "reader").rglob("*.py"):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            too_long[str(path.relative_to(ROOT))] = lines
    assert not too_long


def test_subtrees_is_the_union_of_each_subtree_on_any_parse(nlp):
    """`when._wider` took each subtree out one at a time: on a 2,000-token sentence of "that
    officials said" inside one another, 1,300 subtrees of about the whole sentence, 5 s.
    `tree.subtrees` takes the union in one pass; it gives what subtree gave, on the sample
    articles' sentences and on such a chain."""
    import random

    from reader.commitments import parse_article
    from reader.grammar import tree

    rng = random.Random(5)
    spans = [span for path in sorted((ROOT / "sample_articles").glob("*.txt")) for _a, _b, span in parse_article(nlp, path.read_text(encoding="utf-8"))]
    chain = nlp("The mayor said " + " ".join("that officials said" for _ in range(60)) + " the council will build homes.")
    spans += [chain[:], chain[5:120]]  # a span cut out of a parse: subtrees stay inside it
    for span in spans:
        for size in (0, 1, 3, 8):
            picked = rng.sample(list(span), min(size, len(span)))
            expected = set().union(*(tree.subtree(span, t) for t in picked))
            assert tree.subtrees(span, picked) == expected, (span.text[:80], [t.text for t in picked])
