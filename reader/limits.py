"""How much one input may be and how long a URL may take, by default; shared by the command
line, the importers and the restore of exports."""

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
