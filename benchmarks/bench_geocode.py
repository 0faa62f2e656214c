"""Print Gazetteer.load() time and milliseconds per toponym for find_places (not a test)."""

import time

from eventcoder.gazetteer import Gazetteer
from eventcoder.geocode import find_places
from eventcoder.nlp import load_nlp

TEXT = ("Russian forces shelled Kharkov and Kiev while protesters marched in Tripoli, Lebanon. "
        "Troops raided homes in the occupied West Bank, in northern Gaza and in Rafah, Egypt. "
        "Officials met in the Lebanese capital, Beirut, and in Rangoon and Hyderabad, Sindh.")


def main() -> None:
    t = time.perf_counter()
    gaz = Gazetteer.load()
    print(f"Gazetteer.load(): {time.perf_counter() - t:.2f} s, {len(gaz):,} entries, "
          f"{len(gaz.index):,} keys")
    docs = list(load_nlp().pipe([TEXT] * 50))
    t = time.perf_counter()
    n = sum(len(find_places(doc, gaz)) for doc in docs)
    dt = time.perf_counter() - t
    print(f"find_places: {n} toponyms, {1000 * dt / n:.2f} ms per toponym (parse excluded)")


if __name__ == "__main__":
    main()
