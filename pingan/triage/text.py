"""Chinese text handling shared by classification, duplicates and leads: normalising,
word segmentation (jieba) and character shingles for similarity."""

from __future__ import annotations

import logging
import re
import unicodedata

import jieba

jieba.setLogLevel(logging.WARNING)

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")
_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()


def words(text: str) -> list[str]:
    """jieba words of the text (exact mode, no HMM for speed), punctuation and spaces
    dropped; runs of digits become one placeholder so house numbers do not split classes."""
    out = []
    for w in jieba.lcut(_DIGITS.sub("0", normalise(text)), HMM=False):
        w = w.strip()
        if w and not _NON_WORD.fullmatch(w):
            out.append(w)
    return out


def shingles(text: str, n: int = 2) -> set[str]:
    """Character n-grams of the text with punctuation, spaces and digits removed."""
    s = _NON_WORD.sub("", _DIGITS.sub("", normalise(text)))
    if len(s) < n:
        return {s} if s else set()
    return {s[i : i + n] for i in range(len(s) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|, 0 for two empty sets."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def containment(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / min(|a|, |b|): high when the shorter text is inside the longer."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
