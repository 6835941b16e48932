"""The terminal UI. Imports textual; the core never imports this package."""
