"""PLOVER type (+ trigger lemma) -> CAMEO root code and ACLED type, from data/taxonomy.yaml."""

from __future__ import annotations

import functools
from importlib import resources

import yaml

from .model import PLOVER_TYPES


@functools.lru_cache(maxsize=1)
def _tables() -> dict:
    """Read taxonomy.yaml once, on first use (never at import)."""
    text = (resources.files("eventcoder") / "data" / "taxonomy.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _check(plover_type: str) -> None:
    if plover_type not in PLOVER_TYPES:
        raise ValueError(f"unknown PLOVER type {plover_type!r}; expected one of {', '.join(PLOVER_TYPES)}")


def cameo_root(plover_type: str, trigger_lemma: str | None = None) -> str:
    """Two-digit CAMEO root for a PLOVER type; the lemma refines it ("kidnap" is 18, not 19)."""
    _check(plover_type)
    cameo = _tables()["cameo"]
    if trigger_lemma:
        by_lemma = cameo.get("by_lemma", {}).get(plover_type, {})
        root = by_lemma.get(trigger_lemma.lower())
        if root:
            return str(root)
    return str(cameo["default"][plover_type])


def acled(plover_type: str, trigger_lemma: str | None = None,
          target_kind: str | None = None) -> dict | None:
    """ACLED {event_type, sub_event_type} for an event, or None where ACLED would not code it."""
    _check(plover_type)
    rules = _tables()["acled"].get(plover_type) or []
    lemma = trigger_lemma.lower() if trigger_lemma else ""

    def hit(rule: dict, keys: set[str]) -> bool:
        if "lemmas" in rule and not keys & set(rule["lemmas"]):
            return False
        return "target_kinds" not in rule or target_kind in rule["target_kinds"]

    # The whole lemma first ("car bomb"), then its words ("drone strike" -> "drone"), then the
    # rules that need no lemma (the target's kind, or the type's default).
    for keys in ({lemma}, set(lemma.split())):
        for rule in rules:
            if "lemmas" in rule and hit(rule, keys):
                return {"event_type": rule["event_type"], "sub_event_type": rule["sub_event_type"]}
    for rule in rules:
        if "lemmas" not in rule and hit(rule, set()):
            return {"event_type": rule["event_type"], "sub_event_type": rule["sub_event_type"]}
    return None
