"""The grammar both engines read a parse with: the suggester (`reader.suggest`) and the
commitment extractor (`reader.commitments`) import this package and never each other.

* `lexicon`: the word lists, read once from `words/*.txt`;
* `tree`: helpers over a dependency parse, clipped to one sentence span;
* `clauses`: a predicate's subject, auxiliaries, voice, negation and the kind of clause it
  stands in (main, reported, opinion, embedded), read off spaCy tokens;
* `party`: can this subject act (bind itself, commit)? persons, pronoun agreement;
* `speaker`: attribution: who a clause is reported from;
* `time`: time phrases ("by the end of the year", "next week", "until the works end").

Importing this package is cheap: the modules are imported where they are used.
"""
