"""`eventcoder eval`: score the pipeline against annotated data in ../shared/data; returns dicts."""

from .report import format_report
from .runner import DATASETS, REGISTRY, resolve_data_dir, run_eval
from .split import split_of

__all__ = ["DATASETS", "REGISTRY", "format_report", "resolve_data_dir", "run_eval", "split_of"]
