"""Report dict -> readable text table, one row per field and figure."""

from __future__ import annotations

from typing import Any

# The figure a row shows first, in this order of preference.
_MAIN = ("f1", "acc", "acc161", "r", "p")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def _row(name: str, fig: Any) -> str:
    if not isinstance(fig, dict):
        return f"  {name:<28} {_fmt(fig)}"
    main = next((k for k in _MAIN if k in fig), None)
    rest = "  ".join(f"{k}={_fmt(v)}" for k, v in fig.items() if k != main)
    return f"  {name:<28} {(_fmt(fig[main]) if main else ''):>7}  {rest}"


def _fields_table(fields: dict[str, Any]) -> list[str]:
    lines = []
    for name, fig in fields.items():
        if name == "confusion":
            continue
        if isinstance(fig, dict) and all(v in ("n/a", 0) for k, v in fig.items()):
            lines.append(f"  {name:<28}     n/a")
        else:
            lines.append(_row(name, fig))
    if fields.get("confusion"):
        lines.append("  most common type errors (gold -> predicted: count):")
        lines += [f"    {g} -> {p}: {n}" for g, p, n in fields["confusion"]]
    return lines


def format_report(report: dict[str, Any]) -> str:
    """A table per field; for `eval all`, one block per data set."""
    if "datasets" in report:
        return "\n\n".join(format_report(r) for r in report["datasets"].values())
    tp = report["throughput"]
    lines = [f"{report['dataset']} ({report['kind']}, split={report['split']}): {report['items']} items, "
             f"{report['seconds']} s, {tp['articles_per_s']} articles/s, {report['errors']} errors"]
    if report.get("first_error"):
        lines.append(f"  first error: {report['first_error']}")
    lines += _fields_table(report["fields"])
    for name, fields in report.get("by_split", {}).items():
        mains = []
        for field, fig in fields.items():
            if isinstance(fig, dict):
                key = next((k for k in _MAIN if k in fig and fig[k] != "n/a"), None)
                if key:
                    mains.append(f"{field}={_fmt(fig[key])}")
        lines.append(f"  [{name}] " + "  ".join(mains))
    return "\n".join(lines)
