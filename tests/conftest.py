import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# Every run is reproducible: hypothesis draws the same examples each time (derandomize).  Set
# HYPOTHESIS_PROFILE=explore to search with fresh random examples (and more of them).
settings.register_profile(
    "default", max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "explore", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def tracked_texts() -> dict[str, str]:
    """The repository's tracked .py, .md, .toml and .txt files: path (relative to the root) ->
    text.  Skips the test where the tracked files are unknown (not a git checkout)."""
    try:
        names = subprocess.run(
            ["git", "ls-files", "*.py", "*.md", "*.toml", "*.txt"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    return {
        name: (ROOT / name).read_text(encoding="utf-8", errors="replace")
        for name in names
        if (ROOT / name).is_file()
    }
