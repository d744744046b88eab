"""What a search's text asks of the index: its terms, read as the index reads them, and their cost.

A term is a word or a "quoted phrase". Terms that the index reads as the same words (The, the,
THE; group, groups) match the same articles, so a search keeps the first and leaves out the rest.

Every word of a search costs passes over the articles it is in: FTS5 reads each word's list of
articles to count those that have every word, again to weigh the word for bm25, and again for
the newest matches it ranks; bm25 and snippet() then work through each word's places in every
article they rank or excerpt. A phrase also compares where its words stand in the articles
that have them all. So a search may cost at most SEARCH_BUDGET passes over the whole archive,
whatever its size (on a small one, SMALLEST_BUDGET entries): the costliest accepted stays
within a few typical one-word searches. The build records each word's counts (the
`index_words` table), so the cost is known before the search runs.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.errors import SearchTooBroad

TOKENIZER = "porter unicode61 remove_diacritics 2"  # the index's, as schema.sql declares it
# In passes over every article: two words in nearly every article ("the of"), or four in half of
# them. Measured at 10,000 issues, such a search costs at most about 4 typical one-word searches
# (CPU for its SQL and Python), 100 hits a page against 1 to 20; three words in every article
# cost 6.
SEARCH_BUDGET = 2.0
# On a small archive any search is quick: one that reads no more entries than this is searched.
SMALLEST_BUDGET = 1000
# A phrase compares each place of its words in the articles it could be in: a place compared
# costs up to a quarter of an article passed over (measured as above).
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


def refuse_costly(db: sqlite3.Connection, search: SearchTerms) -> None:
    """SearchTooBroad, naming the commonest words (the first typed first among equals), if the
    search costs more than its budget."""
    counts = word_counts(db, {word for term in search.terms for word in term})
    articles: int = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    if search_cost(search.terms, counts) <= max(SEARCH_BUDGET * articles, SMALLEST_BUDGET):
        return
    commonest = sorted(search.spellings, key=lambda word: counts.get(word, (0, 0))[0], reverse=True)
    raise SearchTooBroad([search.spellings[word] for word in commonest[:COMMONEST_NAMED]])


def search_cost(terms: Iterable[tuple[str, ...]], counts: dict[str, tuple[int, int]]) -> float:
    """What a search costs, in articles passed over: each word's articles (a word a phrase has
    twice, twice), and for a phrase the places of its words in the articles they could share."""
    cost = 0.0
    for term in terms:
        articles = [counts.get(word, (0, 0))[0] for word in term]
        cost += sum(articles)
        if len(term) > 1 and min(articles):
            places_per_article = sum(counts[word][1] / counts[word][0] for word in term)
            cost += PLACE_COST * min(articles) * places_per_article
    return cost


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
