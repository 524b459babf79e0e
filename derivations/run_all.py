"""Run every derivation script; exits non-zero if any check fails.

Run: python derivations/run_all.py
"""

import pathlib
import runpy
import sys

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
SCRIPTS = ["effective_regularization.py", "proposition_4_2.py", "collapse_coefficient.py",
           "theorem_4_1.py", "overparameterized.py"]

for script in SCRIPTS:
    print(f"\n##### {script}")
    runpy.run_path(str(HERE / script), run_name="__main__")
print("\nall derivation checks passed")
