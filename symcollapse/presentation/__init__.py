"""The presentation layer: export (LaTeX, Markdown, text), figures, the report and the command
line.  Imports every layer below it; nothing imports it but the package's ``__init__``."""
