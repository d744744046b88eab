"""The costliest searches against typical ones, on every endpoint that searches.

Each text below goes to each endpoint at its largest page and at deep pages (the middle and
last pages of a word in every article, and past the end): repeated words, many words, long
phrases, common words, prefix-like and punctuation-only text, the longest text accepted. A
text refused as too broad (400) counts at what its refusal took. Each endpoint's costliest
answer is compared with the median of typical one-word searches on that endpoint, 1 to 14
items a page: a page of 100 issues takes longer to send than a page of 20 hits, whatever was
searched for.

Every search is sent three times, uncached each time, in spellings the index reads the same
(other cases, a tab for a space), so at the same cost, each time in a pass over all of an
endpoint's searches; its median counts. A worker now and then stalls for tens of
milliseconds whatever it is answering (collecting garbage, reading a page back from disk),
and one stall in hundreds of requests would otherwise be the figure.

python -m bench.search --port 8000   (a service on a 10,000-issue demo store)
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import string
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import service  # noqa: F401  schemas.query needs service imported first
from schemas.query import MAX_PAGE, MAX_QUERY_TEXT
from service.content.demo import DEMO_SEED, demo_vocabulary

TYPICAL_WORDS = (
    "community groups council policy funding report survey local grant trust network support"
    " review evidence"
).split()
WARM_UP = "volunteers"  # a common word, not among those timed alone
WARM_UPS = 10  # enough for every worker to have answered a first search
SPELLINGS = 3  # each search is timed in this many spellings of the same cost
# The demo vocabulary's commonest words (service/content/demo.py): each in nearly every article.
COMMON = "the of and to in a for on that with is by from as are at this be will their".split()
TOPICAL = "community groups council policy volunteers neighbourhood services funding".split()
# Words the demo's Zipf law puts in about 1,800 and 140 of 30,078 articles.
MIDDLING, RARE = demo_vocabulary(DEMO_SEED)[300], demo_vocabulary(DEMO_SEED)[3900]


def phrase(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


def longest(text: str) -> str:
    """The text repeated up to the longest the API accepts, cut at a space."""
    repeated = " ".join([text] * (MAX_QUERY_TEXT // (len(text) + 1) + 1))
    return repeated[:MAX_QUERY_TEXT].rsplit(" ", 1)[0]


WORST_TEXTS = (
    "the",
    longest("the"),  # one word in every article, fifty times
    longest("The THE the"),  # the same, as the tokenizer folds it
    " ".join(COMMON[:2]),  # the most of the commonest words a search may have
    " ".join(COMMON[:3]),  # refused
    " ".join(TOPICAL[:2]),
    " ".join(TOPICAL[:4]),  # refused
    " ".join(TOPICAL),  # refused
    f"{MIDDLING} the",  # a rarer word walks fewer matches, but ranks as many
    f"{MIDDLING} the of",  # refused
    " ".join([RARE, *COMMON[:4]]),  # a rare word leaves few matches to walk and excerpt
    " ".join([RARE, *COMMON[:8]]),  # refused
    phrase(COMMON[:2]),  # refused: a phrase of the commonest words
    phrase(TOPICAL[:2]),
    phrase(["the", "council"]),  # refused
    longest(phrase(COMMON[:3])),  # refused
    "-".join(["the"] * 60)[:MAX_QUERY_TEXT],  # one word the tokenizer reads as a long phrase
    longest(" ".join(string.ascii_lowercase + string.digits)),  # about 100 one-letter words
    longest("t* c* a* s*"),  # prefix-like
    "é" * MAX_QUERY_TEXT,  # the longest single word
    longest('" - * ( ) :'),  # punctuation only
)
# The page sizes and pages each endpoint is asked for: the largest page; for a word in every
# article (30,078 articles in 10,000 issues) the middle and last pages, and those across the
# edge of the ranked window; and past every page.
PAGINGS: dict[str, list[tuple[int, int | None]]] = {
    "/api/v1/search": [(2, 100), (20, 100), (21, 100), (300, 100), (MAX_PAGE, 100)],
    "/search": [(2, None), (100, None), (1500, None), (MAX_PAGE - 1, None)],  # six digits at most
    "/api/v1/articles": [(2, 100), (150, 100), (300, 100), (MAX_PAGE, 100)],
    "/api/v1/issues": [(2, 100), (50, 100), (100, 100), (MAX_PAGE, 100)],
}


@dataclass(frozen=True)
class Costliest:
    """An endpoint's costliest search, and its median typical one."""

    endpoint: str
    typical_ms: float
    ms: float
    url: str

    @property
    def ratio(self) -> float:
        return self.ms / self.typical_ms


