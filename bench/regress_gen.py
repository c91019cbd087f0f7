#!/usr/bin/env python3
"""regress_gen.py — synthetic nightly histories for bench/regress.sh.

Prints one configuration a line: NAME KIND STEP_PCT STEP_NIGHT v1 v2 ... vN
(NIGHTS values, night 1 first).  KIND is aa (no change), step (a level shift
of STEP_PCT % from night STEP_NIGHT on) or drift (STEP_PCT % over the checked
nights, linear).  Noise families: gauss (Gaussian), heavy (Student t),
bimodal (two modes, each run picks one).

--set tuning   the series the method's settings were chosen on
--set heldout  other seeds AND other noise parameters (wider Gaussian, a
               heavier tail, a lopsided bimodal mix, the step on another
               night): never looked at while choosing the settings
"""
import argparse
import math
import random

SETS = {
    # family: parameters, as fractions of the level
    "tuning": {"gauss": 0.012, "heavy": (3.0, 0.008), "bimodal": (0.010, 0.004, 0.5),
               "step_night": 30, "seed": 1},
    "heldout": {"gauss": 0.014, "heavy": (2.5, 0.007), "bimodal": (0.012, 0.003, 0.3),
                "step_night": 27, "seed": 9001},
}


def noise(rng, family, p):
    if family == "gauss":
        return rng.gauss(0, p["gauss"])
    if family == "heavy":
        df, scale = p["heavy"]
        z = rng.gauss(0, 1)
        chi2 = rng.gammavariate(df / 2, 2)
        return scale * z / math.sqrt(chi2 / df)
    gap, sd, w = p["bimodal"]
    mode = -gap / 2 if rng.random() < w else gap / 2
    return mode + rng.gauss(0, sd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", choices=SETS, default="tuning")
    ap.add_argument("--reps", type=int, default=1, help="copies of the 60-configuration suite")
    ap.add_argument("--nights", type=int, default=45)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    p = SETS[a.set]
    rng = random.Random(p["seed"] if a.seed is None else a.seed)
    families = ["gauss", "heavy", "bimodal"]
    for rep in range(a.reps):
        confs = []
        for i in range(40):  # A/A
            confs.append(("aa", 0.0, 0))
        for s in [-10.0] * 5 + [-5.0] * 10 + [-3.0] * 5:
            confs.append(("step", s, p["step_night"]))
        for s in (-5.0, -3.0):  # a slow drift over the checked nights
            confs.append(("drift", s, 21))
        for i, (kind, pct, night) in enumerate(confs):
            fam = families[i % 3]
            level = rng.uniform(50, 500)
            vals = []
            for t in range(1, a.nights + 1):
                f = 1.0
                if kind == "step" and t >= night:
                    f += pct / 100
                elif kind == "drift" and t >= night:
                    f += pct / 100 * (t - night + 1) / (a.nights - night + 1)
                vals.append(level * f * (1 + noise(rng, fam, p)))
            print(f"r{rep}c{i}-{fam} {kind} {pct:g} {night} " + " ".join(f"{v:.6g}" for v in vals))


if __name__ == "__main__":
    main()
