"""Label suggestions: a rule-based cold start and a trainable spaCy text classifier.

    from reader.suggest import suggest, LABELS     # cold start, no spaCy import of its own
    from reader.suggest import textcat             # train / cross_validate / save / load

Core code: never imports textual. spaCy and thinc are imported only by `reader.suggest.textcat`.
The cold start reads lemmas: parse with the model's lemmatizer enabled.
"""

from reader.suggest.coldstart import LABELS, Suggestion, decide, suggest
from reader.suggest.features import FEATURES, Analysis, analyse

__all__ = ["FEATURES", "LABELS", "Analysis", "Suggestion", "analyse", "decide", "suggest"]
