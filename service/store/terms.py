"""What a search's text asks of the index: its terms, read as the index reads them, and their cost.

A term is a word or a "quoted phrase". Terms that the index reads as the same words (The, the,
THE; group, groups) match the same articles, so a search keeps the first and leaves out the rest.

What a search costs is known before it runs, from each word's counts that the build records
(the `index_words` table). For every word of it:
- a pass over the articles the word is in: bm25 weighs a word by counting them, once a search;
- a walk over the search's matches (at most the articles its rarest word is in): FTS5 reads
  each word's entry for every match to count them, and again to skip to a deep page;
- its share of bm25 for each match ranked (the newest `ranked` of them), and of snippet() for
  each hit on the largest page: both work through every word's places in the article.
A phrase also compares where its words stand in the articles that have them all. A word in no
article makes the search cost nothing: there is nothing to count, weigh or rank.

A search may cost SEARCH_BUDGET one-word searches for a word in every article. So the costliest
accepted stays within a few typical searches whatever the archive's size, and one rare word is
searched with several common ones beside it, as in "the heart of big society".
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import sqlite3
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from service.errors import SearchTooBroad

TOKENIZER = "porter unicode61 remove_diacritics 2"  # the index's, as schema.sql declares it
# In one-word searches for a word in every article. Measured at 10,000 issues (30,078 articles)
# in the API, 100 a page, against one-word searches of 1 to 14 a page: accepted, "the of" (2.0)
# cost 2.5 typical searches (4.1 for the 50th page of issues), "council policy" (1.7) 2.7, a word
# in 2,000 articles with "the" (1.5) 4.1; refused, "the of and" (3.0) cost 5.2, that word with
# "the of" (2.3) 4.5, and a word in 118 articles with seven in nearly every one (3.5) 4.5.
SEARCH_BUDGET = 2.0
# A small archive gets the budget of one this size: a search over fewer articles is quick anyway.
SMALLEST_ARCHIVE = 1000
# Each cost below is in entries read from a word's list of articles (about 0.04 µs each).
# bm25 for one match, a word more: about 1.1 µs.
RANK_COST = 27
# snippet() for one hit, a word more: about 17 µs.
EXCERPT_COST = 400
# A phrase compares each place of its words in the articles it could be in: a place compared
# costs up to a quarter of an entry read.
PLACE_COST = 1 / 4
COMMONEST_NAMED = 3
_TERM = re.compile(r'"([^"]*)"?|([^\s"]+)')


@dataclass(frozen=True)
class SearchTerms:
    """A search's distinct terms as the index reads them, each with its first spelling."""

    terms: dict[tuple[str, ...], str]
    spellings: dict[str, str]  # each word as the index reads it: as first typed


def search_terms(text: str) -> SearchTerms:
    """The text's words, every one to match; a "quoted phrase" matches as a phrase.

    FTS5 ends a string at a NUL character, so NULs separate words like spaces do. A term of
    no words (punctuation only) is left out, as FTS5 would ignore it.
    """
    typed = [phrase or word for phrase, word in _TERM.findall(text.replace("\x00", " "))]
    pieces = [term.split() for term in typed]
    words = iter(index_tokenizer().words([piece for term in pieces for piece in term]))
    terms: dict[tuple[str, ...], str] = {}
    spellings: dict[str, str] = {}
    for term, term_pieces in zip(typed, pieces, strict=True):
        term_words: tuple[str, ...] = ()
        piece_words_of = itertools.islice(words, len(term_pieces))
        for piece, piece_words in zip(term_pieces, piece_words_of, strict=True):
            term_words += piece_words
            spellings.update((word, piece) for word in piece_words if word not in spellings)
        if term_words:
            terms.setdefault(term_words, term)
    return SearchTerms(terms, spellings)


def refuse_costly(db: sqlite3.Connection, search: SearchTerms, ranked: int, excerpted: int) -> None:
    """SearchTooBroad, naming the commonest words (the first typed first among equals), if the
    search costs more than its budget when the newest `ranked` matches are ranked and
    `excerpted` hits are excerpted."""
    counts = word_counts(db, {word for term in search.terms for word in term})
    articles: int = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    cost = Cost(ranked, excerpted)
    budget = SEARCH_BUDGET * cost.words([max(articles, SMALLEST_ARCHIVE)])
    if cost.search(search.terms, counts) <= budget:
        return
    commonest = sorted(search.spellings, key=lambda word: counts.get(word, (0, 0))[0], reverse=True)
    raise SearchTooBroad([search.spellings[word] for word in commonest[:COMMONEST_NAMED]])


@dataclass(frozen=True)
class Cost:
    """What searches cost, in entries read, when the newest `ranked` matches are ranked and
    `excerpted` hits excerpted."""

    ranked: int
    excerpted: int

    def search(
        self, terms: Collection[tuple[str, ...]], counts: dict[str, tuple[int, int]]
    ) -> float:
        """A search's cost: its words' (a word a phrase has twice, twice), and for a phrase the
        places of its words in the articles they could share."""
        articles = [counts.get(word, (0, 0))[0] for term in terms for word in term]
        cost = self.words(articles)
        for term in terms:
            if len(term) > 1 and cost:
                places_per_article = sum(counts[word][1] / counts[word][0] for word in term)
                cost += PLACE_COST * min(counts[word][0] for word in term) * places_per_article
        return cost

    def words(self, articles: Sequence[int]) -> float:
        """The cost of searching for words in these many articles each: nothing if one is in
        none."""
        matches = min(articles, default=0)
        if not matches:
            return 0.0
        per_word = (
            matches
            + RANK_COST * min(matches, self.ranked)
            + EXCERPT_COST * min(matches, self.excerpted)
        )
        return sum(articles) + len(articles) * per_word


def word_counts(db: sqlite3.Connection, words: set[str]) -> dict[str, tuple[int, int]]:
    """How many articles each word is in and how often it occurs, for the words in the index."""
    placeholders = ",".join("?" * len(words))
    rows = db.execute(
        f"SELECT word, articles, occurrences FROM index_words WHERE word IN ({placeholders})",
        sorted(words),
    )
    return {word: (articles, occurrences) for word, articles, occurrences in rows}


class Tokenizer:
    """The index's own tokenizer, on a private in-memory table: the words of each search term
    exactly as the index reads them (case, accents and word endings folded, "e-mail" two words).
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._db.executescript(
            f"CREATE VIRTUAL TABLE terms USING fts5 (term, content = '', tokenize = '{TOKENIZER}');"
            " CREATE VIRTUAL TABLE term_words USING fts5vocab (terms, instance);"
        )
        self._lock = threading.Lock()

    def words(self, pieces: Sequence[str]) -> list[tuple[str, ...]]:
        """Each piece of text's words in order: the pieces are indexed, read, and never kept."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT INTO terms (rowid, term) VALUES (?, ?)", enumerate(pieces)
                )
                rows = self._db.execute(
                    "SELECT doc, term FROM term_words ORDER BY doc, offset"
                ).fetchall()
            finally:
                self._db.execute("ROLLBACK")
        words: list[list[str]] = [[] for _ in pieces]
        for index, word in rows:
            words[index].append(word)
        return [tuple(piece_words) for piece_words in words]


@functools.cache
def index_tokenizer() -> Tokenizer:
    """One tokenizer per process, made on first use: a forked worker makes its own."""
    return Tokenizer()


os.register_at_fork(after_in_child=index_tokenizer.cache_clear)
