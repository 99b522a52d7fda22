"""An event's title when the reporter gives none: its description's first clauses, never
cut inside a word (issue 17: titles were the first 30 characters, cut mid-word)."""

from __future__ import annotations

import re

# The length a derived title aims at; a first clause longer than this is kept whole.
TITLE_AIM = 30
# Event.title's max_length.
TITLE_MAX = 200

# A clause ends after one of these (kept with the clause when it is a comma-like mark).
_SENTENCE_END = "。！？!?；;\n"
_CLAUSE = re.compile(r"[^，,、：:。！？!?；;\n]+[，,、：:]?")


def title_from(description: str, aim: int = TITLE_AIM, limit: int = TITLE_MAX) -> str:
    """The description's first sentence, or as many of its first clauses as fit in `aim`
    characters (at least one); a clause longer than `limit` is cut at its last space
    (Latin text) or at `limit`. Trailing commas are dropped; the words are the reporter's."""
    text = " ".join((description or "").split(" ")).strip()
    first = re.split(f"[{re.escape(_SENTENCE_END)}]", text, maxsplit=1)[0].strip()
    title = ""
    for clause in _CLAUSE.findall(first):
        clause = clause.strip()
        if not clause:
            continue
        if title and len(title) + len(clause) > aim:
            break
        title += clause
    title = title.rstrip("，,、：: ")
    if len(title) > limit:
        cut = title[:limit]
        space = cut.rfind(" ")
        title = cut[:space] if space > limit // 2 else cut
    return title or text[:limit]
