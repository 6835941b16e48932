"""How much one input may be and how long a URL may take, by default; shared by the command
line, the importers and the restore of exports."""

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0

# What one stored value may be, whichever way it comes in (typed, imported, restored from an
# export or merged from another database): a name (annotator, label, field) is one short line;
# a value (a note, a corrected actor or action, a title) one line of reasonable length; a
# sentence no longer than the paragraph chunk spaCy is given (reader.nlp.MAX_CHUNK), so every
# stored sentence can be parsed again in a background job.
MAX_NAME_CHARS = 200
MAX_VALUE_CHARS = 10_000
MAX_SENTENCE_CHARS = 100_000
