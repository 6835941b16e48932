"""The ingest floor: bare spaCy over the same texts with the same model, as a whole process.

    python benchmarks/bare_spacy.py MODEL FILE... [--exclude lemmatizer] [--lines]

Reads each file, loads the pipeline and runs every text through one `nlp.pipe`; nothing is
kept. With --lines, each non-blank line of each file is a text of its own (reader parses an
article paragraph by paragraph, a paragraph being a line). Run as a script so nothing of
reader is imported.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    exclude: list[str] = []
    lines = "--lines" in argv
    argv = [a for a in argv if a != "--lines"]
    if "--exclude" in argv:
        i = argv.index("--exclude")
        exclude = argv[i + 1].split(",")
        argv = argv[:i] + argv[i + 2 :]
    model, files = argv[0], argv[1:]
    texts = []
    for name in files:
        with open(name, encoding="utf-8") as handle:
            text = handle.read()
        if lines:
            texts.extend(line.strip() for line in text.split("\n") if line.strip())
        else:
            texts.append(text)
    import spacy

    nlp = spacy.load(model, exclude=exclude)
    tokens = sum(len(doc) for doc in nlp.pipe(texts))
    print(tokens)


if __name__ == "__main__":
    main(sys.argv[1:])
