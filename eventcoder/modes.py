"""Token in a parsed Doc -> event mode (occurred, planned, threatened, demanded, denied,
hypothetical), and sentence -> historical marker.

A speech act that was made (an appeal, a warning, an accusation) is itself `occurred`; what it
speaks of takes the mode of the verb that governs it ("vowed to retaliate": retaliate is
`threatened`). The rules only read the dependency parse, so they hold for any trigger lemma.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

# Governing verbs (or nouns) whose clausal complement did not (yet) happen, with the mode it gets.
GOVERNOR_MODES: dict[str, tuple[str, ...]] = {
    "planned": ("plan", "intend", "prepare", "aim", "schedule", "expect", "seek", "want", "hope",
                "mean", "agree", "promise", "pledge", "decide", "resolve", "offer", "propose",
                "arrange", "commit", "set", "poise", "gear", "plot", "scheme", "wish", "intention",
                "preparation", "decision"),
    "threatened": ("threaten", "vow", "warn", "swear", "threat", "ultimatum", "warning"),
    "demanded": ("call", "urge", "demand", "ask", "appeal", "request", "press", "implore", "order",
                 "insist", "invite", "require", "push", "exhort", "beg", "plead", "tell",
                 "instruct", "encourage", "lobby", "petition", "plea", "calls", "pressure",
                 "pressurize", "pressurise"),
    "denied": ("deny", "refute", "dismiss", "reject", "refuse", "decline", "fail"),
    "hypothetical": ("need", "could", "may", "might", "ready", "readiness", "willing",
                     "willingness", "able", "possibility", "consider", "risk", "fear", "likely",
                     "unlikely", "capable", "chance", "would"),
}
# Governors whose that-clause is reported fact ("told reporters that troops attacked"), not mode.
_XCOMP_ONLY = {"tell", "warn", "decide", "agree", "set", "mean"}
_GOVERNOR = {lemma: mode for mode, lemmas in GOVERNOR_MODES.items() for lemma in lemmas}

# Auxiliaries that make the trigger's own clause future or hypothetical.
AUX_MODES = {"will": "planned", "shall": "planned", "'ll": "planned", "wo": "planned",
             "would": "hypothetical", "could": "hypothetical", "might": "hypothetical",
             "may": "hypothetical", "should": "demanded", "must": "demanded"}
# Adjectives on an event noun ("the planned incursions", "a possible strike").
AMOD_MODES = {"planned": "planned", "proposed": "planned", "upcoming": "planned",
              "future": "planned", "impending": "planned", "imminent": "planned",
              "intended": "planned", "scheduled": "planned", "threatened": "threatened",
              "possible": "hypothetical", "potential": "hypothetical",
              "alleged": "hypothetical", "demanded": "demanded"}
NEGATIONS = {"not", "n't", "never", "no"}
# Complement links through which a governing verb's mode reaches the trigger.
_COMPLEMENT_DEPS = {"xcomp", "ccomp", "acl", "advcl", "pcomp", "pobj", "relcl", "conj", "prep",
                    "dobj", "nsubjpass"}

HISTORICAL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE)) for name, pattern in (
        ("marker:back-in", r"\bback in\b"),
        ("marker:last-year", r"\blast year(?:'s|’s)?\b"),
        ("marker:years-ago", r"\b(?:years|decades|a decade|a year) ago\b"),
        ("marker:during-the-war", r"\bduring the (?:\d+-day |\d+-year |[a-z]+ )?war\b"),
        ("marker:war-of-year", r"\b(?:war|conflict|uprising|intifada|occupation) (?:of|in) (?:1[89]|20)\d\d\b"),
        ("marker:since-year", r"\bsince (?:the )?(?:1[89]|20)\d\d\b"),
        ("marker:year-event", r"\bthe (?:1[89]|20)\d\d (?:war|conflict|uprising|attack|massacre|agreement|accord)\b"),
        ("marker:20th-century-year", r"\b(?:in|of|since) 1[89]\d\d\b"),
        ("marker:anniversary", r"\banniversary\b"),
        ("marker:recalled", r"\brecall(?:s|ed|ing)?\b"),
        ("marker:in-the-wake-of-year", r"\bin the wake of\b.*\b(?:1[89]|20)\d\d\b"),
        ("marker:at-the-time", r"\bat the time\b|\bhistorically\b|\bin the past\b"),
    )
)


def _aux_mode(tok: Token) -> tuple[str, str] | None:
    for child in tok.children:
        if child.dep_ in ("aux", "auxpass") and child.lower_ in AUX_MODES:
            return AUX_MODES[child.lower_], f"modal:{child.lower_}"
        if child.dep_ == "aux" and child.lower_ == "to" and tok.head.lower_ == "going":
            return "planned", "modal:going-to"
    return None


def _negated(tok: Token) -> str | None:
    for child in tok.children:
        if child.dep_ == "neg" or (child.dep_ == "advmod" and child.lower_ in NEGATIONS):
            return f"neg:{child.lower_}"
    return None


def _conditional(tok: Token) -> bool:
    """An "if"/"unless" clause, or a present-tense "until"/"once"/"before" clause, which speaks
    of a condition still to be met ("until their demands are met"), not of a past act."""
    for c in tok.children:
        if c.dep_ != "mark":
            continue
        if c.lower_ in ("if", "unless"):
            return True
        if c.lower_ in ("until", "till", "once", "before") and _present(tok):
            return True
    return False


def _present(tok: Token) -> bool:
    if tok.tag_ in ("VBP", "VBZ"):
        return True
    return any(c.dep_ in ("aux", "auxpass") and c.lower_ in ("is", "are", "am", "has", "have")
               for c in tok.children)


def classify_mode(doc: Doc, trigger_token_index: int) -> tuple[str, str]:
    """(mode, rule) for the event whose trigger head is doc[trigger_token_index]."""
    tok = doc[trigger_token_index]
    rule = _negated(tok)
    if rule:
        return "denied", rule
    found = _aux_mode(tok)
    if found:
        mode, rule = found
        if mode == "hypothetical" or _conditional(tok) or any(_conditional(a) for a in tok.ancestors):
            return "hypothetical", "conditional" if mode != "hypothetical" else rule
        return found
    if _conditional(tok):
        return "hypothetical", "conditional:if"
    for child in tok.children:
        if child.dep_ == "amod" and child.lower_ in AMOD_MODES:
            return AMOD_MODES[child.lower_], f"amod:{child.lower_}"
    # Walk up through complement links: "are planning to storm", "called on X to converge",
    # "warned of attacks", "denied attacking". A reported clause ("said that troops killed")
    # keeps its own mode, so the walk stops at a ccomp whose verb is not a governor.
    cur = tok
    while cur.dep_ in _COMPLEMENT_DEPS and cur.head.i != cur.i:
        dep, head = cur.dep_, cur.head
        if dep == "conj" or head.pos_ == "ADP":  # "storm and desecrate"; "of attacks"
            cur = head
            continue
        lemma = head.lemma_.lower()
        mode = _GOVERNOR.get(lemma) or _GOVERNOR.get(head.lower_)
        if lemma in _XCOMP_ONLY and dep == "ccomp":  # "told reporters that troops attacked"
            mode = None
        if mode and dep not in ("relcl", "advcl"):  # "ordered jets, while Y signed a deal"
            if mode == "denied" and _negated(head):  # "did not deny attacking"
                return "occurred", f"governor:not-{lemma}"
            return mode, f"governor:{lemma}"
        if dep in ("xcomp", "ccomp") and _negated(head):  # "did not try to attack"
            return "denied", f"neg-governor:{lemma}"
        found = _aux_mode(head) if dep == "xcomp" else None
        if found:
            return found
        if dep in ("ccomp", "relcl", "advcl", "acl"):
            break
        cur = head
    if _bare_infinitive(tok):
        return "planned", "infinitive:irrealis"
    return "occurred", "default:occurred"


# Verbs whose infinitive complement did happen ("began to shell", "managed to escape").
IMPLICATIVE = {"begin", "start", "continue", "manage", "succeed", "proceed", "resume", "come",
               "go", "use", "happen", "dare", "bother", "get", "force", "compel", "oblige"}


def _bare_infinitive(tok: Token) -> bool:
    """"to storm" with nothing above it that makes it real: a purpose, aim or wish, not a fact."""
    if tok.dep_ == "conj" and tok.head.pos_ == "VERB" and _bare_infinitive(tok.head):
        return True  # "to arrange the deal and settle on prices"
    if not any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
        return False
    return not (tok.dep_ == "xcomp" and tok.head.lemma_.lower() in IMPLICATIVE)


def historical_markers(sent: Span) -> str | None:
    """Rule name when the sentence's own words place its events in the past ("back in", "in 1967")."""
    text = sent.text
    for name, pattern in HISTORICAL_PATTERNS:
        if pattern.search(text):
            return name
    return None


