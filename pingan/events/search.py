"""Word search over events at scale on PostgreSQL: a GIN index of character bigrams.

Chinese has no spaces, and most words are two characters (噪音, 漏水, 占道): pg_trgm
cannot index a two-character `LIKE '%噪音%'`, and full-text parsers need a Chinese
dictionary the server may not have. So `pingan_bigrams(text)` turns a text into the set
of its overlapping two-character pieces (a tsvector). Each event keeps the bigrams of
its upper-cased title and description in the generated column `search_bigrams`, with a
GIN index (migrations `ops.0001_event_bigram_index` and `ops.0002_event_search_bigrams`;
the ops app owns production-only database objects, and the model does not declare the
column). A search for 化粪池 first finds the rows holding both 化粪 and 粪池 through that
index, and the usual `icontains` test then keeps the exact matches.
SQLite keeps the plain `icontains` scan.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from pingan.events.partitions import key_q

# An event code, `<county code>-<yyyymmdd>-<6-digit sequence>`: looked up exactly.
EVENT_CODE = re.compile(r"\d{6}-\d{8}-\d{6}")

# The stored column of migration ops.0002 (PostgreSQL only).
INDEXED = '"events_event"."search_bigrams"'


def bigram_query(text: str) -> str:
    """A tsquery requiring every bigram of `text` ('' when none can be formed safely)."""
    text = text.upper()
    grams = sorted(
        {
            text[i : i + 2]
            for i in range(len(text) - 1)
            if not any(ch.isspace() or ch in "'\\:&|!()<>*" for ch in text[i : i + 2])
        }
    )
    return " & ".join(f"'{g}'" for g in grams)


def text_q(text: str) -> Q:
    """Events whose code is `text`, or whose title or description contain it. Addresses
    are encrypted at rest (docs/privacy.md), so the database cannot search them."""
    if EVENT_CODE.fullmatch(text):
        return key_q(code=text)
    words = Q(title__icontains=text) | Q(description__icontains=text)
    prefilter = bigram_prefilter(text) if connection.vendor == "postgresql" else None
    if prefilter is None:
        return words
    if is_one_bigram(text):
        # The bigram itself is the exact test: no LIKE, whose default estimate (0.5 %)
        # would make the planner expect a handful of rows and read every match of a
        # common word instead of walking the newest events until the page is full.
        return prefilter
    return prefilter & words


def is_one_bigram(text: str) -> bool:
    """Whether `text` is exactly one indexable bigram whose upper case PostgreSQL and
    Python agree on (ASCII, or characters without case such as Chinese): then an event
    holds the bigram exactly when its title or description contains `text`."""
    return (
        len(text) == 2
        and bigram_query(text) != ""
        and all(ch.isascii() or ch.upper() == ch.lower() for ch in text)
    )


def bigram_prefilter(text: str) -> Q | None:
    """A condition the index can answer, implied by `text` being in title or
    description; None when the text is too short to use it."""
    query = bigram_query(text)
    if not query:
        return None
    # The SQL is constant; the user's text goes in as a parameter.
    condition = RawSQL(f"{INDEXED} @@ %s::tsquery", [query], output_field=BooleanField())  # noqa: S611
    return Q(condition)
