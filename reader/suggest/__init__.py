"""Label suggestions: a rule-based cold start and a trainable spaCy text classifier.

Core code: never imports textual. spaCy and thinc are imported only by `reader.suggest.textcat`.
"""
