"""The package version, in one place (read by the CLI, the report and the sweep store)."""

__version__ = "0.1.0"
