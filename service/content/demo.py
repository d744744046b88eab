"""A complete synthetic content tree, marked as synthetic, for load tests and demonstrations."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import tomli_w

from schemas.fields import slugify
from service.content.loader import PUBLICATION_FILE
from service.content.writer import ArticleFile, IssueFolder, write_issue
from service.errors import DemoContentExists

FIRST_ISSUE = dt.date(2000, 1, 5)
FORTNIGHT = dt.timedelta(days=14)
TAGS = (
    "big-society", "community-development", "funding", "health", "housing", "localism",
    "public-services", "research", "volunteering", "youth",
)  # fmt: skip
AUTHORS = ("Ada Byron", "Ben Okri", "Chloe Adams", "Dev Patel", "Erin Walsh", "Femi Ade")
# The vocabulary's most frequent words, most frequent first: words like these are in nearly
# every article of a real briefing. Invented words follow, each rarer than the one before.
COMMON_WORDS = (
    "the of and to in a for on that with is by from as are at this be will their"
    " community groups council policy volunteers neighbourhood services funding report survey"
    " commissioning partnership residents trust local national charity enterprise grant"
    " strategy network campaign review evidence support independence wellbeing"
).split()
VOCABULARY_SIZE = 4000
# Invented words: one to three syllables (onset and vowel), then a coda, most often none.
ONSETS = (
    "b c d f g h j k l m n p r s t v w y z bl br ch cl cr dr fl fr gl gr pl pr sc sh sl sp st"
    " str th tr wh"
).split()
VOWELS = "a e i o u ai ea ee ie oa oo ou".split()
CODAS = ("", "", "", "l", "m", "n", "r", "s", "t", "ck", "ld", "nd", "ng", "nt", "rn", "st")
LONGEST_INVENTED_WORD = 10
DEMO_SEED = 2011


def write_demo_content(out: Path, issues: int, seed: int = DEMO_SEED) -> None:
    """Write publication.toml and `issues` fortnightly issues under `out`, which must be empty."""
    if out.exists() and any(out.iterdir()):
        raise DemoContentExists(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / PUBLICATION_FILE).write_text(tomli_w.dumps(demo_publication()), encoding="utf-8")
    text = DemoText(random.Random(seed), demo_vocabulary(seed))
    for number in range(1, issues + 1):
        write_issue(out, demo_issue(text, number))


def demo_publication() -> dict[str, object]:
    return {
        "title": "Demo Briefing (synthetic)",
        "subtitle": "Generated content for load tests: not a real publication",
        "language": "en",
        "rights": "Synthetic text, free to use.",
        "base_url": "https://demo.briefing.example",
        "tag_authority": "demo.briefing.example",
        "feed_size": 20,
        "synthetic": True,
        "author": {"name": "Demo Desk", "email": "desk@demo.briefing.example"},
    }


def demo_vocabulary(seed: int) -> tuple[str, ...]:
    """COMMON_WORDS, then invented words up to VOCABULARY_SIZE: the same ones for the same seed."""
    rng = random.Random(f"vocabulary {seed}")
    words = dict.fromkeys(COMMON_WORDS)
    while len(words) < VOCABULARY_SIZE:
        syllables = [rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.randint(1, 3))]
        word = "".join(syllables) + rng.choice(CODAS)
        if 3 <= len(word) <= LONGEST_INVENTED_WORD:
            words.setdefault(word)
    return tuple(words)


class DemoText:
    """Sentences whose words follow Zipf's law, as real text does.

    The n-th most frequent word comes 1/n as often as the first, so a few words are in nearly
    every article and most are in only a few: searching the demo store costs about what
    searching a real archive of its size would.
    """

    def __init__(self, rng: random.Random, vocabulary: tuple[str, ...]) -> None:
        self.rng = rng
        self.vocabulary = vocabulary
        self.cumulative = list(
            itertools.accumulate(1 / rank for rank in range(1, len(vocabulary) + 1))
        )

    def sentence(self, words: int) -> str:
        chosen = self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=words)
        return " ".join(chosen).capitalize()


def demo_issue(text: DemoText, number: int) -> IssueFolder:
    date = FIRST_ISSUE + (number - 1) * FORTNIGHT
    articles = []
    for position in range(1, text.rng.randint(2, 4) + 1):
        headline = f"{text.sentence(6)} ({number}.{position})"
        articles.append(demo_article(text, number, headline))
    metadata = {
        "date": date,
        "number": number,
        "updated": dt.datetime.combine(date, dt.time(9), tzinfo=dt.UTC),
        "tags": text.rng.sample(TAGS, 1),
    }
    return IssueFolder(issue_id=date.isoformat(), metadata=metadata, articles=articles)


def demo_article(text: DemoText, number: int, headline: str) -> ArticleFile:
    rng, slug = text.rng, slugify(headline)
    paragraphs = [text.sentence(rng.randint(25, 60)) for _ in range(rng.randint(2, 4))]
    body = "\n\n".join(
        [*paragraphs[:1], f"## {text.sentence(4)}", *paragraphs[1:], f"*{text.sentence(8)}*"]
    )
    front_matter = {
        "headline": headline,
        "standfirst": text.sentence(30),
        "tags": rng.sample(TAGS, 2),
        "sources": [
            {"title": text.sentence(4), "url": f"https://example.org/reports/{number}/{slug}"}
        ],
        "authors": [{"name": rng.choice(AUTHORS)}],
    }
    return ArticleFile(slug=slug, front_matter=front_matter, body=body)
