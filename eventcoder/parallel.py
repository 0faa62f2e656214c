"""Articles -> ArticleResults on N worker processes, in input order, with bounded memory.

Each worker loads the spaCy model and the resources once (pool initializer) and extracts whole
chunks of articles with `Extractor.extract_many`, so nlp.pipe still batches. The parent reads the
input lazily and keeps at most `window` chunks in flight, so a 2 GB corpus never sits in memory,
and yields results in input order: the caller (api.ingest_paths) writes them to the store from
this one process, so writes stay ordered and idempotent.

Example:
    >>> with ParallelExtractor(workers=2) as px:
    ...     for item in px.extract_many(read_paths(["corpus.jsonl"])):
    ...         print(item)
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections import deque
from typing import Callable, Iterable, Iterator, Optional, Union

from .errors import ConfigError, InputError
from .model import Article, ArticleResult

Item = Union[Article, InputError]
_EXTRACTOR = None  # the worker process's own Extractor, set by _init


def _init(model: Optional[str], fast: Optional[bool]) -> None:
    global _EXTRACTOR
    from .pipeline import Extractor

    _EXTRACTOR = Extractor(model=model, fast=fast)


def _work(articles: list[Article]) -> tuple[int, float, list]:
    """Extract one chunk; an article that fails comes back as its error text, not a crash."""
    try:
        out: list = list(_EXTRACTOR.extract_many(articles))
    except Exception:  # retry one by one so one bad article does not sink its chunk
        out = []
        for article in articles:
            try:
                out.append(_EXTRACTOR.extract(article))
            except Exception as exc:  # any stage failure is reported for that article only
                out.append(f"article {article.id}: extraction failed: {type(exc).__name__}: {exc}")
    return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, out


class ParallelExtractor:
    """A pool of `workers` processes, each with one Extractor; use it as a context manager."""

    def __init__(self, workers: int, model: Optional[str] = None, fast: Optional[bool] = None,
                 chunk_size: int = 32, window: Optional[int] = None, start_method: str = "spawn"):
        if workers < 1:
            raise ConfigError("--workers must be 1 or more")
        self.workers, self.chunk_size = workers, chunk_size
        self.window = window or 2 * workers
        self._args = (model, fast)
        # spawn by default: a worker starts clean (no parent threads or open store handles) and
        # loads the model itself; "fork" starts faster where the parent has it loaded already.
        self._ctx = multiprocessing.get_context(start_method)
        self._pool = None  # started on the first chunk with work: a re-ingest may need none
        self.peak_mb: dict[int, float] = {}  # worker pid -> peak resident memory (MiB)

    def _submit(self, todo: list):
        if self._pool is None:
            self._pool = self._ctx.Pool(self.workers, initializer=_init, initargs=self._args)
        return self._pool.apply_async(_work, (todo,))

    def __enter__(self) -> "ParallelExtractor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def extract_many(self, items: Iterable[Item], skip: Optional[Callable[[Article], bool]] = None
                     ) -> Iterator[Union[ArticleResult, InputError, Article]]:
        """Results in input order; an InputError passes through, and an article for which
        `skip(article)` is true comes back unparsed (already stored)."""
        inflight: deque = deque()
        for chunk in _chunks(items, self.chunk_size):
            todo = [x for x in chunk if isinstance(x, Article) and not (skip and skip(x))]
            inflight.append((chunk, todo, self._submit(todo) if todo else None))
            while len(inflight) >= self.window:
                yield from self._merge(*inflight.popleft())
        while inflight:
            yield from self._merge(*inflight.popleft())

    def _merge(self, chunk: list, todo: list, job) -> Iterator:
        results = iter(())
        if job is not None:
            pid, peak, out = job.get()
            self.peak_mb[pid] = max(peak, self.peak_mb.get(pid, 0.0))
            results = iter(out)
        done = {id(a) for a in todo}
        for item in chunk:
            if id(item) in done:
                res = next(results)
                yield InputError(None, res) if isinstance(res, str) else res
            else:
                yield item


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


__all__ = ["ParallelExtractor"]
