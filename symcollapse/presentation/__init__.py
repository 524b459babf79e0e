"""The presentation layer: export (LaTeX, Markdown, text), figures, the report and the command
line.  Imports every layer below it; nothing below imports it (the package imports ``export``
lazily, and ``python -m symcollapse`` runs the CLI)."""
