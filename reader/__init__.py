"""reader: label the sentences of news articles in the terminal.

Importing this package is deliberately cheap: it holds the version only.
"""

__version__ = "0.1.0"
