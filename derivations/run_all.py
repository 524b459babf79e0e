"""Run every derivation script (the list below); exits non-zero if any check fails.

Run: python derivations/run_all.py
"""

import pathlib
import runpy
import sys

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
SCRIPTS = [
    "effective_regularization.py",
    "lemma_I_2.py",
    "proposition_4_2.py",
    "collapse_coefficient.py",
    "corollary_4_4.py",
    "theorem_4_1.py",
    "theorem_4_1_remarks.py",
    "overparameterized.py",
    "schedules.py",
    "lemma_I_1.py",
    "power_law_asymptotics.py",
    "theorem_5_1.py",
    "corollary_5_2.py",
    "ridge_generators.py",
    "new_result_mixture.py",
    "workflow_accumulate.py",
    "workflow_fresh_real_mix.py",
    "workflow_downstream_mix.py",
]


def main() -> None:
    failed = []
    for script in SCRIPTS:
        print(f"\n##### {script}")
        try:
            runpy.run_path(str(HERE / script), run_name="__main__")
        except SystemExit as exc:  # a failed check (see _narrate.check)
            if exc.code not in (None, 0):
                print(exc.code)
                failed.append(script)
    if failed:
        sys.exit(f"\nderivation checks FAILED in: {', '.join(failed)}")
    print("\nall derivation checks passed")


if __name__ == "__main__":
    main()
