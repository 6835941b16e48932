"""The ingest floor: bare spaCy over the same texts with the same model, as a whole process.

    python benchmarks/bare_spacy.py MODEL FILE... [--exclude lemmatizer]

Reads each file, loads the pipeline and runs every text through one `nlp.pipe`; nothing is
kept. Run as a script so nothing of reader is imported.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    exclude: list[str] = []
    if "--exclude" in argv:
        i = argv.index("--exclude")
        exclude = argv[i + 1].split(",")
        argv = argv[:i] + argv[i + 2 :]
    model, files = argv[0], argv[1:]
    texts = []
    for name in files:
        with open(name, encoding="utf-8") as handle:
            texts.append(handle.read())
    import spacy

    nlp = spacy.load(model, exclude=exclude)
    tokens = sum(len(doc) for doc in nlp.pipe(texts))
    print(tokens)


if __name__ == "__main__":
    main(sys.argv[1:])
