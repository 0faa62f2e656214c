"""Print Gazetteer.load() time and milliseconds per toponym for find_places (not a test).

Usage: python benchmarks/bench_geocode.py. Wall and CPU time are both printed: on a shared
machine the wall time of a CPU-bound step grows with the other work running beside it.
"""

import time

from eventcoder.gazetteer import Gazetteer
from eventcoder.geocode import find_places
from eventcoder.nlp import load_nlp

SHORT = ("Russian forces shelled Kharkov and Kiev while protesters marched in Tripoli, Lebanon. "
         "Troops raided homes in the occupied West Bank, in northern Gaza and in Rafah, Egypt. "
         "Officials met in the Lebanese capital, Beirut, and in Rangoon and Hyderabad, Sindh.")
# A long article: many names, repeated ones, counties and abbreviations (resolution is
# quadratic in the number of distinct names, so this is the case to watch).
LONG = " ".join([
    "Deputies in Adair County, Kentucky, and troopers from Edmonton, Ky., searched the farm.",
    "Flooding hit Kent, Hampshire and Surrey while London and Manchester stayed dry.",
    "Canadian officials in Ottawa, Toronto and Barrie, Ont., met British Columbia ministers.",
    "European and Asian markets fell as Washington and Beijing traded threats.",
    "Airstrikes hit Aleppo, Idlib and Deir ez-Zor; Damascus blamed Turkey and Israel.",
    "In Gaza City, Khan Younis and Rafah, residents fled towards the Egyptian border.",
    "The Washington Post said Orange County, California, and Cook County saw protests.",
    "Kyiv, Kharkiv, Odesa and Lviv reported blasts as Russia pressed in the Donbas.",
] * 3)


def _time(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    gaz, wall, cpu = _time(Gazetteer.load)
    print(f"Gazetteer.load(): {wall:.2f} s wall, {cpu:.2f} s CPU, {len(gaz):,} entries, "
          f"{len(gaz.index):,} keys")
    nlp = load_nlp()
    for label, text, copies in (("short article", SHORT, 50), ("long article", LONG, 5)):
        docs = list(nlp.pipe([text] * copies))
        n, wall, cpu = _time(lambda: sum(len(find_places(doc, gaz)) for doc in docs))
        print(f"find_places, {label}: {n} toponyms, {1000 * wall / n:.2f} ms wall, "
              f"{1000 * cpu / n:.2f} ms CPU per toponym (parse excluded)")


if __name__ == "__main__":
    main()