@dataclass(frozen=True)
class Worst:
    endpoints: list[Costliest]

    @property
    def ms(self) -> float:
        """The costliest search on any endpoint."""
        return max(costliest.ms for costliest in self.endpoints)

    @property
    def ratio(self) -> float:
        """The largest of each endpoint's costliest ÷ its median typical search."""
        return max(costliest.ratio for costliest in self.endpoints)

    @property
    def url(self) -> str:
        return max(self.endpoints, key=lambda costliest: costliest.ms).url


def url(endpoint: str, text: str, page: int = 1, per_page: int | None = None) -> str:
    query: dict[str, str | int] = {"q": text, "page": page}
    if per_page is not None:
        query["per_page"] = per_page
    return f"{endpoint}?{urlencode(query)}"


def spellings(text: str) -> list[str]:
    """The search in SPELLINGS ways the index reads the same, so at the same cost, each under
    its own address: as written, in other cases, or with a space made a tab."""
    cases = [text, text.upper(), text.title(), text.swapcase(), text.capitalize()]
    tabs = [text.replace(" ", "\t", count) for count in range(1, SPELLINGS)]
    found = list(dict.fromkeys(cases + tabs))[:SPELLINGS]
    assert len(found) == SPELLINGS, f"{text!r} has no {SPELLINGS} spellings"
    return found


@dataclass(frozen=True)
class Search:
    endpoint: str
    text: str
    page: int
    per_page: int | None

    def url(self, spelling: int = 0) -> str:
        return url(self.endpoint, spellings(self.text)[spelling], self.page, self.per_page)


def medians_ms(port: int, searches: list[Search]) -> list[float]:
    """Each search's median time over its spellings, none of them cached: a pass over every
    search for each spelling, so that a stall, or a slow moment of the machine, lands on one
    pass of a search, not on all of them."""
    passes = [
        [elapsed_ms(port, search.url(spelling)) for search in searches]
        for spelling in range(SPELLINGS)
    ]
    return [statistics.median(times) for times in zip(*passes, strict=True)]


def elapsed_ms(port: int, path: str) -> float:
    """How long one GET takes: answered, refused as too broad, or a page past the last."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    ms = (time.perf_counter() - started) * 1000
    connection.close()
    if response.status not in (200, 400, 404):
        raise SystemExit(f"{path} answered {response.status}")
    return ms


def costliest(port: int, endpoint: str, pagings: list[tuple[int, int | None]]) -> Costliest:
    """An endpoint's costliest search and its median typical one-word search, 1 to 14 items a
    page, measured in the same passes once each worker has answered a first search there (a
    worker's first costs more)."""
    sizes = [None if endpoint == "/search" else size for size in range(1, 15)]
    typical = [
        Search(endpoint, word, 1, size) for word, size in zip(TYPICAL_WORDS, sizes, strict=True)
    ]
    worst = [
        Search(endpoint, text, page, per_page) for text in WORST_TEXTS for page, per_page in pagings
    ]
    warm_up(port, endpoint)
    times = medians_ms(port, typical + worst)
    ms, search = max(zip(times[len(typical) :], worst, strict=True), key=lambda found: found[0])
    return Costliest(endpoint, statistics.median(times[: len(typical)]), ms, search.url())


def warm_up(port: int, endpoint: str) -> None:
    """Searches enough for every worker to have answered a first one on the endpoint."""
    for _ in range(WARM_UPS):
        elapsed_ms(port, url(endpoint, WARM_UP))


def worst_search(port: int) -> Worst:
    """Each endpoint's costliest search, beside its typical one."""
    return Worst([costliest(port, endpoint, pagings) for endpoint, pagings in PAGINGS.items()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    worst = worst_search(parser.parse_args().port)
    for cost in worst.endpoints:
        print(
            f"{cost.endpoint}: typical {cost.typical_ms:.1f} ms, costliest {cost.ms:.1f} ms"
            f" ({cost.ratio:.2f} ×): {cost.url}"
        )


if __name__ == "__main__":
    main()
