import os

from hypothesis import HealthCheck, settings

# Every run is reproducible: hypothesis draws the same examples each time (derandomize).  Set
# HYPOTHESIS_PROFILE=explore to search with fresh random examples (and more of them).
settings.register_profile(
    "default", max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "explore", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
