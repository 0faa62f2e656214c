"""Deterministic dev/test split: the same item always lands on the same side, whatever the order or limit."""

from __future__ import annotations

import hashlib

SPLITS = ("dev", "test", "all")
SEED = "eventcoder-eval-v1"  # changing this reshuffles every data set: never do it after tuning


def split_of(dataset: str, item_id: str) -> str:
    """'dev' (may be studied) for half the items by sha256, else 'test' (only measured)."""
    digest = hashlib.sha256(f"{SEED}:{dataset}:{item_id}".encode("utf-8")).hexdigest()
    return "dev" if int(digest, 16) % 100 < 50 else "test"


def in_split(dataset: str, item_id: str, split: str) -> bool:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    return split == "all" or split_of(dataset, item_id) == split