# Dependencies that open a clause of their own: a marker inside one dates only that clause.
_CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "relcl", "acl", "parataxis", "csubj", "pcomp"})


def _clause_head(tok: Token) -> Token:
    cur = tok
    while cur.head.i != cur.i and cur.dep_ not in _CLAUSE_DEPS \
            and not (cur.dep_ == "conj" and cur.pos_ in ("VERB", "AUX")):
        cur = cur.head
    return cur


def historical_marker_at(doc: Doc, trigger_token_index: int) -> str | None:
    """Rule name when a history marker dates the trigger's own clause or a clause governing it.

    "Libya offered to hand over two men suspected of blowing up a plane in 1988": the year dates
    the bombing, not the offer, so only markers whose clause dominates the trigger count."""
    tok = doc[trigger_token_index]
    sent = tok.sent
    scope = {tok.i} | {a.i for a in tok.ancestors}
    if tok.pos_ in ("NOUN", "PROPN"):  # "the agreement signed in 1967": the noun's own modifiers
        scope |= {t.i for t in tok.subtree}
    for name, pattern in HISTORICAL_PATTERNS:
        for found in pattern.finditer(sent.text):
            span = sent.char_span(found.start(), found.end(), alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            if any(_clause_head(t).i in scope for t in span):
                return name
    return None

