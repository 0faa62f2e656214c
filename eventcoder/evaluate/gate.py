"""Accuracy gate: report + floors -> the figures that fell more than 2 points below their floor."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

TOLERANCE = 0.02  # two points on a 0-1 scale; throughput floors allow the same share (2%)


def load_floors(path: str | None = None) -> dict[str, dict[str, float]]:
    """floors.json: {dataset: {"field.figure": floor}}; "throughput.articles_per_s" is allowed too."""
    if path:
        with open(path, encoding="utf-8") as fh:
            floors = json.load(fh)
    else:
        floors = json.loads((resources.files("eventcoder.evaluate") / "floors.json").read_text("utf-8"))
    return {k: v for k, v in floors.items() if not k.startswith("_")}


def _figure(report: dict[str, Any], dotted: str) -> Any:
    head, _, figure = dotted.rpartition(".")
    node = report.get("throughput", {}) if head == "throughput" else report.get("fields", {}).get(head, {})
    return node.get(figure, "missing") if isinstance(node, dict) else "missing"


def check(report: dict[str, Any], floors: dict[str, dict[str, float]]) -> list[str]:
    """One message per regression; a figure that is missing or n/a where a floor exists is one too."""
    reports = report["datasets"] if "datasets" in report else {report["dataset"]: report}
    failures = []
    for dataset, dataset_floors in floors.items():
        if dataset not in reports:
            continue
        for dotted, floor in dataset_floors.items():
            value = _figure(reports[dataset], dotted)
            if not isinstance(value, (int, float)):
                failures.append(f"{dataset} {dotted}: {value} (floor {floor})")
                continue
            slack = floor * TOLERANCE if dotted.startswith("throughput.") else TOLERANCE
            if value < floor - slack:
                failures.append(f"{dataset} {dotted}: {value:.3f} < floor {floor:.3f}")
    return failures
