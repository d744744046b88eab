"""A complete synthetic content tree, marked as synthetic, for load tests and demonstrations."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import tomli_w

from schemas.fields import slugify
from service.content.loader import PUBLICATION_FILE
from service.content.writer import ArticleFile, IssueFolder, write_issue

FIRST_ISSUE = dt.date(2000, 1, 5)
FORTNIGHT = dt.timedelta(days=14)
TAGS = (
    "big-society", "community-development", "funding", "health", "housing", "localism",
    "public-services", "research", "volunteering", "youth",
)  # fmt: skip
AUTHORS = ("Ada Byron", "Ben Okri", "Chloe Adams", "Dev Patel", "Erin Walsh", "Femi Ade")
WORDS = (
    "community groups council policy volunteers neighbourhood services funding report survey"
    " commissioning partnership residents trust local national charity enterprise grant"
    " strategy network campaign review evidence support independence wellbeing network"
).split()


class DemoContentExists(Exception):
    pass


def write_demo_content(out: Path, issues: int, seed: int = 2011) -> None:
    """Write publication.toml and `issues` fortnightly issues under `out`, which must be empty."""
    if out.exists() and any(out.iterdir()):
        raise DemoContentExists(f"{out} is not empty: demo content goes into a new folder")
    out.mkdir(parents=True, exist_ok=True)
    (out / PUBLICATION_FILE).write_text(tomli_w.dumps(demo_publication()), encoding="utf-8")
    rng = random.Random(seed)
    for number in range(1, issues + 1):
        write_issue(out, demo_issue(rng, number))


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


def demo_issue(rng: random.Random, number: int) -> IssueFolder:
    date = FIRST_ISSUE + (number - 1) * FORTNIGHT
    articles = []
    for position in range(1, rng.randint(2, 4) + 1):
        headline = f"{sentence(rng, 6)} ({number}.{position})"
        articles.append(demo_article(rng, number, headline))
    metadata = {
        "date": date,
        "number": number,
        "updated": dt.datetime.combine(date, dt.time(9), tzinfo=dt.UTC),
        "tags": rng.sample(TAGS, 1),
    }
    return IssueFolder(issue_id=date.isoformat(), metadata=metadata, articles=articles)


def demo_article(rng: random.Random, number: int, headline: str) -> ArticleFile:
    slug = slugify(headline)
    paragraphs = [sentence(rng, rng.randint(25, 60)) for _ in range(rng.randint(2, 4))]
    body = "\n\n".join(
        [*paragraphs[:1], f"## {sentence(rng, 4)}", *paragraphs[1:], f"*{sentence(rng, 8)}*"]
    )
    front_matter = {
        "headline": headline,
        "standfirst": sentence(rng, 30),
        "tags": rng.sample(TAGS, 2),
        "sources": [
            {"title": sentence(rng, 4), "url": f"https://example.org/reports/{number}/{slug}"}
        ],
        "authors": [{"name": rng.choice(AUTHORS)}],
    }
    return ArticleFile(slug=slug, front_matter=front_matter, body=body)


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize()
